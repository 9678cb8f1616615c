// SPDX-License-Identifier: GPL-3.0-or-later
// Where the writer's CPU per event goes, per captured Janus 1.1.2 event (Google Benchmark):
//   build/tests/bench/audit/bench_audit_scrub
// Scrub = policy walk + pattern pass + derived columns + the canonical JSON; Tree and Dump are its two
// largest parts measured alone; Chain is the SHA-256 chain step.
#include "AuditChain.hpp"
#include "EventScrubber.hpp"

#include <benchmark/benchmark.h>

#include <fstream>
#include <iterator>

using namespace hipaa;
using namespace hipaa::audit;

namespace {

const char* kSamples[] = {"06-plugin-videoroom-joined.json", "02-transport.json", "21-media.json",
                          "05-handle-attached-videoroom.json"};

struct Fixture {
    AuditPolicy policy =
        AuditPolicy::fromFile(std::string(HIPAA_SOURCE_DIR) + "/conf/janus.eventhandler.hipaa.audit.policy.jcfg");
    Pseudonymizer ps{Bytes(32, 9)};
    std::vector<JsonPtr> events;
    Fixture() {
        for (const char* f : kSamples) {
            std::ifstream in(std::string(HIPAA_SOURCE_DIR) + "/tests/support/audit-events/" + f);
            events.push_back(
                jsonParse(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>())));
        }
    }
};
Fixture& fixture() {
    static Fixture f;
    return f;
}

void Scrub(benchmark::State& st) {
    EventScrubber s(fixture().policy, fixture().ps);
    const json_t* ev = fixture().events[static_cast<size_t>(st.range(0))].get();
    for (auto _ : st) benchmark::DoNotOptimize(s.scrub(ev));
    st.SetLabel(kSamples[st.range(0)]);
}
void Tree(benchmark::State& st) {
    EventScrubber s(fixture().policy, fixture().ps);
    const json_t* ev = fixture().events[static_cast<size_t>(st.range(0))].get();
    for (auto _ : st) benchmark::DoNotOptimize(s.scrubTree(ev));
    st.SetLabel(kSamples[st.range(0)]);
}
void Dump(benchmark::State& st) {
    EventScrubber s(fixture().policy, fixture().ps);
    JsonPtr clean = s.scrubTree(fixture().events[static_cast<size_t>(st.range(0))].get());
    for (auto _ : st) benchmark::DoNotOptimize(jsonDump(clean.get()));
    st.SetLabel(kSamples[st.range(0)]);
}
void Chain(benchmark::State& st) {
    EventScrubber s(fixture().policy, fixture().ps);
    AuditRecord r = s.scrub(fixture().events[static_cast<size_t>(st.range(0))].get());
    AuditChain chain("bench", 0, Digest256{});
    for (auto _ : st) {
        chain.append(r);
        benchmark::DoNotOptimize(r.hash);
    }
    st.SetLabel(kSamples[st.range(0)]);
}

}  // namespace

BENCHMARK(Scrub)->DenseRange(0, 3);
BENCHMARK(Tree)->DenseRange(0, 3);
BENCHMARK(Dump)->DenseRange(0, 3);
BENCHMARK(Chain)->DenseRange(0, 3);
BENCHMARK_MAIN();

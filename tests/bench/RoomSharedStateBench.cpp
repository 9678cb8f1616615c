// SPDX-License-Identifier: GPL-3.0-or-later
// What the shared token state (cluster.conninfo) costs: ES256 join authorization with every jti spent
// in PostgreSQL (PgTokenState, one round trip) against the in-memory caches only, in the same run;
// and how long a revocation stored by one instance takes to reach another's RevocationListener.
// Needs HIPAA_TEST_PG (a fresh database is made there, as for the integration tests). Targets: the
// store adds < 2 ms at p99 to a join; revocations arrive within 1 s at p99.
//   build/tests/bench/room_shared_state_bench [joins=2000] [revocations=100]
#include "PgTokenState.hpp"
#include "RevocationListener.hpp"
#include "TestDatabase.hpp"
#include "TokenFactory.hpp"
#include "TokenVerifier.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

using namespace hipaa;
using namespace hipaa::room;
using Clock = std::chrono::steady_clock;

namespace {

double pct(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))];
}

std::vector<double> joins(TokenVerifier& v, const std::vector<std::string>& tokens, PgTokenState* store, int64_t now) {
    std::vector<double> us;
    JoinCheck check;
    check.room = "r1";
    if (store)
        check.shared = [&](const VerifiedToken& t) {
            if (store->spend({t.iss, t.jti, "ps1_s", t.room, "ps1_p", t.exp + 30}, now) !=
                SharedTokenState::Verdict::Fresh)
                std::abort();
        };
    for (const auto& t : tokens) {
        auto t0 = Clock::now();
        v.verify(t, check, now);
        us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    }
    return us;
}

}  // namespace

int main(int argc, char** argv) {
    const int n = argc > 1 ? std::atoi(argv[1]) : 2000;
    const int revocations = argc > 2 ? std::atoi(argv[2]) : 100;
    hipaa::test::TestDatabase db;
    std::string login = db.loginConninfo("janus_room_state");
    room::test::TokenFactory f;
    TokenPolicy policy;
    policy.issuers = {room::test::TokenFactory::kIssuer};
    policy.audience = room::test::TokenFactory::kAudience;
    const int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    auto mint = [&] {
        std::vector<std::string> tokens;
        for (int i = 0; i < n; ++i) tokens.push_back(f.sign(f.claims("r1", "patient", now).get(), "ES256"));
        return tokens;
    };
    PgTokenState store({.conninfo = login, .instanceId = "bench"});
    store.ping();
    TokenVerifier memory(policy, f.keys()), shared(policy, f.keys());
    std::vector<double> local = joins(memory, mint(), nullptr, now);
    std::vector<double> withStore = joins(shared, mint(), &store, now);
    double l50 = pct(local, 0.5), l99 = pct(local, 0.99), s50 = pct(withStore, 0.5), s99 = pct(withStore, 0.99);
    std::printf(
        "ES256 join, %d tokens: in memory p50 %.0f us p99 %.0f us; shared store p50 %.0f us p99 %.0f us; "
        "added at p99 %.0f us (target < 2000 us: %s)\n",
        n, l50, l99, s50, s99, s99 - l99, s99 - l99 < 2000.0 ? "met" : "MISSED (see load)");

    // Revocation propagation: stored by one store, heard by another instance's listener.
    std::mutex m;
    std::vector<Clock::time_point> heard;
    RevocationListener listener(login, [&](const SharedTokenState::Revocation&) {
        std::lock_guard lock(m);
        heard.push_back(Clock::now());
    });
    listener.start();
    while (!listener.listening()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    PgTokenState writer({.conninfo = login, .instanceId = "bench-b"});
    std::vector<double> ms;
    for (int i = 0; i < revocations; ++i) {
        auto t0 = Clock::now();
        writer.revoke({"jti", "bench-" + std::to_string(i), now + 600, "ps1_bench", "other"});
        for (;;) {
            {
                std::lock_guard lock(m);
                if (heard.size() > static_cast<size_t>(i)) {
                    ms.push_back(std::chrono::duration<double, std::milli>(heard[i] - t0).count());
                    break;
                }
            }
            if (Clock::now() - t0 > std::chrono::seconds(10)) {
                std::printf("revocation %d not heard within 10 s\n", i);
                return 1;
            }
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
    }
    double p99 = pct(ms, 0.99);
    std::printf("revocation propagation, %d revocations: p50 %.1f ms p99 %.1f ms (target < 1000 ms: %s)\n", revocations,
                pct(ms, 0.5), p99, p99 < 1000.0 ? "met" : "MISSED (see load)");
    return 0;
}

// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer: any JSON as a Janus event through EventScrubber with the shipped policy
// (conf/janus.eventhandler.hipaa.audit.policy.jcfg), as the audit writer scrubs every event Janus
// emits. The writer does not catch exceptions from the scrubber, so none may escape. What the record
// must satisfy for the trail to stay writable and verifiable:
// - the scrubbed event parses back to a JSON object whose canonical dump is the same bytes (the
//   verifier re-dumps what it reads and hashes that);
// - no \u0000 anywhere (jsonb refuses it: one such row would fail its whole batch);
// - the derived columns stay short and plain (action of a fixed alphabet, actor a ps1_ pseudonym);
// - scrubbing the same event again (pseudonyms from the scrubber's cache) gives the same record.
#include "AuditChain.hpp"
#include "AuditPolicy.hpp"
#include "EventScrubber.hpp"

#include "hipaa/Errors.hpp"
#include "hipaa/Json.hpp"
#include "hipaa/Pseudonymizer.hpp"

#include <cctype>
#include <cstdlib>
#include <string_view>

using namespace hipaa;
using namespace hipaa::audit;

namespace {

struct Fixture {
    AuditPolicy policy = AuditPolicy::fromFile(HIPAA_AUDIT_POLICY);
    Pseudonymizer pseudonymizer{Bytes(32, 0x5a)};
    EventScrubber scrubber{policy, pseudonymizer};
};

Fixture& fixture() {
    static Fixture f;
    return f;
}

void check(bool ok) {
    if (!ok) std::abort();
}

// No string of the tree holds a NUL character.
bool noNul(const json_t* j) {
    if (json_is_string(j))
        return std::string_view(json_string_value(j), json_string_length(j)).find('\0') == std::string_view::npos;
    const char* k;
    json_t* v;
    size_t i;
    if (json_is_object(j)) {
        json_object_foreach(const_cast<json_t*>(j), k, v) {
            if (!noNul(v)) return false;
        }
    }
    if (json_is_array(j)) {
        json_array_foreach(const_cast<json_t*>(j), i, v) {
            if (!noNul(v)) return false;
        }
    }
    return true;
}

bool plainAction(const std::string& a) {
    if (a.empty() || a.size() > 160) return false;
    for (char c : a)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) return false;
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    JsonPtr event;
    try {
        event = jsonParse(std::string_view(reinterpret_cast<const char*>(data), size));
    } catch (const Error&) {
        return 0;  // Janus only hands over JSON
    }
    Fixture& f = fixture();
    AuditRecord r = f.scrubber.scrub(event.get());

    JsonPtr back = jsonParse(r.event);
    check(json_is_object(back.get()));
    std::string again;
    jsonDumpCanonical(back.get(), again);
    check(again == r.event);
    check(noNul(back.get()));
    check(plainAction(r.action));
    check(r.outcome == "success" || r.outcome == "failure");
    check(!r.actor || r.actor->starts_with("ps1_"));
    check(!r.plugin || r.plugin->size() <= 128);
    (void)AuditChain::hashOf(r);

    // Again: every pseudonym now comes from the scrubber's cache, and must be what it computed.
    AuditRecord r2 = f.scrubber.scrub(event.get());
    check(r2.event == r.event && r2.action == r.action && r2.room == r.room && r2.actor == r.actor &&
          r2.outcome == r.outcome && r2.plugin == r.plugin && r2.eventTimeUs == r.eventTimeUs);
    return 0;
}

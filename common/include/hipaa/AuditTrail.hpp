// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The audit handler's typed in-process seam for records other plugins make themselves: who asked for
// what (actor tokens), and each plugin's config at start. janus.eventhandler.hipaa.audit provides it;
// the record goes onto this instance's chain like the handler's own query records.
//
// record() is the "record before anything is read" path: false (nothing recorded) when the handler is
// not loaded or cannot take records, and the caller then refuses the request. recordWhenLoaded() is
// for plugins that start before the handler (Janus loads them in no fixed order): kept in this
// process (at most kKeptMax) until the handler registers and takes them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hipaa/InProcessSlot.hpp"
#include "hipaa/Json.hpp"

namespace hipaa {

struct AccessRecord {
    std::string plugin;  // package that decided, e.g. "janus.plugin.hipaa.recorder"
    std::string action;  // "recording.export", "audit.query", "config.loaded", ...
    std::string actor;   // the actor's pseudonym ("ps1_..."), "admin_secret" (development), "" (the plugin)
    std::string role;    // the actor's role, "" for the plugin itself
    bool allowed = true;
    std::string reason;  // stable refusal slug when !allowed
    JsonPtr object;      // what was asked about, PHI-free (ids, filters, config key names); may be null

    AccessRecord() = default;
    AccessRecord(const AccessRecord& o)
        : plugin(o.plugin),
          action(o.action),
          actor(o.actor),
          role(o.role),
          allowed(o.allowed),
          reason(o.reason),
          object(o.object ? jsonRetain(o.object.get()) : JsonPtr()) {}
    AccessRecord(AccessRecord&&) = default;
    AccessRecord& operator=(AccessRecord&&) = default;
};

// One access to a recording, as the accounting of disclosures in a patient's copy lists it: PHI-free.
struct Disclosure {
    std::string recording;  // the recording id the record's object names
    std::string actor;      // pseudonym, "admin_secret" or ""
    std::string role, action, outcome;
    int64_t timeMs = 0;
};

class AuditTrail {
public:
    static constexpr size_t kDisclosuresMax = 1000;

    static constexpr size_t kKeptMax = 64;

    virtual ~AuditTrail() = default;
    // Queues the record for this instance's chain; false when it cannot be taken now.
    virtual bool take(const AccessRecord& record) = 0;
    // The records whose object names one of `recordings` ({"recording": id}), oldest first, at most
    // kDisclosuresMax; nullopt when the trail cannot be read back (no database). Every instance's chain.
    virtual std::optional<std::vector<Disclosure>> disclosures(const std::vector<std::string>& recordings) {
        (void)recordings;
        return std::nullopt;
    }

    static InProcessSlot<AuditTrail>& inProcess();
    // true once the audit handler took it; false when no handler is loaded or it refused.
    static bool record(const AccessRecord& record);
    // Recorded now if the handler is loaded, else kept until it is (the oldest dropped beyond kKeptMax:
    // counted, see keptDropped()).
    static void recordWhenLoaded(AccessRecord record);
    // The handler, right after registering: every kept record, in order (then empty).
    static std::vector<AccessRecord> takeKept();
    static uint64_t keptDropped();
    // disclosures() of the loaded handler; nullopt when none is loaded or it cannot answer.
    static std::optional<std::vector<Disclosure>> disclosuresOf(const std::vector<std::string>& recordings);
};

}  // namespace hipaa

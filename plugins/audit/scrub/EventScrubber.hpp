// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Applies the allow-list policy to one Janus event and derives the indexed columns. Builds a new
// JSON tree: the event Janus hands over is shared with other handlers and is never modified.
// Not thread-safe (PatternScrubber): the writer thread owns one.
#include "AuditPolicy.hpp"
#include "AuditRecord.hpp"
#include "PatternScrubber.hpp"

#include "hipaa/Json.hpp"
#include "hipaa/Pseudonymizer.hpp"

#include <cstdint>
#include <string>
#include <unordered_map>

namespace hipaa::audit {

class EventScrubber {
public:
    struct Counters {
        uint64_t keptFields = 0, droppedByPolicy = 0, droppedUnknown = 0, pseudonymized = 0, coarsened = 0,
                 patternHits = 0;
    };

    EventScrubber(const AuditPolicy& policy, const Pseudonymizer& pseudonymizer)
        : policy_(policy), pseudonymizer_(pseudonymizer) {}

    // Everything but the chain fields (instance, seq, hashes).
    AuditRecord scrub(const json_t* event);
    // The scrubbed event tree alone (tests, and `record()` of the handler's own events).
    JsonPtr scrubTree(const json_t* event);
    const Counters& counters() const { return counters_; }

    // "a.b.c.0/24" or "x:y:z::/48"; nullopt when `ip` is not an IP address.
    static std::optional<std::string> coarsenIp(std::string_view ip);

private:
    JsonPtr walk(const json_t* node, const std::vector<const AuditPolicy::Node*>& rules,
                 std::optional<FieldAction> inherited, std::string_view key);
    JsonPtr leaf(const json_t* node, FieldAction action, std::string_view key);

    const AuditPolicy& policy_;
    const Pseudonymizer& pseudonymizer_;
    std::string pseudonym(std::string_view domain, const std::string& value);

    PatternScrubber patterns_;
    Counters counters_;
    // The same opaque_id / display name recurs on every event of a handle: remember recent pseudonyms
    // (in memory only, bounded, emptied when full) instead of one HMAC per field.
    std::unordered_map<std::string, std::string> pseudonymCache_;
};

}  // namespace hipaa::audit

// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/AuditTrail.hpp"

#include <atomic>
#include <deque>
#include <mutex>

namespace hipaa {
namespace {

struct Kept {
    std::mutex mutex;
    std::deque<AccessRecord> records;
    std::atomic<uint64_t> dropped{0};
};

Kept& kept() {
    static Kept k;
    return k;
}

}  // namespace

InProcessSlot<AuditTrail>& AuditTrail::inProcess() {
    static InProcessSlot<AuditTrail> slot("janus.eventhandler.hipaa.audit");
    return slot;
}

bool AuditTrail::record(const AccessRecord& record) {
    auto lease = inProcess().acquire();
    return lease && lease->take(record);
}

void AuditTrail::recordWhenLoaded(AccessRecord record) {
    {
        auto lease = inProcess().acquire();
        if (lease && lease->take(record)) return;
    }
    Kept& k = kept();
    std::lock_guard lock(k.mutex);
    if (k.records.size() >= kKeptMax) {
        k.records.pop_front();
        k.dropped.fetch_add(1);
    }
    k.records.push_back(std::move(record));
}

std::vector<AccessRecord> AuditTrail::takeKept() {
    Kept& k = kept();
    std::lock_guard lock(k.mutex);
    std::vector<AccessRecord> out(std::make_move_iterator(k.records.begin()), std::make_move_iterator(k.records.end()));
    k.records.clear();
    return out;
}

std::optional<std::vector<Disclosure>> AuditTrail::disclosuresOf(const std::vector<std::string>& recordings) {
    auto lease = inProcess().acquire();
    if (!lease) return std::nullopt;
    try {
        return lease->disclosures(recordings);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

uint64_t AuditTrail::keptDropped() { return kept().dropped.load(); }

}  // namespace hipaa

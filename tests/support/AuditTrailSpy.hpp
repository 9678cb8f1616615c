// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Stands in for the audit handler's AuditTrail seam while it lives: keeps every access record it is
// given (ActorGate's decisions), or refuses them all while `full`.
#include "hipaa/AuditTrail.hpp"

#include <atomic>
#include <mutex>
#include <vector>

namespace hipaa::test {

class AuditTrailSpy final : public AuditTrail {
public:
    AuditTrailSpy() { AuditTrail::inProcess().provide(*this); }
    ~AuditTrailSpy() override { AuditTrail::inProcess().withdraw(*this); }
    AuditTrailSpy(const AuditTrailSpy&) = delete;
    AuditTrailSpy& operator=(const AuditTrailSpy&) = delete;

    bool take(const AccessRecord& record) override {
        std::lock_guard lock(mutex_);
        if (full) return false;
        records_.push_back(record);
        return true;
    }
    std::vector<AccessRecord> records() const {
        std::lock_guard lock(mutex_);
        return records_;
    }
    void clear() {
        std::lock_guard lock(mutex_);
        records_.clear();
    }
    std::atomic<bool> full{false};  // refuses every record while set

private:
    mutable std::mutex mutex_;
    std::vector<AccessRecord> records_;
};

}  // namespace hipaa::test

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A lease taken with RecordingLeases::acquire, given back when this goes out of scope, also when the
// work under it throws. A release the store does not answer is dropped: the row lapses after the ttl.
#include "RecordingLeases.hpp"

#include <string>

namespace hipaa::recorder {

class HeldLease {
public:
    HeldLease(RecordingLeases& leases, std::string recording, LeaseKind kind)
        : leases_(leases), recording_(std::move(recording)), kind_(kind) {}
    ~HeldLease() {
        try {
            leases_.release(recording_, kind_);
        } catch (const std::exception&) {
        }
    }
    HeldLease(const HeldLease&) = delete;
    HeldLease& operator=(const HeldLease&) = delete;

private:
    RecordingLeases& leases_;
    std::string recording_;
    LeaseKind kind_;
};

}  // namespace hipaa::recorder

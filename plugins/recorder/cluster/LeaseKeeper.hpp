// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The thread that keeps this instance's leases: takes the `open` lease of each recording started here,
// gives it back once the recording is sealed, renews every lease held (open, and a long delete's or
// sweep's) every third of the ttl, and at its first contact with the store drops the leases an earlier
// run of this instance id left. Starting and sealing a recording never wait for PostgreSQL: a room's
// visit is recorded even while the store is down (the lease is taken when it is back; other instances
// learn who writes a recording from its state file meanwhile).
#include "RecordingLeases.hpp"

#include "hipaa/Logger.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace hipaa::recorder {

class LeaseKeeper {
public:
    LeaseKeeper(RecordingLeases& leases, Logger log);
    ~LeaseKeeper();  // joins the thread; leases still held lapse after the ttl
    LeaseKeeper(const LeaseKeeper&) = delete;
    LeaseKeeper& operator=(const LeaseKeeper&) = delete;

    void opened(const std::string& recording);
    void closed(const std::string& recording);
    // The last contact with the store succeeded.
    bool reachable() const { return reachable_.load(); }
    // Open leases not taken yet (the store was unreachable, or a request of another instance held it).
    size_t pending() const;

private:
    void loop();
    void round();

    RecordingLeases& leases_;
    Logger log_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::set<std::string> toOpen_, toClose_;
    bool stopping_ = false, kick_ = false;
    bool cleaned_ = false, warned_ = false;  // the thread's own
    std::atomic<bool> reachable_{false};
    std::thread thread_;
};

}  // namespace hipaa::recorder

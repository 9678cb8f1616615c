// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The clinic's room directory in PostgreSQL (sql/201_room_directory.sql): which Janus instance hosts
// which room, and which instances are alive. One connection, reconnected on demand (at most one
// attempt per second after a failed one, so a stalled database costs one connect timeout, not one
// per request); safe to call from several threads (one mutex).
// Every failure throws DbError: callers fail closed (room error 468). Times are the database's
// clock, so instances need not agree on theirs. Nothing here is PHI: room ids, instance ids, URLs,
// class names.
#include "hipaa/PgConn.hpp"

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace hipaa::room {

class RoomDirectory {
public:
    struct Host {
        std::string instanceId, publicUrl;
        std::string className{};  // lookup() only
    };
    struct Entry {
        std::string room, instanceId, publicUrl, className;
        int64_t createdUs = 0;
        std::optional<int64_t> endedUs;
        std::string endReason;  // normal, destroyed, abnormal; "" while live
    };
    struct Instance {
        std::string instanceId, publicUrl;
        int64_t startedUs = 0, lastHeartbeatUs = 0;
        bool alive = false;  // heartbeat within dead_after
    };
    // A room the directory just marked ended `abnormal`, and the instance that hosted it.
    struct Ended {
        std::string room, instanceId;
    };
    struct Filter {
        std::string instanceId;  // "" = every instance
        bool liveOnly = false;
        int limit = 100;
    };
    enum class Claim { Claimed, AlreadyMine, Elsewhere };
    struct ClaimResult {
        Claim outcome = Claim::Claimed;
        Host host;  // Elsewhere: who hosts it
    };

    RoomDirectory(std::string conninfo, std::string instanceId, std::string publicUrl, int64_t deadAfterS);

    // At start: registers this instance (started and heartbeat now) and ends its rooms still live
    // from an earlier run (it crashed or was killed): those are returned.
    std::vector<Ended> start();
    // Registers `room` as hosted here, unless a live row already names it.
    ClaimResult claim(const std::string& room, const std::string& className);
    // Ends this instance's live row for `room` (reason normal, destroyed or abnormal); no-op when none.
    void end(const std::string& room, const std::string& reason);
    // A clean stop: ends every live row of this instance with `reason`.
    void endAll(const std::string& reason);
    // The live host of `room` (this instance included), if its heartbeat is within dead_after.
    std::optional<Host> lookup(const std::string& room);
    void heartbeat();
    // Of `rooms` (hosted here), those with no live row of this instance: another instance ended them
    // while this one could not heartbeat (a database outage longer than dead_after).
    std::vector<std::string> lost(const std::vector<std::string>& rooms);
    // Ends the live rooms of every other instance whose heartbeat is older than dead_after.
    std::vector<Ended> reapDead();
    // Newest first, at most filter.limit (+1 read to tell `truncated`).
    std::vector<Entry> list(const Filter& filter, bool& truncated);
    std::vector<Instance> instances();

    const std::string& instanceId() const { return instanceId_; }
    const std::string& publicUrl() const { return publicUrl_; }

private:
    PgConn& conn();  // under mutex_
    template <typename F>
    auto run(F&& fn);  // locks, connects if needed, drops a broken connection after a failure

    std::string conninfo_, instanceId_, publicUrl_;
    std::string deadAfter_;  // seconds, as a statement parameter
    std::mutex mutex_;
    std::optional<PgConn> conn_;
    std::optional<std::chrono::steady_clock::time_point> failedAt_;  // the last failed connect
};

}  // namespace hipaa::room

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// This instance's liveness in the room directory: a thread of its own, with a RoomDirectory (so a
// connection) of its own, that every `interval` records a heartbeat and ends the rooms of instances
// whose heartbeat is older than dead_after (they crashed, were killed or lost the database). Each
// room it ends, and each of this instance's own rooms that start() ended, is reported once through
// `onEnded` (on this thread). `work` runs on this thread too, with this connection, before each
// heartbeat and whenever poke()d: writes that must not stall the room's worker when the database
// does. A failing database is logged on the change, not every second.
#include "RoomDirectory.hpp"

#include "hipaa/Logger.hpp"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace hipaa::room {

class DirectoryHeartbeat {
public:
    // `detectedBy`: "restart" (this instance's own rooms of an earlier run) or "heartbeat_timeout".
    using OnEnded = std::function<void(const RoomDirectory::Ended&, const char* detectedBy)>;
    using Work = std::function<void(RoomDirectory&)>;  // must not throw

    // `restarted`: what RoomDirectory::start() ended; reported first, from the thread.
    DirectoryHeartbeat(std::unique_ptr<RoomDirectory> directory, std::chrono::milliseconds interval,
                       std::vector<RoomDirectory::Ended> restarted, OnEnded onEnded, Work work, Logger log);
    ~DirectoryHeartbeat();  // stops and joins the thread
    DirectoryHeartbeat(const DirectoryHeartbeat&) = delete;
    DirectoryHeartbeat& operator=(const DirectoryHeartbeat&) = delete;
    // Runs `work` soon (any thread; never blocks).
    void poke();

private:
    void run(const std::vector<RoomDirectory::Ended>& restarted);

    std::unique_ptr<RoomDirectory> directory_;
    std::chrono::milliseconds interval_;
    OnEnded onEnded_;
    Work work_;
    Logger log_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stopping_ = false, poked_ = false;
    std::thread thread_;
};

}  // namespace hipaa::room

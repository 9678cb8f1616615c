// SPDX-License-Identifier: GPL-3.0-or-later
#include "DirectoryHeartbeat.hpp"

namespace hipaa::room {

DirectoryHeartbeat::DirectoryHeartbeat(std::unique_ptr<RoomDirectory> directory, std::chrono::milliseconds interval,
                                       std::vector<RoomDirectory::Ended> restarted, OnEnded onEnded, Logger log)
    : directory_(std::move(directory)), interval_(interval), onEnded_(std::move(onEnded)), log_(std::move(log)) {
    thread_ = std::thread([this, r = std::move(restarted)] { run(r); });
}

DirectoryHeartbeat::~DirectoryHeartbeat() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void DirectoryHeartbeat::run(const std::vector<RoomDirectory::Ended>& restarted) {
    for (const auto& e : restarted) onEnded_(e, "restart");
    bool failing = false;
    for (;;) {
        try {
            directory_->heartbeat();
            for (const auto& e : directory_->reapDead()) onEnded_(e, "heartbeat_timeout");
            if (failing) log_.info("room directory reachable again: heartbeats resumed");
            failing = false;
        } catch (const std::exception& e) {
            // DbError text is PostgreSQL's about our own PHI-free statements (never the conninfo).
            if (!failing) log_.warn(std::string("room directory heartbeat failed: ") + e.what());
            failing = true;
        }
        std::unique_lock lock(mutex_);
        if (cv_.wait_for(lock, interval_, [this] { return stopping_; })) return;
    }
}

}  // namespace hipaa::room

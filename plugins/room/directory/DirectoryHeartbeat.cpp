// SPDX-License-Identifier: GPL-3.0-or-later
#include "DirectoryHeartbeat.hpp"

namespace hipaa::room {

DirectoryHeartbeat::DirectoryHeartbeat(std::unique_ptr<RoomDirectory> directory, std::chrono::milliseconds interval,
                                       std::vector<RoomDirectory::Ended> restarted, OnEnded onEnded, Work work,
                                       Logger log)
    : directory_(std::move(directory)),
      interval_(interval),
      onEnded_(std::move(onEnded)),
      work_(std::move(work)),
      log_(std::move(log)) {
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

void DirectoryHeartbeat::poke() {
    {
        std::lock_guard lock(mutex_);
        poked_ = true;
    }
    cv_.notify_all();
}

void DirectoryHeartbeat::run(const std::vector<RoomDirectory::Ended>& restarted) {
    for (const auto& e : restarted) onEnded_(e, "restart");
    bool failing = false;
    auto nextBeat = std::chrono::steady_clock::now();
    for (;;) {
        auto now = std::chrono::steady_clock::now();
        bool beat = now >= nextBeat;
        if (beat) nextBeat = now + interval_;
        if (work_) work_(*directory_);
        if (beat) {
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
        }
        std::unique_lock lock(mutex_);
        cv_.wait_until(lock, nextBeat, [this] { return stopping_ || poked_; });
        if (stopping_) return;
        poked_ = false;
    }
}

}  // namespace hipaa::room

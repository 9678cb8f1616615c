// SPDX-License-Identifier: GPL-3.0-or-later
#include "RecordingTap.hpp"

#include "hipaa/Clock.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "hipaa/Errors.hpp"

namespace hipaa::room {

RecordingTap::RecordingTap(const Sink& sink, TapSettings settings, Logger log)
    : sink_(sink), settings_(std::move(settings)), log_(std::move(log)), ring_(settings_.slots) {
    thread_ = std::thread([this] { run(); });
}

RecordingTap::~RecordingTap() {
    if (armed_.load()) {
        try {
            stop();
        } catch (const std::exception& e) {
            log_.error(std::string("recording tap: stop at destruction failed: ") + e.what());
        }
    }
    {
        std::lock_guard lock(mutex_);
        quit_ = true;
    }
    cv_.notify_all();
    thread_.join();
    stopAll(sink_.acquire());  // the thread is gone: whatever it still held is sealed here
}

// ---- media threads: O(1), no lock, no allocation ----

void RecordingTap::streamAdded(const TapStream& stream) noexcept {
    bool ok = ring_.tryPush([&](TapSlot& s) {
        s.kind = TapSlot::Kind::StreamAdded;
        s.feed = stream.feed;
        s.mindex = stream.mindex;
        s.video = stream.video;
        s.payloadType = stream.payloadType;
        size_t n = std::min(stream.codec.size(), TapSlot::kMaxCodec - 1);
        std::memcpy(s.codec, stream.codec.data(), n);
        s.codec[n] = '\0';
        s.length = 0;
    });
    if (!ok) dropped_.fetch_add(1, std::memory_order_relaxed);
}

void RecordingTap::streamRemoved(uint64_t feed, int mindex) noexcept {
    bool ok = ring_.tryPush([&](TapSlot& s) {
        s.kind = TapSlot::Kind::StreamRemoved;
        s.feed = feed;
        s.mindex = mindex;
        s.length = 0;
    });
    if (!ok) dropped_.fetch_add(1, std::memory_order_relaxed);
}

void RecordingTap::rtp(uint64_t feed, int mindex, const uint8_t* packet, size_t length) noexcept {
    if (!armed_.load(std::memory_order_relaxed)) return;
    if (length < 12 || length > TapSlot::kMaxPacket) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    bool ok = ring_.tryPush([&](TapSlot& s) {
        s.kind = TapSlot::Kind::Rtp;
        s.feed = feed;
        s.mindex = mindex;
        s.length = static_cast<uint16_t>(length);
        std::memcpy(s.data, packet, length);
    });
    (ok ? packets_ : dropped_).fetch_add(1, std::memory_order_relaxed);
}

// ---- control: the room's worker thread ----

void RecordingTap::start() {
    sink_.require();  // throws when the recorder is not loaded
    armed_.store(true);
}

std::vector<std::string> RecordingTap::stop() {
    armed_.store(false);
    std::unique_lock lock(mutex_);
    stopRequested_ = true;
    stopDone_ = false;
    cv_.notify_all();
    cv_.wait(lock, [this] { return stopDone_ || quit_; });
    return std::move(stopped_);
}

RecordingTap::Stats RecordingTap::stats() const {
    return {packets_.load(), dropped_.load(), sent_.load(), unknown_.load(), failed_.load(), failures_.load()};
}

std::vector<std::string> RecordingTap::recordings() const {
    std::lock_guard lock(mutex_);
    return recordings_;
}

// ---- the tap thread ----

void RecordingTap::run() {
    for (;;) {
        bool stopRequested, quit;
        {
            std::lock_guard lock(mutex_);
            stopRequested = stopRequested_;
            quit = quit_;
        }
        {
            // One lease per round: the recorder's withdraw waits for at most one round's packets.
            // The final drain takes everything (the producers are disarmed); others a ring's worth.
            Lease sink = sink_.acquire();
            size_t budget = stopRequested ? SIZE_MAX : ring_.capacity();
            while (budget-- > 0 && ring_.tryPop([&](TapSlot& s) { handle(s, sink); })) {
            }
            int64_t now = Clock::monotonicMs();
            if (!sealed_ && now - lastPollMs_ >= settings_.pollMs) {
                lastPollMs_ = now;
                poll(sink);
            }
            if (stopRequested) {
                stopAll(sink);
                sealed_ = true;
            }
        }
        if (stopRequested) {
            std::lock_guard lock(mutex_);
            stopRequested_ = false;
            stopDone_ = true;
            cv_.notify_all();
        }
        if (quit) return;
        std::unique_lock lock(mutex_);
        cv_.wait_for(lock, std::chrono::milliseconds(2), [this] { return stopRequested_ || quit_; });
    }
}

void RecordingTap::handle(TapSlot& s, const Lease& sink) {
    switch (s.kind) {
        case TapSlot::Kind::StreamAdded: {
            Feed& f = feeds_[s.feed];
            f.streams[s.mindex] = StreamInfo{s.video, std::string(s.codec)};
            f.failed = false;
            // A stream the running recording does not have: seal that segment; the next packet starts
            // a new recording with every stream of the feed.
            if (!f.recording.empty() && !f.indexes.contains(s.mindex)) stopFeed(f, sink);
            return;
        }
        case TapSlot::Kind::StreamRemoved: {
            auto it = feeds_.find(s.feed);
            if (it == feeds_.end()) return;
            it->second.streams.erase(s.mindex);
            if (it->second.streams.empty()) {
                stopFeed(it->second, sink);
                feeds_.erase(it);
            }
            return;
        }
        case TapSlot::Kind::Rtp: {
            if (sealed_) return;  // a late packet after stop
            auto it = feeds_.find(s.feed);
            if (it == feeds_.end() || !it->second.streams.contains(s.mindex)) {
                unknown_.fetch_add(1, std::memory_order_relaxed);
                return;
            }
            send(it->second, s.mindex, s.data, s.length, sink);
            return;
        }
    }
}

void RecordingTap::send(Feed& f, int mindex, const uint8_t* data, size_t length, const Lease& sink) {
    if (f.recording.empty()) {
        if (f.failed) {
            failed_.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        startFeed(f, sink);
        if (f.recording.empty()) return;
    }
    auto it = f.indexes.find(mindex);
    if (it == f.indexes.end()) {
        unknown_.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    if (!sink) {  // the recorder was unloaded while recording
        failed_.fetch_add(1, std::memory_order_relaxed);
        writeFailed(f);
        return;
    }
    switch (sink->write(f.recording, it->second, data, length)) {
        case RecordingSink::Write::Recorded:
            sent_.fetch_add(1, std::memory_order_relaxed);
            return;
        case RecordingSink::Write::Failed:
            failed_.fetch_add(1, std::memory_order_relaxed);
            writeFailed(f);
            return;
        case RecordingSink::Write::Refused:
            failed_.fetch_add(1, std::memory_order_relaxed);
            return;
    }
}

void RecordingTap::startFeed(Feed& f, const Lease& sink) {
    std::vector<RecordingStreamSpec> specs;
    std::map<int, size_t> indexes;
    for (const auto& [mindex, info] : f.streams) {
        if (specs.size() == kMaxStreams) break;  // the recorder's limit per recording: reported below
        indexes[mindex] = specs.size();
        specs.push_back({info.video, info.codec, std::to_string(mindex)});
    }
    try {
        if (!sink) throw Error(errc::kPluginUnavailable, sink_.name() + " is not loaded in this process");
        std::string id = sink->start(specs, settings_.policy, settings_.context);
        f.indexes = std::move(indexes);
        f.recording = id;
        f.writeFailed = false;
        {
            std::lock_guard lock(mutex_);
            recordings_.push_back(id);
        }
        if (f.streams.size() > kMaxStreams) {
            log_.error("recording tap: a feed has " + std::to_string(f.streams.size()) + " streams; only " +
                       std::to_string(kMaxStreams) + " are recorded");
            report("too_many_streams", id);
        }
    } catch (const std::exception& e) {
        f.failed = true;
        failed_.fetch_add(1, std::memory_order_relaxed);
        log_.error(std::string("recording tap: recorder start failed: ") + e.what());
        report("start_failed", {});
    }
}

void RecordingTap::poll(const Lease& sink) {
    for (auto& [feed, f] : feeds_) {
        if (f.recording.empty() || f.writeFailed) continue;
        try {
            if (!sink || !sink->failure(f.recording).empty()) writeFailed(f);
        } catch (const std::exception&) {
            // asked again at the next poll; start/stop report their own failures
        }
    }
}

void RecordingTap::writeFailed(Feed& f) {
    if (f.writeFailed) return;
    f.writeFailed = true;
    report("write_failed", f.recording);
}

void RecordingTap::report(const char* reason, const std::string& recording) {
    failures_.fetch_add(1, std::memory_order_relaxed);
    if (!settings_.onFailure) return;
    try {
        settings_.onFailure(reason, recording);
    } catch (const std::exception& e) {
        log_.error(std::string("recording tap: failure report lost: ") + e.what());
    }
}

void RecordingTap::stopFeed(Feed& f, const Lease& sink) {
    if (f.recording.empty()) return;
    try {
        if (!sink) throw Error(errc::kPluginUnavailable, sink_.name() + " is not loaded in this process");
        RecordingStopped outcome = sink->stop(f.recording);
        if (!outcome.sealed) writeFailed(f);
    } catch (const std::exception& e) {
        // e.g. the manifest could not be written: the recording is left interrupted, not sealed
        log_.error(std::string("recording tap: recorder stop failed: ") + e.what());
        report("stop_failed", f.recording);
    }
    {
        std::lock_guard lock(mutex_);
        stopped_.push_back(f.recording);
    }
    f.recording.clear();
    f.indexes.clear();
}

void RecordingTap::stopAll(const Lease& sink) {
    for (auto& [feed, f] : feeds_) stopFeed(f, sink);
}

}  // namespace hipaa::room

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A MediaTap that records a room: the relay's media threads copy each RTP packet into a preallocated
// ring (TapRing: O(1), no lock, no allocation; a full ring drops and counts). The tap's own thread
// takes them out, starts one recorder recording per publisher feed and hands each packet, still
// plaintext, to the recorder's RecordingSink in this process, which seals and writes it on this
// thread. No SRTP, no socket, no key on this path; the files, manifests and retention are the ones an
// Admin API `start` gives.
//
// Control (start/stop) comes from the room's worker thread; stop() waits for the tap thread to hand
// over what is queued and to stop (seal) every recorder recording it started. The recorder is reached
// only through a lease of its slot: if it is unloaded meanwhile, the tap's calls fail, never crash.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "MediaTap.hpp"
#include "TapRing.hpp"
#include "hipaa/Logger.hpp"
#include "hipaa/RecordingSink.hpp"

namespace hipaa::room {

struct TapSettings {
    size_t slots = 4096;       // ring size (packets); 4096 x 1.5 KB = 6 MB per recording room
    std::string policy;        // recorder retention policy ("" = the recorder's default)
    RecordingContext context;  // the visit and who takes part: kept with each recording
    int64_t pollMs = 500;      // how often the tap asks the recorder whether a write on its thread failed
    // A part of the recording failed after everyone was told it started. reason: `start_failed` (the
    // recorder refused a feed), `too_many_streams` (streams past the recorder's 8 per recording are not
    // recorded), `write_failed` (the recorder could not write a stream's file, or was unloaded while
    // recording), `stop_failed` (a
    // segment could not be sealed); recording: the recorder's id, if any. Called on the tap's thread,
    // once per reason and feed segment; must not block.
    std::function<void(const std::string& reason, const std::string& recording)> onFailure;
};

class RecordingTap final : public MediaTap {
public:
    using Sink = InProcessSlot<RecordingSink>;
    struct Stats {
        uint64_t packets = 0;   // packets the tap accepted into its ring
        uint64_t dropped = 0;   // ring full: not recorded
        uint64_t sent = 0;      // handed to the recorder and recorded
        uint64_t unknown = 0;   // packets of a stream never announced with streamAdded
        uint64_t failed = 0;    // the recorder refused the feed, was gone, or could not write the packet
        uint64_t failures = 0;  // failures reported through TapSettings::onFailure
    };

    // `sink`: where the recorder registers (RecordingSink::inProcess(); tests: their own slot).
    RecordingTap(const Sink& sink, TapSettings settings, Logger log);
    ~RecordingTap() override;  // stops (seals) what it recorded
    RecordingTap(const RecordingTap&) = delete;
    RecordingTap& operator=(const RecordingTap&) = delete;

    // Starts recording from the next packet on. Throws Error 350 when no recorder is loaded.
    void start();
    // Stops recording: hands over what is queued, stops every recorder recording; their ids (32 hex).
    std::vector<std::string> stop();
    bool recording() const { return armed_.load(std::memory_order_relaxed); }
    Stats stats() const;
    // Recorder recording ids started so far (while recording and after).
    std::vector<std::string> recordings() const;

    void streamAdded(const TapStream& stream) noexcept override;
    void streamRemoved(uint64_t feed, int mindex) noexcept override;
    void rtp(uint64_t feed, int mindex, const uint8_t* packet, size_t length) noexcept override;

private:
    static constexpr size_t kMaxStreams = 8;  // the recorder's limit per recording
    struct StreamInfo {
        bool video = false;
        std::string codec;
    };
    struct Feed {
        std::map<int, StreamInfo> streams;  // by mindex
        std::string recording;              // recorder id; empty = not started
        bool failed = false;                // the recorder refused: no retry until the streams change
        bool writeFailed = false;           // reported for `recording`
        std::map<int, size_t> indexes;      // mindex -> stream index in `recording`
    };
    using Lease = Sink::Lease;

    void run();
    void handle(TapSlot& slot, const Lease& sink);
    void send(Feed& feed, int mindex, const uint8_t* data, size_t length, const Lease& sink);
    void startFeed(Feed& feed, const Lease& sink);
    void stopFeed(Feed& feed, const Lease& sink);
    void stopAll(const Lease& sink);
    // Asks the recorder whether a running recording's writes failed on its thread (every pollMs).
    void poll(const Lease& sink);
    void writeFailed(Feed& feed);
    void report(const char* reason, const std::string& recording);

    const Sink& sink_;
    TapSettings settings_;
    Logger log_;
    TapRing ring_;
    std::atomic<bool> armed_{false};
    std::atomic<uint64_t> packets_{0}, dropped_{0}, sent_{0}, unknown_{0}, failed_{0}, failures_{0};

    // Tap thread only.
    std::map<uint64_t, Feed> feeds_;
    // Set once stop()'s final drain has sealed everything. Every packet in the ring was accepted while
    // armed and is handed over until then; one that slipped past rtp()'s armed check after the drain is
    // dropped (it must not start a new recording).
    bool sealed_ = false;
    int64_t lastPollMs_ = 0;

    mutable std::mutex mutex_;  // guards the control handshake and recordings_
    std::condition_variable cv_;
    bool stopRequested_ = false, stopDone_ = false, quit_ = false;
    std::vector<std::string> recordings_, stopped_;
    std::thread thread_;
};

}  // namespace hipaa::room

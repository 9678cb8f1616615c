#pragma once
// A MediaTap that records a room: the relay's media threads copy each RTP packet into a preallocated
// ring (TapRing: O(1), no lock, no allocation; a full ring drops and counts). The tap's own thread
// takes them out, starts one recorder recording per publisher feed (through the recorder's Admin API
// contract `start`, in-process), SRTP-protects each packet with that recording's key and sends it to
// the recorder's UDP ingest port, exactly like VideoRoom's rtp_forward. So the on-disk result and the
// tested ingest path are the recorder's own.
//
// Control (start/stop) comes from the room's worker thread; stop() waits for the tap thread to send
// what is queued and to stop (seal) every recorder recording it started.
#include "MediaTap.hpp"
#include "SrtpProtector.hpp"
#include "TapRing.hpp"

#include "hipaa/Json.hpp"
#include "hipaa/Logger.hpp"

#include <netinet/in.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hipaa::room {

struct TapSettings {
    size_t slots = 4096;       // ring size (packets); 4096 x 1.5 KB = 6 MB per recording room
    std::string policy;        // recorder retention policy ("" = the recorder's default)
    int srtpSuite = 80;
    int64_t pollMs = 500;      // how often the tap asks the recorder (`status`) whether writes failed
    // A part of the recording failed after everyone was told it started. reason: `start_failed` (the
    // recorder refused a feed), `too_many_streams` (streams past the recorder's 8 per recording are not
    // recorded), `write_failed` (the recorder could not write a stream's file), `stop_failed` (a
    // segment could not be sealed); recording: the recorder's id, if any. Called on the tap's thread,
    // once per reason and feed segment; must not block.
    std::function<void(const std::string& reason, const std::string& recording)> onFailure;
};

class RecordingTap final : public MediaTap {
public:
    // The recorder's Admin API contract (message_plugin request -> answer); throws on refusal.
    using RecorderCall = std::function<JsonPtr(const json_t* request)>;
    struct Stats {
        uint64_t packets = 0;      // packets the tap accepted into its ring
        uint64_t dropped = 0;      // ring full: not recorded
        uint64_t sent = 0;         // protected and sent to the recorder
        uint64_t unknown = 0;      // packets of a stream never announced with streamAdded
        uint64_t failed = 0;       // recorder start or SRTP protect failed
        uint64_t failures = 0;     // failures reported through TapSettings::onFailure
    };

    RecordingTap(RecorderCall recorder, TapSettings settings, Logger log);
    ~RecordingTap() override;  // stops (seals) what it recorded
    RecordingTap(const RecordingTap&) = delete;
    RecordingTap& operator=(const RecordingTap&) = delete;

    // Starts recording from the next packet on. Checks that the recorder answers (throws its Error).
    void start();
    // Stops recording: sends what is queued, stops every recorder recording; their ids (32 hex).
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
    struct Sender {
        sockaddr_in address{};
        std::unique_ptr<SrtpProtector> srtp;
    };
    struct Feed {
        std::map<int, StreamInfo> streams;  // by mindex
        std::string recording;              // recorder id; empty = not started
        bool failed = false;                // the recorder refused: no retry until the streams change
        bool writeFailed = false;           // reported for `recording`
        std::map<int, Sender> senders;      // by mindex, for the streams of `recording`
    };

    void run();
    void handle(TapSlot& slot);
    void send(Feed& feed, int mindex, const uint8_t* data, size_t length);
    void startFeed(Feed& feed);
    void stopFeed(Feed& feed);
    void stopAll();
    // Asks the recorder whether a running recording's writes failed (tap thread, every pollMs).
    void poll();
    void report(const char* reason, const std::string& recording);

    RecorderCall recorder_;
    TapSettings settings_;
    Logger log_;
    TapRing ring_;
    std::atomic<bool> armed_{false};
    std::atomic<uint64_t> packets_{0}, dropped_{0}, sent_{0}, unknown_{0}, failed_{0}, failures_{0};

    // Tap thread only.
    std::map<uint64_t, Feed> feeds_;
    int socket_ = -1;
    // Set once stop()'s final drain has sealed everything. Every packet in the ring was accepted while
    // armed and is sent until then; one that slipped past rtp()'s armed check after the drain is dropped
    // (it must not start a new recording).
    bool sealed_ = false;
    std::vector<uint8_t> buffer_;
    int64_t lastPollMs_ = 0;

    mutable std::mutex mutex_;  // guards the control handshake and recordings_
    std::condition_variable cv_;
    bool stopRequested_ = false, stopDone_ = false, quit_ = false;
    std::vector<std::string> recordings_, stopped_;
    std::thread thread_;
};

}  // namespace hipaa::room

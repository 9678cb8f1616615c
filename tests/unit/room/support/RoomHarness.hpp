// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Drives a RoomService directly (no Janus, no threads) with a controllable clock, and collects what
// it decided to push, notify and end per session.
#include "RoomService.hpp"
#include "TokenFactory.hpp"

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace hipaa::room::test {

// SdpEngine with a line format tests can write (see RoomHarness.cpp).
class FakeSdp final : public SdpEngine {
public:
    std::string answerPublisher(const std::string& offer, const SdpPolicy& policy,
                                std::vector<SdpMedia>& media) override;
    std::string offerSubscriber(const std::string& name, const std::vector<SdpMedia>& media, uint64_t version) override;
    bool parses(const std::string& sdp, std::string& error) override;
    int answers = 0;
    SdpPolicy lastPolicy;
};

// A MediaHost that records what would have gone to Janus.
class MediaLog final : public MediaHost {
public:
    bool pushEvent(SessionId, const std::string&, const json_t*, const json_t*) override { return true; }
    void notifyEvent(SessionId, const json_t*) override {}
    bool eventsEnabled() const override { return true; }
    void closePeerConnection(SessionId) override {}
    void endSession(SessionId) override {}
    struct Sent {
        SessionId to;
        int mindex;
        bool video;
        RtpRewriter::Header h;
    };
    void relayRtp(SessionId s, const MediaPacket& p) override;
    void relayData(SessionId s, const char* label, bool binary, const uint8_t* d, size_t n) override;
    void sendPli(SessionId s, int mindex) override;
    void sendRemb(SessionId s, uint32_t bps) override;
    std::mutex m;
    std::vector<Sent> rtp;
    std::vector<std::pair<SessionId, std::string>> data;
    std::vector<std::pair<SessionId, int>> plis;
    std::vector<std::pair<SessionId, uint32_t>> rembs;
};

// What the room's recording tap gets from the relay (RoomPlugin's RecordingTap records it): the
// harness' recording seam installs one per room on the relay while that room records.
class TapLog final : public MediaTap {
public:
    void streamAdded(const TapStream& s) noexcept override;
    void streamRemoved(uint64_t feed, int mindex) noexcept override;
    void rtp(uint64_t feed, int mindex, const uint8_t* packet, size_t length) noexcept override;
    size_t packets() const;
    size_t streams() const;  // announced and not removed
private:
    mutable std::mutex m_;
    std::set<std::pair<uint64_t, int>> streams_;
    size_t packets_ = 0;
};

class RoomHarness {
public:
    static constexpr int64_t kStartUs = 1'900'000'000LL * 1000000;
    explicit RoomHarness(RoomSettings settings = {}, int lockoutFailures = 5);

    TokenFactory& tokens() { return tokens_; }
    // The Janus session (one per browser tab) a handle belongs to; handles not attached here belong
    // to Janus session 1 (one browser) when they first send.
    void attach(SessionId s, uint64_t janusSession);
    RoomService& service() { return *service_; }
    std::string createRoom(const std::string& cls = "default");
    // Sends a request; effects are recorded and returned.
    const Effects& send(SessionId s, const std::string& json);
    // A request with a JSEP (type "offer"/"answer", FakeSdp text).
    const Effects& sendJsep(SessionId s, const std::string& json, const std::string& type, const std::string& sdp,
                            bool e2ee = false);
    const json_t* lastJsep(SessionId s) const;
    bool hungUp(SessionId s) const;
    const Effects& join(SessionId s, const std::string& room, const std::string& role, const std::string& sub,
                        const std::string& name = "");
    // `name`: in the token for staff roles; a patient's goes in the request's `display` (patient
    // tokens carry no name).
    const Effects& joinWith(SessionId s, const std::string& room, const std::string& token, const std::string& dob = "",
                            const std::string& display = "");
    const Effects& admin(const std::string& json, JsonPtr* response = nullptr);
    const Effects& tick();
    // What a RecordingTap reports when part of the room's recording fails.
    const Effects& recordingFailed(const std::string& room, const std::string& reason, const std::string& recording);
    void advance(int64_t seconds) { nowUs_ += seconds * 1000000; }
    int64_t nowS() const { return nowUs_ / 1000000; }
    int64_t nowUs() const { return nowUs_; }

    // What each session got since the last clear.
    std::vector<const json_t*> pushes(SessionId s) const;
    std::vector<const json_t*> notifies() const;
    bool ended(SessionId s) const;
    const json_t* lastPush(SessionId s) const;
    void clear() { all_.clear(); }
    // Participant id from the join answer of a session (joined or waiting).
    std::string idOf(SessionId s) const;

    // The recording effects, carried out at once: starts (room, policy) and stops (room) requested;
    // recorderFails makes starts fail. Each stop reports the recorder id "rec-1".
    std::vector<std::pair<std::string, std::string>> recordingStarts;
    std::vector<RecordingContext> recordingContexts;  // each start's: the visit and who took part
    std::vector<std::string> recordingStops;
    std::vector<std::pair<std::string, RecordingContext>> chatKeeps;  // KeepChat effects: room, context
    std::vector<std::string> chatStops;                               // StopChat effects: room
    bool holdChatSeals = false;           // StopChat answered by sealChats() only, not at once
    std::vector<uint64_t> heldChatSeals;  // their tickets
    bool recorderFails = false;
    std::map<std::string, std::shared_ptr<TapLog>> taps;  // room -> its tap while it records

    std::vector<NoteSubmitted> notes;
    std::vector<VisitEnded> visits;
    VisitBus::PublishResult noteResult{1, 0};
    std::shared_ptr<TokenVerifier> verifier;
    MediaLog host;
    FakeSdp sdp;
    MediaRelay relay;
    std::string pseudonymOf(const std::string& sub) const;

private:
    const Effects& record(Effects e);
    TokenFactory tokens_;
    std::unique_ptr<RoomService> service_;
    Effects last_;
    std::vector<Effect> all_;
    std::map<SessionId, std::string> ids_;
    void ensureAttached(SessionId s);
    std::map<SessionId, uint64_t> janusSessions_;
    int64_t nowUs_ = kStartUs;
    Bytes pseudonymKey_;
};

}  // namespace hipaa::room::test

// SPDX-License-Identifier: GPL-3.0-or-later
#include "RoomHarness.hpp"

#include "hipaa/Errors.hpp"
#include "hipaa/Json.hpp"

#include <algorithm>
#include <sstream>

namespace hipaa::room::test {

// "m=<audio|video|application> [codec pt] [sendonly|recvonly|inactive]" per line; anything else
// without a line starting "m=" does not parse.
std::string FakeSdp::answerPublisher(const std::string& offer, const SdpPolicy& policy, std::vector<SdpMedia>& media) {
    ++answers;
    lastPolicy = policy;
    if (offer.rfind("m=", 0) != 0) throw RequestError(460, "the offer does not parse: fake");
    media.clear();
    std::istringstream in(offer);
    std::string line, out = "answer";
    while (std::getline(in, line)) {
        // " mid=<rest of the line>": the m-line's a=mid as the client chose it (default: its index).
        std::string mid;
        if (auto at = line.find(" mid="); at != std::string::npos) {
            mid = line.substr(at + 5);
            line.resize(at);
        }
        std::istringstream l(line.substr(2));
        std::string type, codec, dir;
        int pt = -1;
        l >> type;
        SdpMedia m;
        m.mindex = static_cast<int>(media.size());
        m.mid = mid.empty() ? std::to_string(m.mindex) : mid;
        if (type == "application") {
            m.type = SdpMedia::Type::Data;
            l >> dir;
            m.active = policy.data && dir != "inactive";
        } else {
            m.type = type == "audio" ? SdpMedia::Type::Audio : SdpMedia::Type::Video;
            l >> codec >> pt >> dir;
            const auto& allowed = m.type == SdpMedia::Type::Audio ? policy.audioCodecs : policy.videoCodecs;
            if (std::find(allowed.begin(), allowed.end(), codec) != allowed.end()) {
                m.codec = codec;
                m.payloadType = pt;
                m.active = dir != "inactive" && dir != "recvonly";
            }
        }
        out += " " + m.mid + (m.active ? ":recv" : ":off");
        media.push_back(m);
    }
    return out;
}

std::string FakeSdp::offerSubscriber(const std::string&, const std::vector<SdpMedia>& media, uint64_t version) {
    std::string out = "offer v" + std::to_string(version);
    for (const auto& m : media)
        out += " " + m.mid + ":" + sdpTypeName(m.type) + ":" + (m.codec.empty() ? "-" : m.codec) + ":" +
               std::to_string(m.payloadType) + (m.active ? ":send" : ":off");
    return out;
}

bool FakeSdp::parses(const std::string& sdp, std::string& error) {
    if (sdp.rfind("answer", 0) == 0) return true;
    error = "fake: not an answer";
    return false;
}

void MediaLog::relayRtp(SessionId s, const MediaPacket& p) {
    RtpRewriter::Header h{};
    RtpRewriter::read(p.data, p.length, h);
    std::lock_guard l(m);
    rtp.push_back({s, p.mindex, p.video, h});
}
void MediaLog::relayData(SessionId s, const char*, bool, const uint8_t* d, size_t n) {
    std::lock_guard l(m);
    data.emplace_back(s, std::string(reinterpret_cast<const char*>(d), n));
}
void MediaLog::sendPli(SessionId s, int mindex) {
    std::lock_guard l(m);
    plis.emplace_back(s, mindex);
}
void MediaLog::sendRemb(SessionId s, uint32_t bps) {
    std::lock_guard l(m);
    rembs.emplace_back(s, bps);
}

void TapLog::streamAdded(const TapStream& s) noexcept {
    std::lock_guard l(m_);
    streams_.emplace(s.feed, s.mindex);
}
void TapLog::streamRemoved(uint64_t feed, int mindex) noexcept {
    std::lock_guard l(m_);
    streams_.erase({feed, mindex});
}
void TapLog::rtp(uint64_t, int, const uint8_t*, size_t) noexcept {
    std::lock_guard l(m_);
    ++packets_;
}
size_t TapLog::packets() const {
    std::lock_guard l(m_);
    return packets_;
}
size_t TapLog::streams() const {
    std::lock_guard l(m_);
    return streams_.size();
}

RoomHarness::RoomHarness(RoomSettings settings, int lockoutFailures) : relay(host), pseudonymKey_(32, 0x42) {
    TokenPolicy p;
    p.issuers = {TokenFactory::kIssuer};
    p.audience = TokenFactory::kAudience;
    verifier = std::make_shared<TokenVerifier>(p, tokens_.keys());
    settings.lockoutFailures = lockoutFailures;
    VisitPublisher pub{[this](NoteSubmitted n) {
                           if (noteResult.ok() && noteResult.delivered) notes.push_back(std::move(n));
                           return noteResult;
                       },
                       [this](VisitEnded v) {
                           visits.push_back(std::move(v));
                           return VisitBus::PublishResult{1, 0};
                       }};
    settings.recorder = true;
    service_ = std::make_unique<RoomService>(std::move(settings), verifier, Pseudonymizer(pseudonymKey_), pub,
                                             MediaControl{&relay, &sdp});
}

std::string RoomHarness::pseudonymOf(const std::string& sub) const {
    return Pseudonymizer(pseudonymKey_).participant(TokenFactory::kIssuer, sub);
}

const Effects& RoomHarness::record(Effects e) {
    last_ = std::move(e);
    // The recording effects are carried out here at once (RoomPlugin: on its recorder thread), and
    // their outcomes fed back; what the service then decides is appended.
    for (size_t i = 0; i < last_.size(); ++i) {
        const Effect& ef = last_[i];
        Effect copy{ef.kind, ef.session, ef.transaction, ef.body ? jsonRetain(ef.body.get()) : nullptr,
                    ef.jsep ? jsonRetain(ef.jsep.get()) : nullptr};
        copy.room = ef.room;
        copy.policy = ef.policy;
        copy.ticket = ef.ticket;
        all_.push_back(std::move(copy));
        if (ef.kind == Effect::Kind::Push) {
            auto kind = jsonString(ef.body.get(), "hipaa.room");
            auto id = jsonString(ef.body.get(), "id");
            if (kind && id && (*kind == "joined" || *kind == "waiting")) ids_[ef.session] = std::string(*id);
        }
        Effects more;
        if (ef.kind == Effect::Kind::StartRecording) {
            bool ok = !recorderFails;
            if (ok) {
                recordingStarts.emplace_back(ef.room, ef.policy);
                recordingContexts.push_back(ef.context);
                auto t = std::make_shared<TapLog>();
                taps[ef.room] = t;
                relay.setTap(ef.room, t);
            }
            more = service_->recordingStarted(ef.ticket, ok);
        } else if (ef.kind == Effect::Kind::KeepChat) {
            chatKeeps.emplace_back(ef.room, ef.context);
        } else if (ef.kind == Effect::Kind::StopChat) {
            chatStops.push_back(ef.room);
            // The recorder seals it at once (RoomPlugin: on its recorder thread), unless a test holds it.
            if (holdChatSeals)
                heldChatSeals.push_back(ef.ticket);
            else
                more = service_->chatSealed(ef.ticket, "kept-" + std::to_string(chatStops.size()));
        } else if (ef.kind == Effect::Kind::StopRecording) {
            recordingStops.push_back(ef.room);
            relay.setTap(ef.room, nullptr);
            taps.erase(ef.room);
            more = service_->recordingStopped(ef.ticket, {"rec-1"}, true);
        }
        for (auto& m : more) last_.push_back(std::move(m));
    }
    return last_;
}

std::string RoomHarness::createRoom(const std::string& cls) {
    JsonPtr res;
    admin(R"({"request":"create","class":")" + cls + R"(","description":"Jane Doe follow-up"})", &res);
    return std::string(jsonString(res.get(), "room").value_or(""));
}

void RoomHarness::attach(SessionId s, uint64_t janusSession) {
    janusSessions_[s] = janusSession;
    service_->sessionCreated(s, janusSession);
}

void RoomHarness::ensureAttached(SessionId s) {
    if (!janusSessions_.contains(s)) attach(s, 1);
}

const Effects& RoomHarness::send(SessionId s, const std::string& json) {
    ensureAttached(s);
    JsonPtr m = jsonParse(json);
    return record(service_->handle(s, "tx", m.get(), nowUs_));
}

const Effects& RoomHarness::sendJsep(SessionId s, const std::string& json, const std::string& type,
                                     const std::string& sdpText, bool e2ee) {
    ensureAttached(s);
    JsonPtr m = jsonParse(json);
    JsonPtr j = jsonObject();
    jsonSet(j.get(), "type", type);
    jsonSet(j.get(), "sdp", sdpText);
    if (e2ee) jsonSet(j.get(), "e2ee", true);
    return record(service_->handle(s, "tx", m.get(), nowUs_, j.get()));
}

const json_t* RoomHarness::lastJsep(SessionId s) const {
    for (auto it = all_.rbegin(); it != all_.rend(); ++it)
        if (it->kind == Effect::Kind::Push && it->session == s && it->jsep) return it->jsep.get();
    return nullptr;
}

bool RoomHarness::hungUp(SessionId s) const {
    for (const auto& e : all_)
        if (e.kind == Effect::Kind::Hangup && e.session == s) return true;
    return false;
}

const Effects& RoomHarness::joinWith(SessionId s, const std::string& room, const std::string& token,
                                     const std::string& dob, const std::string& display) {
    ensureAttached(s);
    JsonPtr m = jsonObject();
    jsonSet(m.get(), "request", "join");
    jsonSet(m.get(), "room", room);
    jsonSet(m.get(), "token", token);
    if (!dob.empty()) jsonSet(m.get(), "dob", dob);
    if (!display.empty()) jsonSet(m.get(), "display", display);
    return record(service_->handle(s, "tx", m.get(), nowUs_));
}

const Effects& RoomHarness::join(SessionId s, const std::string& room, const std::string& role, const std::string& sub,
                                 const std::string& name) {
    JsonPtr c = tokens_.claims(room, role, nowS(), sub);
    if (!name.empty() && role != "patient") jsonSet(c.get(), "name", name);
    if (role == "patient") jsonSet(c.get(), "fhir", jsonAdopt(json_pack("{ss}", "patient", "Patient/p-1")));
    if (role == "provider")
        jsonSet(c.get(), "fhir",
                jsonAdopt(json_pack("{ssss}", "practitioner", "Practitioner/dr-1", "encounter", "Encounter/e-1")));
    return joinWith(s, room, tokens_.sign(c.get()), "", role == "patient" ? name : "");
}

const Effects& RoomHarness::admin(const std::string& json, JsonPtr* response) {
    JsonPtr m = jsonParse(json);
    Effects out;
    JsonPtr r = service_->admin(m.get(), nowUs_, out);
    if (response) *response = std::move(r);
    return record(std::move(out));
}

const Effects& RoomHarness::tick() { return record(service_->tick(nowUs_)); }

const Effects& RoomHarness::recordingFailed(const std::string& room, const std::string& reason,
                                            const std::string& recording) {
    return record(service_->recordingFailed(room, reason, recording, nowUs_));
}

std::vector<const json_t*> RoomHarness::pushes(SessionId s) const {
    std::vector<const json_t*> v;
    for (const auto& e : all_)
        if (e.kind == Effect::Kind::Push && e.session == s) v.push_back(e.body.get());
    return v;
}

std::vector<const json_t*> RoomHarness::notifies() const {
    std::vector<const json_t*> v;
    for (const auto& e : all_)
        if (e.kind == Effect::Kind::Notify) v.push_back(e.body.get());
    return v;
}

bool RoomHarness::ended(SessionId s) const {
    for (const auto& e : all_)
        if (e.kind == Effect::Kind::End && e.session == s) return true;
    return false;
}

const json_t* RoomHarness::lastPush(SessionId s) const {
    auto v = pushes(s);
    return v.empty() ? nullptr : v.back();
}

std::string RoomHarness::idOf(SessionId s) const {
    auto it = ids_.find(s);
    return it == ids_.end() ? "" : it->second;
}

}  // namespace hipaa::room::test

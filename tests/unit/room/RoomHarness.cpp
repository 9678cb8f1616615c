#include "RoomHarness.hpp"

#include "hipaa/Errors.hpp"
#include "hipaa/Json.hpp"

namespace hipaa::room::test {

RoomHarness::RoomHarness(RoomSettings settings, int lockoutFailures) : pseudonymKey_(32, 0x42) {
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
    RecordingControl rec{[this](const std::string& room, const std::string& policy) {
                             if (recorderFails) throw Error(350, "recorder not loaded at /secret/path");
                             recordingStarts.emplace_back(room, policy);
                         },
                         [this](const std::string& room) {
                             recordingStops.push_back(room);
                             return std::vector<std::string>{"rec-1"};
                         }};
    service_ = std::make_unique<RoomService>(std::move(settings), verifier, Pseudonymizer(pseudonymKey_), pub, rec);
}

std::string RoomHarness::pseudonymOf(const std::string& sub) const {
    return Pseudonymizer(pseudonymKey_).participant(TokenFactory::kIssuer, sub);
}

const Effects& RoomHarness::record(Effects e) {
    last_ = std::move(e);
    for (auto& ef : last_) {
        all_.push_back({ef.kind, ef.session, ef.transaction, ef.body ? jsonRetain(ef.body.get()) : nullptr});
        if (ef.kind == Effect::Kind::Push) {
            auto kind = jsonString(ef.body.get(), "hipaa.room");
            auto id = jsonString(ef.body.get(), "id");
            if (kind && id && (*kind == "joined" || *kind == "waiting")) ids_[ef.session] = std::string(*id);
        }
    }
    return last_;
}

std::string RoomHarness::createRoom(const std::string& cls) {
    JsonPtr res;
    admin(R"({"request":"create","class":")" + cls + R"(","description":"Jane Doe follow-up"})", &res);
    return std::string(jsonString(res.get(), "room").value_or(""));
}

const Effects& RoomHarness::send(SessionId s, const std::string& json) {
    JsonPtr m = jsonParse(json);
    return record(service_->handle(s, "tx", m.get(), nowUs_));
}

const Effects& RoomHarness::joinWith(SessionId s, const std::string& room, const std::string& token,
                                     const std::string& dob) {
    JsonPtr m = jsonObject();
    jsonSet(m.get(), "request", "join");
    jsonSet(m.get(), "room", room);
    jsonSet(m.get(), "token", token);
    if (!dob.empty()) jsonSet(m.get(), "dob", dob);
    return record(service_->handle(s, "tx", m.get(), nowUs_));
}

const Effects& RoomHarness::join(SessionId s, const std::string& room, const std::string& role, const std::string& sub,
                                 const std::string& name) {
    JsonPtr c = tokens_.claims(room, role, nowS(), sub);
    if (!name.empty()) jsonSet(c.get(), "name", name);
    if (role == "patient") jsonSet(c.get(), "fhir", jsonAdopt(json_pack("{ss}", "patient", "Patient/p-1")));
    if (role == "provider")
        jsonSet(c.get(), "fhir",
                jsonAdopt(json_pack("{ssss}", "practitioner", "Practitioner/dr-1", "encounter", "Encounter/e-1")));
    return joinWith(s, room, tokens_.sign(c.get()));
}

const Effects& RoomHarness::admin(const std::string& json, JsonPtr* response) {
    JsonPtr m = jsonParse(json);
    Effects out;
    JsonPtr r = service_->admin(m.get(), nowUs_, out);
    if (response) *response = std::move(r);
    return record(std::move(out));
}

const Effects& RoomHarness::tick() { return record(service_->tick(nowUs_)); }

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

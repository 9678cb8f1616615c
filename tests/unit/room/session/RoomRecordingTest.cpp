// SPDX-License-Identifier: GPL-3.0-or-later
// The room's recording signalling: a provider's `record`, the patients' `consent`, `stop_record`,
// refusals (role, e2ee, no patient, busy, recorder down), withdrawal, late joiners, visit end, and
// PHI-free events. The recorder seam is the harness' fake (RecordingTap has its own tests).
#include "RoomErrors.hpp"
#include "RoomHarness.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>

using namespace hipaa;
using namespace hipaa::room;
using namespace hipaa::room::test;

namespace {

int64_t errorCode(const json_t* push) { return jsonInt(push, "error_code").value_or(0); }
std::string field(const json_t* j, const char* k) { return std::string(jsonString(j, k).value_or("")); }

constexpr SessionId kDr = 1, kPatA = 2, kPatB = 3, kObs = 5;

// Does any push to `s` since the last clear carry `key` == `value`?
bool got(RoomHarness& h, SessionId s, const char* key, const std::string& value) {
    for (const json_t* p : h.pushes(s))
        if (field(p, key) == value) return true;
    return false;
}

std::vector<std::string> events(RoomHarness& h) {
    std::vector<std::string> out;
    for (const json_t* n : h.notifies()) out.push_back(field(n, "event"));
    return out;
}

bool hasEvent(RoomHarness& h, const std::string& name) {
    auto e = events(h);
    return std::find(e.begin(), e.end(), name) != e.end();
}

class Recording : public ::testing::Test {
protected:
    RoomHarness h;
    std::string room = h.createRoom();
    void admit(SessionId s) { h.send(kDr, R"({"request":"admit","id":")" + h.idOf(s) + R"("})"); }
    void consult() {
        h.join(kDr, room, "provider", "dr-1", "Dr. Provider");
        h.join(kPatA, room, "patient", "pat-a", "Alice Patient");
        admit(kPatA);
        h.clear();
    }
};

}  // namespace

TEST_F(Recording, ProviderRequestWaitsForThePatientsConsentThenRecordsUntilStopped) {
    consult();
    h.send(kDr, R"({"request":"record"})");
    EXPECT_EQ(field(h.lastPush(kDr), "result"), "consent_requested");
    EXPECT_TRUE(h.recordingStarts.empty()) << "nothing is recorded before consent";
    const json_t* ask = h.lastPush(kPatA);
    EXPECT_EQ(field(ask, "consent_request"), "record");
    EXPECT_EQ(field(ask, "by"), h.idOf(kDr));
    EXPECT_TRUE(hasEvent(h, "record_consent_requested"));

    h.clear();
    h.send(kPatA, R"({"request":"consent","consent":true})");
    ASSERT_EQ(h.recordingStarts.size(), 1u);
    EXPECT_EQ(h.recordingStarts[0].first, room);
    EXPECT_EQ(field(h.pushes(kPatA).front(), "result"), "consent_recorded");
    EXPECT_TRUE(got(h, kDr, "recording", "started"));
    EXPECT_TRUE(got(h, kPatA, "recording", "started"));
    EXPECT_TRUE(hasEvent(h, "record_consent"));
    EXPECT_TRUE(hasEvent(h, "recording_started"));

    h.send(kDr, R"({"request":"record"})");
    EXPECT_EQ(errorCode(h.lastPush(kDr)), room::errc::kRecordBusy);
    h.clear();
    h.send(kDr, R"({"request":"stop_record"})");
    EXPECT_EQ(h.recordingStops, std::vector<std::string>{room});
    EXPECT_TRUE(got(h, kDr, "result", "recording_stopped"));
    EXPECT_TRUE(got(h, kPatA, "recording", "stopped"));
    EXPECT_TRUE(hasEvent(h, "recording_stopped"));
    for (const json_t* e : h.notifies())  // the recorder's ids link the visit's trail to the recordings
        if (jsonString(e, "event").value_or("") == "recording_stopped") {
            const json_t* ids = json_object_get(e, "recording_ids");
            ASSERT_EQ(json_array_size(ids), 1u) << jsonDump(e);
            EXPECT_STREQ(json_string_value(json_array_get(ids, 0)), "rec-1");
        }
    h.send(kDr, R"({"request":"stop_record"})");
    EXPECT_EQ(errorCode(h.lastPush(kDr)), room::errc::kNotRecording);
}

// The recorder keeps who took part with the recording: the visit, the room and the pseudonyms of the
// providers and patients admitted when it started (not who waits, not other roles).
TEST_F(Recording, TheStartNamesTheVisitAndItsAdmittedProvidersAndPatients) {
    consult();
    h.join(kPatB, room, "patient", "pat-b");  // still waiting
    h.join(kObs, room, "observer", "obs-1");
    admit(kObs);
    h.send(kDr, R"({"request":"record"})");
    h.send(kPatA, R"({"request":"consent","consent":true})");
    ASSERT_EQ(h.recordingContexts.size(), 1u);
    const RecordingContext& c = h.recordingContexts[0];
    EXPECT_EQ(c.room, room);
    EXPECT_TRUE(c.visit.starts_with("v_")) << c.visit;
    EXPECT_EQ(c.providers, std::vector<std::string>{h.pseudonymOf("dr-1")});
    EXPECT_EQ(c.patients, std::vector<std::string>{h.pseudonymOf("pat-a")});
}

TEST_F(Recording, DeclinedConsentRecordsNothingAndTellsTheProvider) {
    consult();
    h.send(kDr, R"({"request":"record"})");
    h.clear();
    h.send(kPatA, R"({"request":"consent","consent":false})");
    EXPECT_TRUE(h.recordingStarts.empty());
    EXPECT_TRUE(got(h, kDr, "recording", "not_started"));
    EXPECT_TRUE(got(h, kDr, "reason", "declined"));
    // A second answer has nothing to answer.
    h.send(kPatA, R"({"request":"consent","consent":true})");
    EXPECT_EQ(errorCode(h.lastPush(kPatA)), room::errc::kNoConsentPending);
    EXPECT_TRUE(h.recordingStarts.empty());
}

TEST_F(Recording, EveryAdmittedPatientMustConsentAndAnyWithdrawalStops) {
    consult();
    h.join(kPatB, room, "patient", "pat-b");
    admit(kPatB);
    h.join(kObs, room, "observer", "obs-1");
    admit(kObs);
    h.send(kDr, R"({"request":"record"})");
    EXPECT_TRUE(got(h, kPatB, "consent_request", "record"));
    EXPECT_FALSE(got(h, kObs, "consent_request", "record")) << "observers are not asked";
    h.send(kPatA, R"({"request":"consent","consent":true})");
    EXPECT_TRUE(h.recordingStarts.empty()) << "one of two patients consented";
    h.send(kObs, R"({"request":"consent","consent":true})");
    EXPECT_EQ(errorCode(h.lastPush(kObs)), room::errc::kForbidden);
    h.send(kPatB, R"({"request":"consent","consent":true})");
    ASSERT_EQ(h.recordingStarts.size(), 1u);

    h.clear();
    h.send(kPatB, R"({"request":"consent","consent":false})");
    EXPECT_EQ(h.recordingStops.size(), 1u);
    EXPECT_TRUE(got(h, kDr, "reason", "consent_withdrawn"));
}

TEST_F(Recording, RefusalsHaveTheirOwnCodesAndNoSideEffect) {
    h.join(kDr, room, "provider", "dr-1");
    h.send(kDr, R"({"request":"record"})");
    EXPECT_EQ(errorCode(h.lastPush(kDr)), room::errc::kRecordNoPatient);
    h.join(kPatA, room, "patient", "pat-a");
    h.send(kPatA, R"({"request":"consent","consent":true})");
    EXPECT_EQ(errorCode(h.lastPush(kPatA)), room::errc::kForbidden) << "waiting patients may only leave";
    admit(kPatA);
    h.send(kPatA, R"({"request":"record"})");
    EXPECT_EQ(errorCode(h.lastPush(kPatA)), room::errc::kForbidden) << "patients may not start recordings";
    h.send(kPatA, R"({"request":"stop_record"})");
    EXPECT_EQ(errorCode(h.lastPush(kPatA)), room::errc::kForbidden);
    h.send(kPatA, R"({"request":"consent"})");
    EXPECT_EQ(errorCode(h.lastPush(kPatA)), room::errc::kMissingField);
    h.send(kPatA, R"({"request":"consent","consent":"yes"})");
    EXPECT_EQ(errorCode(h.lastPush(kPatA)), room::errc::kInvalidField);
    h.send(kPatA, R"({"request":"consent","consent":true})");
    EXPECT_EQ(errorCode(h.lastPush(kPatA)), room::errc::kNoConsentPending);

    h.send(kDr, R"({"request":"record"})");
    h.send(kDr, R"({"request":"record"})");
    EXPECT_EQ(errorCode(h.lastPush(kDr)), room::errc::kRecordBusy);
    h.recorderFails = true;
    h.clear();
    h.send(kPatA, R"({"request":"consent","consent":true})");
    EXPECT_TRUE(h.recordingStarts.empty());
    const json_t* err = h.lastPush(kDr);
    EXPECT_EQ(errorCode(err), room::errc::kRecorderUnavailable);
    EXPECT_EQ(field(err, "error").find("/secret"), std::string::npos) << "the recorder's message is not echoed";
    EXPECT_TRUE(hasEvent(h, "recording_failed"));
    // After a failure the provider can ask again.
    h.recorderFails = false;
    h.send(kDr, R"({"request":"record"})");
    EXPECT_EQ(field(h.lastPush(kDr), "result"), "consent_requested");
}

TEST(RecordingClasses, EndToEndEncryptedRoomsAreNeverRecordedAndConsentFreeClassesStartAtOnce) {
    RoomSettings s;
    RoomClass e2ee;
    e2ee.name = "e2ee";
    e2ee.e2ee = true;
    s.classes["e2ee"] = e2ee;
    RoomClass qa;
    qa.name = "qa";
    qa.recordConsent = false;
    qa.recordingPolicy = "qa";
    s.classes["qa"] = qa;
    RoomHarness h(s);
    std::string secret = h.createRoom("e2ee");
    h.join(kDr, secret, "provider", "dr-1");
    h.join(kPatA, secret, "patient", "pat-a");
    h.send(kDr, R"({"request":"admit","id":")" + h.idOf(kPatA) + R"("})");
    h.send(kDr, R"({"request":"record"})");
    EXPECT_EQ(errorCode(h.lastPush(kDr)), room::errc::kRecordE2ee);
    EXPECT_FALSE(got(h, kPatA, "consent_request", "record"));
    EXPECT_TRUE(hasEvent(h, "recording_refused"));

    std::string training = h.createRoom("qa");
    h.join(kObs + 10, training, "provider", "dr-2");
    h.send(kObs + 10, R"({"request":"record"})");
    EXPECT_EQ(field(h.lastPush(kObs + 10), "result"), "recording_started");
    ASSERT_EQ(h.recordingStarts.size(), 1u);
    EXPECT_EQ(h.recordingStarts[0], std::make_pair(training, std::string("qa")));
}

TEST(RecordingClasses, ConfigKeys) {
    Config cfg(jsonParse(R"({"class-x":{"e2ee":true,"record_consent":false,"recording_policy":"qa"}})"));
    RoomClass c = RoomClass::fromConfig(cfg, "x");
    EXPECT_NO_THROW(cfg.finish());
    EXPECT_TRUE(c.e2ee);
    EXPECT_FALSE(c.recordConsent);
    EXPECT_EQ(c.recordingPolicy, "qa");
    RoomClass d = RoomClass{};
    EXPECT_FALSE(d.e2ee);
    EXPECT_TRUE(d.recordConsent);
    Config bad(jsonParse(R"({"class-x":{"recording_policy":"../etc"}})"));
    EXPECT_THROW(RoomClass::fromConfig(bad, "x"), ConfigError);
}

TEST_F(Recording, LateJoinersAreToldAndAskedLeaversAndVisitEndSettleIt) {
    consult();
    h.join(kPatB, room, "patient", "pat-b");
    admit(kPatB);
    h.send(kDr, R"({"request":"record"})");
    h.send(kPatA, R"({"request":"consent","consent":true})");
    EXPECT_TRUE(h.recordingStarts.empty());
    // Patient B leaves without answering: A's consent is all that is needed now.
    h.send(kPatB, R"({"request":"leave"})");
    ASSERT_EQ(h.recordingStarts.size(), 1u);

    // A patient admitted while recording learns it and is asked; her "no" stops it.
    h.clear();
    h.join(kPatB + 10, room, "patient", "pat-c");
    admit(kPatB + 10);
    EXPECT_TRUE(got(h, kPatB + 10, "recording", "started"));
    EXPECT_TRUE(got(h, kPatB + 10, "consent_request", "record"));
    h.send(kPatB + 10, R"({"request":"consent","consent":true})");
    EXPECT_EQ(field(h.lastPush(kPatB + 10), "result"), "consent_recorded");
    EXPECT_TRUE(h.recordingStops.empty());

    h.send(kDr, R"({"request":"end"})");
    EXPECT_EQ(h.recordingStops, std::vector<std::string>{room}) << "the visit's end seals the recording";
}

TEST_F(Recording, RequesterLeavingCancelsAPendingRequest) {
    consult();
    h.send(kDr, R"({"request":"record"})");
    h.clear();
    h.send(kDr, R"({"request":"leave"})");
    EXPECT_TRUE(got(h, kPatA, "consent_request", "cancelled"));
    h.send(kPatA, R"({"request":"consent","consent":true})");
    EXPECT_EQ(errorCode(h.lastPush(kPatA)), room::errc::kNoConsentPending);
    EXPECT_TRUE(h.recordingStarts.empty());
}

TEST_F(Recording, EventsArePhiFree) {
    consult();
    h.send(kDr, R"({"request":"record"})");
    h.send(kPatA, R"({"request":"consent","consent":true})");
    h.send(kPatA, R"({"request":"consent","consent":false})");
    ASSERT_GE(h.notifies().size(), 4u);
    for (const json_t* n : h.notifies()) {
        std::string d = jsonDump(n);
        for (const char* phi : {"Alice", "Dr. Provider", "pat-a", "dr-1", "p_"})
            EXPECT_EQ(d.find(phi), std::string::npos) << phi << " in " << d;
    }
    EXPECT_TRUE(hasEvent(h, "recording_stopped"));
}

// A part of a running recording that fails (the tap's report: a feed the recorder refused, streams past
// its limit, a stream's file that could not be written) reaches whoever may record, never the patient;
// the room keeps recording what it can, counts it and leaves a PHI-free event with the recorder's id.
TEST_F(Recording, AFailedPartOfTheRecordingIsPushedToWhoeverMayRecordAndCounted) {
    consult();
    h.join(kObs, room, "observer", "obs-1");
    admit(kObs);
    h.send(kDr, R"({"request":"record"})");
    h.send(kPatA, R"({"request":"consent","consent":true})");
    ASSERT_EQ(h.recordingStarts.size(), 1u);
    h.clear();
    h.recordingFailed(room, "write_failed", "00112233445566778899aabbccddeeff");
    ASSERT_TRUE(got(h, kDr, "recording", "failed"));
    EXPECT_TRUE(got(h, kDr, "reason", "write_failed"));
    EXPECT_TRUE(h.pushes(kPatA).empty());
    EXPECT_TRUE(h.pushes(kObs).empty());
    bool evented = false;
    for (const json_t* e : h.notifies())
        if (field(e, "event") == "recording_failed") {
            evented = true;
            EXPECT_EQ(field(e, "reason"), "write_failed");
            EXPECT_EQ(field(e, "recording_id"), "00112233445566778899aabbccddeeff");
            EXPECT_EQ(field(e, "room"), room);
        }
    EXPECT_TRUE(evented);
    h.recordingFailed(room, "too_many_streams", "");
    EXPECT_TRUE(got(h, kDr, "reason", "too_many_streams"));
    h.recordingFailed("no-such-room", "start_failed", "");  // a room gone meanwhile: nothing

    JsonPtr stats;
    h.admin(R"({"request":"stats"})", &stats);
    EXPECT_EQ(jsonInt(json_object_get(stats.get(), "counters"), "recording_failures"), 2) << jsonDump(stats.get());
    // Still recording: the provider decides.
    h.clear();
    h.send(kDr, R"({"request":"stop_record"})");
    EXPECT_TRUE(got(h, kDr, "result", "recording_stopped"));
}

// A patient admitted while a recording runs is asked for consent; until she says yes her media goes
// to everyone in the room but never to the recording tap (her "no" stops the recording, as above).
TEST_F(Recording, APatientAdmittedDuringARecordingIsNotRecordedUntilSheConsents) {
    h.join(kDr, room, "provider", "dr-1", "Dr. Provider");
    uint64_t drPrivateId = static_cast<uint64_t>(jsonInt(h.pushes(kDr).front(), "private_id").value_or(0));
    h.join(kPatA, room, "patient", "pat-a", "Alice Patient");
    admit(kPatA);
    auto publish = [&](SessionId s) {
        h.sendJsep(s, R"({"request":"publish"})", "offer", "m=audio opus 111");
        ASSERT_EQ(errorCode(h.lastPush(s)), 0) << jsonDump(h.lastPush(s));
    };
    auto sendRtp = [&](SessionId from, int n) {
        for (int i = 0; i < n; ++i) {
            std::array<uint8_t, 40> b{};
            b[0] = 0x80;
            b[1] = 111;
            RtpRewriter::write(b.data(), {0x1000u + static_cast<uint32_t>(from), static_cast<uint16_t>(i), 960u * i});
            MediaPacket p{0, false, b.data(), b.size()};
            h.relay.incomingRtp(from, p);
        }
    };
    auto rtpTo = [&](SessionId s) {
        std::lock_guard l(h.host.m);
        return std::count_if(h.host.rtp.begin(), h.host.rtp.end(), [&](const MediaLog::Sent& r) { return r.to == s; });
    };
    publish(kDr);
    publish(kPatA);
    h.send(kDr, R"({"request":"record"})");
    h.send(kPatA, R"({"request":"consent","consent":true})");
    ASSERT_EQ(h.recordingStarts.size(), 1u);
    ASSERT_TRUE(h.taps.contains(room));
    std::shared_ptr<TapLog> tap = h.taps.at(room);
    EXPECT_EQ(tap->streams(), 2u) << "the provider's and the consenting patient's audio";
    sendRtp(kPatA, 3);
    EXPECT_EQ(tap->packets(), 3u);

    // Patient C is admitted during the recording, publishes, and the provider watches her.
    const SessionId kPatC = 20, kDrSub = 21;
    h.join(kPatC, room, "patient", "pat-c", "Carol Patient");
    admit(kPatC);
    ASSERT_TRUE(got(h, kPatC, "consent_request", "record"));
    publish(kPatC);
    h.send(kDrSub, R"({"request":"join","ptype":"subscriber","room":")" + room + R"(","private_id":)" +
                       std::to_string(drPrivateId) + R"(,"streams":[{"feed":")" + h.idOf(kPatC) + R"("}]})");
    ASSERT_EQ(errorCode(h.lastPush(kDrSub)), 0) << jsonDump(h.lastPush(kDrSub));
    sendRtp(kPatC, 5);
    EXPECT_EQ(rtpTo(kDrSub), 5) << "her media reaches the room";
    EXPECT_EQ(tap->packets(), 3u) << "her media reached the recording before she consented";
    EXPECT_EQ(tap->streams(), 2u) << "her stream was announced to the recording before she consented";

    h.send(kPatC, R"({"request":"consent","consent":true})");
    EXPECT_EQ(field(h.lastPush(kPatC), "result"), "consent_recorded");
    EXPECT_EQ(tap->streams(), 3u) << "her stream is recorded once she consented";
    sendRtp(kPatC, 4);
    EXPECT_EQ(rtpTo(kDrSub), 9);
    EXPECT_EQ(tap->packets(), 7u);
}

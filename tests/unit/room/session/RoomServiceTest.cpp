// SPDX-License-Identifier: GPL-3.0-or-later
// The room's state machine: waiting room visibility (field by field), moderation, roles, notes,
// visit end, timeouts, revocation, lockout, and PHI-free events.
#include "RoomErrors.hpp"
#include "RoomHarness.hpp"

#include <gtest/gtest.h>

#include <set>

using namespace hipaa;
using namespace hipaa::room;
using namespace hipaa::room::test;

namespace {

std::set<std::string> keysOf(const json_t* o) {
    std::set<std::string> k;
    const char* key;
    json_t* v;
    json_object_foreach(const_cast<json_t*>(o), key, v) k.insert(key);
    return k;
}

std::string kind(const json_t* push) { return std::string(jsonString(push, "hipaa.room").value_or("")); }
int64_t errorCode(const json_t* push) { return jsonInt(push, "error_code").value_or(0); }

constexpr SessionId kDr = 1, kPatA = 2, kPatB = 3, kInterp = 4, kObs = 5;

class Room : public ::testing::Test {
protected:
    RoomHarness h;
    std::string room = h.createRoom();
    void admit(SessionId s) { h.send(kDr, R"({"request":"admit","id":")" + h.idOf(s) + R"("})"); }
};

TEST_F(Room, WaitingPatientLearnsNothingAboutAnyone) {
    h.join(kDr, room, "provider", "dr-1", "Dr. Provider");
    h.join(kPatA, room, "patient", "pat-a", "Alice Patient");
    auto a = h.pushes(kPatA);
    ASSERT_EQ(a.size(), 1u);
    // `policy`: the class' rules, about no one (RoomMedia.WaitingAndJoinedCarryTheVisitPolicy).
    EXPECT_EQ(keysOf(a[0]), (std::set<std::string>{"hipaa.room", "videoroom", "room", "id", "policy"}));
    EXPECT_EQ(keysOf(json_object_get(a[0], "policy")),
              (std::set<std::string>{"recording", "chat_kept", "documents_kept", "document_max_bytes", "e2ee",
                                     "idle_timeout", "max_visit_length", "visit_left"}));
    EXPECT_EQ(kind(a[0]), "waiting");
    EXPECT_EQ(jsonString(a[0], "room").value_or(""), room);
    EXPECT_EQ(jsonString(a[0], "id").value_or(""), h.idOf(kPatA));

    h.join(kPatB, room, "patient", "pat-b", "Bob Patient");
    EXPECT_EQ(h.pushes(kPatA).size(), 1u) << "a waiting patient was told about another";
    auto b = h.pushes(kPatB);
    ASSERT_EQ(b.size(), 1u);
    EXPECT_EQ(keysOf(b[0]), (std::set<std::string>{"hipaa.room", "videoroom", "room", "id", "policy"}));
    EXPECT_NE(jsonString(b[0], "id").value_or(""), jsonString(a[0], "id").value_or(""));

    // Asking does not help: no participants, no count.
    h.send(kPatA, R"({"request":"participants"})");
    const json_t* ans = h.lastPush(kPatA);
    EXPECT_EQ(keysOf(ans), (std::set<std::string>{"hipaa.room", "videoroom", "room"}));

    // The provider sees both, with the names the tokens carry.
    const json_t* last = h.lastPush(kDr);
    const json_t* waiting = json_object_get(last, "waiting");
    ASSERT_EQ(json_array_size(waiting), 2u) << jsonDump(last);
    std::set<std::string> names;
    for (size_t i = 0; i < 2; ++i) {
        const json_t* w = json_array_get(waiting, i);
        EXPECT_EQ(keysOf(w), (std::set<std::string>{"id", "role", "display"}));
        names.insert(std::string(jsonString(w, "display").value_or("")));
    }
    EXPECT_EQ(names, (std::set<std::string>{"Alice Patient", "Bob Patient"}));
}

TEST_F(Room, AdmittedPatientSeesProvidersNamesButNotOthers) {
    h.join(kDr, room, "provider", "dr-1", "Dr. Provider");
    h.join(kInterp, room, "interpreter", "int-1", "Ana Interpreter");
    admit(kInterp);
    h.join(kPatA, room, "patient", "pat-a", "Alice Patient");
    h.join(kPatB, room, "patient", "pat-b", "Bob Patient");
    admit(kPatA);

    const json_t* joined = h.lastPush(kPatA);
    ASSERT_EQ(kind(joined), "joined") << jsonDump(joined);
    EXPECT_EQ(keysOf(joined), (std::set<std::string>{"hipaa.room", "videoroom", "room", "id", "private_id", "role",
                                                     "participants", "publishers", "policy"}));
    const json_t* list = json_object_get(joined, "participants");
    ASSERT_EQ(json_array_size(list), 2u);  // provider + interpreter; Bob still waits and is invisible
    for (size_t i = 0; i < 2; ++i) {
        const json_t* p = json_array_get(list, i);
        if (jsonString(p, "role").value_or("") == "provider") {
            EXPECT_EQ(keysOf(p), (std::set<std::string>{"id", "role", "display"}));
            EXPECT_EQ(jsonString(p, "display").value_or(""), "Dr. Provider");
        } else {
            EXPECT_EQ(jsonString(p, "role").value_or(""), "interpreter");
            EXPECT_EQ(keysOf(p), (std::set<std::string>{"id", "role"})) << "patient saw the interpreter's name";
        }
    }
    // The interpreter (names: all) is told the patient joined, with her name.
    const json_t* ev = h.lastPush(kInterp);
    const json_t* j = json_object_get(ev, "joined");
    EXPECT_EQ(jsonString(j, "display").value_or(""), "Alice Patient") << jsonDump(ev);
    // Bob, still waiting, got nothing beyond his own waiting answer.
    EXPECT_EQ(h.pushes(kPatB).size(), 1u);
}

TEST_F(Room, DenyEndsTheWaitingSession) {
    h.join(kDr, room, "provider", "dr-1");
    h.join(kPatA, room, "patient", "pat-a");
    h.send(kDr, R"({"request":"deny","id":")" + h.idOf(kPatA) + R"("})");
    const json_t* last = h.lastPush(kPatA);
    EXPECT_EQ(kind(last), "ended");
    EXPECT_EQ(jsonString(last, "reason").value_or(""), "denied");
    EXPECT_TRUE(h.ended(kPatA));
    // Denying someone admitted is refused without side effects.
    h.join(kPatB, room, "patient", "pat-b");
    admit(kPatB);
    h.send(kDr, R"({"request":"deny","id":")" + h.idOf(kPatB) + R"("})");
    EXPECT_EQ(errorCode(h.lastPush(kDr)), room::errc::kInvalidTarget);
    EXPECT_FALSE(h.ended(kPatB));
}

TEST_F(Room, SendBackToWaitingAndKick) {
    h.join(kDr, room, "provider", "dr-1");
    h.join(kPatA, room, "patient", "pat-a");
    admit(kPatA);
    h.send(kDr, R"({"request":"send_to_waiting","id":")" + h.idOf(kPatA) + R"("})");
    EXPECT_EQ(kind(h.lastPush(kPatA)), "waiting");
    EXPECT_EQ(json_array_size(json_object_get(h.lastPush(kDr), "waiting")), 1u);
    // While waiting again she may not do anything but leave.
    h.send(kPatA, R"({"request":"participants"})");
    EXPECT_FALSE(json_object_get(h.lastPush(kPatA), "participants"));
    h.send(kDr, R"({"request":"kick","id":")" + h.idOf(kPatA) + R"("})");
    EXPECT_EQ(jsonString(h.lastPush(kPatA), "reason").value_or(""), "kicked");
    EXPECT_TRUE(h.ended(kPatA));
    h.send(kDr, R"({"request":"kick","id":"p_nobody"})");
    EXPECT_EQ(errorCode(h.lastPush(kDr)), room::errc::kNoSuchParticipant);
}

TEST_F(Room, EndHangsUpEveryoneRefusesLateJoinersAndPublishesTheVisit) {
    h.join(kDr, room, "provider", "dr-1", "Dr. Provider");
    h.join(kPatA, room, "patient", "pat-a", "Alice");
    admit(kPatA);
    h.join(kPatB, room, "patient", "pat-b");  // still waiting at the end
    h.advance(300);
    h.send(kDr, R"({"request":"end"})");
    for (SessionId s : {kDr, kPatA, kPatB}) {
        EXPECT_TRUE(h.ended(s)) << s;
        EXPECT_EQ(jsonString(h.lastPush(s), "reason").value_or(""), "ended_by_provider");
    }
    h.join(kObs, room, "observer", "obs-1");
    EXPECT_EQ(errorCode(h.lastPush(kObs)), room::errc::kRoomEnded);

    ASSERT_EQ(h.visits.size(), 1u);
    const VisitEnded& v = h.visits[0];
    EXPECT_EQ(v.roomId, room);
    EXPECT_EQ(v.reason, "ended_by_provider");
    EXPECT_EQ(v.endedUs - v.startedUs, 300LL * 1000000);
    EXPECT_EQ(v.fhir.patient, "Patient/p-1");
    EXPECT_EQ(v.fhir.practitioner, "Practitioner/dr-1");
    EXPECT_EQ(v.fhir.encounter, "Encounter/e-1");
    ASSERT_EQ(v.participants.size(), 3u);
    EXPECT_EQ(v.participants[0].pseudonym, h.pseudonymOf("dr-1"));
    EXPECT_EQ(v.participants[0].role, "provider");
    EXPECT_EQ(v.participants[0].fhirReference, "Practitioner/dr-1");
    EXPECT_EQ(v.participants[1].fhirReference, "Patient/p-1");
    for (const auto& p : v.participants) EXPECT_GT(p.leftUs, p.joinedUs - 1);
}

// ---- role matrix (design table defaults) ----

struct RoleCase {
    const char* role;
    bool moderate, notes;
};

void PrintTo(const RoleCase& c, std::ostream* os) { *os << c.role; }

class RoleMatrix : public ::testing::TestWithParam<RoleCase> {};

TEST_P(RoleMatrix, EveryModerationAndNoteRequestIsCheckedAgainstTheRole) {
    RoomHarness h;
    std::string room = h.createRoom();
    h.join(kDr, room, "provider", "dr-1");
    const SessionId me = 10;
    if (std::string(GetParam().role) != "provider") {
        h.join(me, room, GetParam().role, "me-1");
        h.send(kDr, R"({"request":"admit","id":")" + h.idOf(me) + R"("})");
    } else {
        h.join(me, room, "provider", "me-1");
    }
    h.join(kPatA, room, "patient", "pat-a");  // a waiting target
    std::string target = h.idOf(kPatA);
    for (std::string req : {"admit", "deny", "kick", "send_to_waiting"}) {
        h.clear();
        h.send(me, R"({"request":")" + req + R"(","id":")" + target + R"("})");
        int64_t code = errorCode(h.lastPush(me));
        if (GetParam().moderate) {
            EXPECT_NE(code, room::errc::kForbidden) << req;
        } else {
            EXPECT_EQ(code, room::errc::kForbidden) << req;
            EXPECT_FALSE(h.ended(kPatA)) << "denied request had a side effect";
        }
        if (GetParam().moderate) break;  // the target is gone after the first allowed request
    }
    h.clear();
    h.send(me, R"({"request":"note","text":"x"})");
    EXPECT_EQ(errorCode(h.lastPush(me)) == room::errc::kForbidden, !GetParam().notes);
    h.clear();
    h.send(me, R"({"request":"end"})");
    EXPECT_EQ(errorCode(h.lastPush(me)) == room::errc::kForbidden, !GetParam().moderate);
    if (!GetParam().moderate) {
        bool roleDenied = false;
        for (const json_t* n : h.notifies()) roleDenied |= jsonString(n, "event").value_or("") == "role_denied";
        EXPECT_TRUE(roleDenied);
    }
}

INSTANTIATE_TEST_SUITE_P(Defaults, RoleMatrix,
                         ::testing::Values(RoleCase{"provider", true, true}, RoleCase{"patient", false, false},
                                           RoleCase{"interpreter", false, false}, RoleCase{"observer", false, false},
                                           RoleCase{"support", false, false}),
                         [](const auto& i) { return std::string(i.param.role); });

TEST(RolePermissions, DefaultsFollowTheDesignTable) {
    auto p = Permissions::defaults(Role::Provider);
    EXPECT_TRUE(p.skipWaiting && p.publish && p.subscribe && p.moderate && p.recordControl && p.notes);
    EXPECT_EQ(p.names, NameVisibility::All);
    p = Permissions::defaults(Role::Patient);
    EXPECT_TRUE(!p.skipWaiting && p.publish && p.subscribe && !p.moderate && !p.recordControl && p.recordConsent &&
                !p.notes);
    EXPECT_EQ(p.names, NameVisibility::OwnAndProviders);
    p = Permissions::defaults(Role::Interpreter);
    EXPECT_TRUE(!p.skipWaiting && p.publish && p.subscribe && !p.moderate && !p.notes);
    EXPECT_EQ(p.names, NameVisibility::All);
    p = Permissions::defaults(Role::Observer);
    EXPECT_TRUE(!p.skipWaiting && !p.publish && p.subscribe && !p.moderate);
    EXPECT_EQ(p.names, NameVisibility::All);
    p = Permissions::defaults(Role::Support);
    EXPECT_TRUE(!p.publish && !p.subscribe && !p.moderate && !p.notes && !p.recordConsent);
    EXPECT_EQ(p.names, NameVisibility::None);
}

TEST(RoomClassConfig, NarrowsByDefaultAndWidensOnlyExplicitly) {
    Config cfg(jsonParse(R"({"class-strict":{"roles":"provider,patient","narrow_provider":"notes,names",
        "widen_observer":"publish","auto_admit":"interpreter","mfa_roles":"provider,patient","dob_check":true,
        "idle_timeout":30,"max_visit":600,"token_expiry":"allow"}})"));
    RoomClass c = RoomClass::fromConfig(cfg, "strict");
    EXPECT_NO_THROW(cfg.finish());
    EXPECT_EQ(c.roles, (std::set<Role>{Role::Provider, Role::Patient}));
    EXPECT_FALSE(c.of(Role::Provider).notes);
    EXPECT_EQ(c.of(Role::Provider).names, NameVisibility::None);
    EXPECT_TRUE(c.of(Role::Provider).moderate);  // untouched
    EXPECT_TRUE(c.of(Role::Observer).publish);
    EXPECT_TRUE(c.of(Role::Interpreter).skipWaiting);
    EXPECT_FALSE(c.of(Role::Patient).skipWaiting);
    EXPECT_TRUE(c.mfaRoles.contains(Role::Patient));
    EXPECT_TRUE(c.dobCheck);
    EXPECT_EQ(c.idleTimeoutS, 30);
    EXPECT_FALSE(c.endOnTokenExpiry);

    Config bad(jsonParse(R"({"class-x":{"narrow_patient":"teleport"}})"));
    EXPECT_THROW(RoomClass::fromConfig(bad, "x"), ConfigError);
    Config badRole(jsonParse(R"({"class-x":{"auto_admit":"janitor"}})"));
    EXPECT_THROW(RoomClass::fromConfig(badRole, "x"), ConfigError);
}

TEST(RoomClassRules, NarrowedClassRefusesTheRoleAndAutoAdmits) {
    RoomSettings s;
    RoomClass c;
    c.name = "interp";
    c.roles.erase(Role::Observer);
    c.perms[static_cast<size_t>(Role::Interpreter)].skipWaiting = true;
    s.classes["interp"] = c;
    RoomHarness h(s);
    std::string room = h.createRoom("interp");
    h.join(kInterp, room, "interpreter", "int-1");
    EXPECT_EQ(kind(h.lastPush(kInterp)), "joined");
    h.join(kObs, room, "observer", "obs-1");
    EXPECT_EQ(errorCode(h.lastPush(kObs)), room::errc::kTokenUnknownRole);
}

// ---- notes ----

TEST_F(Room, ProviderNoteIsPublishedWithTheTokensFhirContext) {
    h.join(kDr, room, "provider", "dr-1");
    h.join(kPatA, room, "patient", "pat-a");
    h.send(kDr, R"({"request":"note","text":"Patient reports improvement.","type":"34109-9"})");
    ASSERT_EQ(h.notes.size(), 1u);
    const NoteSubmitted& n = h.notes[0];
    EXPECT_EQ(n.text, "Patient reports improvement.");
    EXPECT_EQ(n.loincCode, "34109-9");
    EXPECT_EQ(n.fhir.practitioner, "Practitioner/dr-1");
    EXPECT_EQ(n.fhir.patient, "Patient/p-1");  // from the patient's token, merged into the visit
    EXPECT_EQ(n.fhir.encounter, "Encounter/e-1");
    EXPECT_EQ(n.authorPseudonym, h.pseudonymOf("dr-1"));
    EXPECT_EQ(jsonString(h.lastPush(kDr), "result").value_or(""), "note_submitted");
    const json_t* ev = h.notifies().back();
    EXPECT_EQ(jsonInt(ev, "bytes").value_or(0), 28);
    EXPECT_EQ(jsonDump(ev).find("improvement"), std::string::npos);
}

TEST_F(Room, RefusedNotePublicationIsAnErrorNotASilentLoss) {
    h.join(kDr, room, "provider", "dr-1");
    h.noteResult = {0, 1};  // queue full
    h.send(kDr, R"({"request":"note","text":"abc"})");
    EXPECT_EQ(errorCode(h.lastPush(kDr)), room::errc::kNoteNotAccepted);
    h.noteResult = {0, 0};  // nobody subscribed
    h.send(kDr, R"({"request":"note","text":"abc"})");
    EXPECT_EQ(errorCode(h.lastPush(kDr)), room::errc::kNoteNotAccepted);
    EXPECT_TRUE(h.notes.empty());
}

// ---- timeouts, revocation, lockout ----

TEST(RoomTimeouts, IdleTokenExpiryAndMaxVisit) {
    RoomSettings s;
    RoomClass c;
    c.idleTimeoutS = 60;
    c.maxVisitS = 1000;
    s.classes["default"] = c;
    RoomHarness h(s);
    std::string room = h.createRoom();
    h.join(kDr, room, "provider", "dr-1");
    JsonPtr cl = h.tokens().claims(room, "patient", h.nowS(), "pat-short", 90);
    h.joinWith(kPatA, room, h.tokens().sign(cl.get()));
    h.advance(50);
    h.send(kDr, R"({"request":"participants"})");
    h.send(kPatA, R"({"request":"participants"})");
    h.tick();
    EXPECT_FALSE(h.ended(kDr));
    h.advance(55);  // dr active 55 s ago; patient's token (90 s, skew 30) still valid
    h.tick();
    EXPECT_FALSE(h.ended(kPatA));
    h.send(kPatA, R"({"request":"participants"})");
    h.advance(20);  // dr idle 75 s; patient's token expired 125 s after iat
    h.tick();
    EXPECT_TRUE(h.ended(kDr));
    EXPECT_EQ(jsonString(h.lastPush(kDr), "reason").value_or(""), "idle_timeout");
    EXPECT_TRUE(h.ended(kPatA));
    EXPECT_EQ(jsonString(h.lastPush(kPatA), "reason").value_or(""), "token_expired");

    std::string room2 = h.createRoom();
    JsonPtr longToken = h.tokens().claims(room2, "provider", h.nowS(), "dr-2", 3600);
    h.joinWith(20, room2, h.tokens().sign(longToken.get()));
    for (int i = 0; i < 20 && !h.ended(20); ++i) {
        h.advance(55);
        h.send(20, R"({"request":"participants"})");
        h.tick();
    }
    EXPECT_TRUE(h.ended(20));
    EXPECT_EQ(jsonString(h.lastPush(20), "reason").value_or(""), "max_visit_length");
}

TEST_F(Room, RevocationEndsLiveSessionsAndRefusesNewTokens) {
    h.join(kDr, room, "provider", "dr-1");
    h.join(kPatA, room, "patient", "pat-a");
    JsonPtr res;
    h.admin(R"({"request":"revoke","sub":"pat-a","ttl":600})", &res);
    EXPECT_EQ(jsonInt(res.get(), "sessions_ended").value_or(0), 1);
    EXPECT_TRUE(h.ended(kPatA));
    EXPECT_EQ(jsonString(h.lastPush(kPatA), "reason").value_or(""), "revoked");
    h.join(kPatB, room, "patient", "pat-a");
    EXPECT_EQ(errorCode(h.lastPush(kPatB)), room::errc::kTokenRevoked);
}

int countEvents(const RoomHarness& h, const std::string& name) {
    int n = 0;
    for (const json_t* e : h.notifies()) n += jsonString(e, "event").value_or("") == name;
    return n;
}

// Strangers cannot lock a consult: 100 junk tokens from ten browser tabs (each its own Janus session)
// are refused, and the provider's valid MFA token and the patient's token still get in.
TEST(RoomLockout, HundredGarbageTokensThenTheProviderAndThePatientJoin) {
    RoomHarness h;
    std::string room = h.createRoom();
    SessionId s = 100;
    for (int tab = 0; tab < 10; ++tab) {
        for (int i = 0; i < 10; ++i, ++s) {
            h.attach(s, 1000 + tab);
            h.joinWith(s, room, i % 2 ? "not.a.token" : "eyJhbGciOiJub25lIn0.e30.");
            EXPECT_NE(errorCode(h.lastPush(s)), 0);
        }
    }
    h.join(kDr, room, "provider", "dr-1");
    EXPECT_EQ(kind(h.pushes(kDr).at(0)), "joined") << jsonDump(h.pushes(kDr).at(0));
    h.join(kPatA, room, "patient", "pat-a");
    EXPECT_EQ(kind(h.lastPush(kPatA)), "waiting") << jsonDump(h.lastPush(kPatA));
    EXPECT_EQ(countEvents(h, "lockout"), 10) << "one per rate-limited Janus session, none for the room";
}

// A patient reloading a link she already used presents an authentic token: refused as replayed, but
// not a guessing attack, so it counts toward no lockout.
TEST(RoomLockout, AReloadedLinkIsNotAGuess) {
    RoomHarness h;
    std::string room = h.createRoom();
    JsonPtr c = h.tokens().claims(room, "patient", h.nowS(), "pat-a");
    std::string link = h.tokens().sign(c.get());
    h.joinWith(kPatA, room, link);
    EXPECT_EQ(kind(h.lastPush(kPatA)), "waiting");
    for (SessionId s = 30; s < 50; ++s) {
        h.attach(s, 7);  // one tab reloading
        h.joinWith(s, room, link);
        EXPECT_EQ(errorCode(h.lastPush(s)), room::errc::kTokenReplayed);
    }
    h.join(kDr, room, "provider", "dr-1");
    EXPECT_EQ(kind(h.pushes(kDr).at(0)), "joined") << jsonDump(h.pushes(kDr).at(0));
    h.attach(50, 7);
    h.join(50, room, "patient", "pat-b");
    EXPECT_EQ(kind(h.lastPush(50)), "waiting") << jsonDump(h.lastPush(50));
    EXPECT_EQ(countEvents(h, "lockout"), 0);
}

// Failures before any signature verified count per Janus session: that session is refused (421)
// for a while, every other session is not.
TEST(RoomLockout, UnverifiedFailuresRateLimitTheirJanusSessionOnly) {
    RoomSettings settings;
    settings.sessionFailures = 3;
    RoomHarness h(settings);
    std::string room = h.createRoom();
    for (SessionId s = 10; s < 13; ++s) {
        h.attach(s, 500);
        h.joinWith(s, room, "garbage");
        EXPECT_EQ(errorCode(h.lastPush(s)), room::errc::kTokenMalformed);
    }
    const json_t* lock = nullptr;
    for (const json_t* e : h.notifies())
        if (jsonString(e, "event").value_or("") == "lockout") lock = e;
    ASSERT_TRUE(lock);
    EXPECT_EQ(jsonString(lock, "scope").value_or(""), "session");
    EXPECT_EQ(json_object_get(lock, "participant"), nullptr);
    h.attach(13, 500);
    h.join(13, room, "provider", "dr-1");
    EXPECT_EQ(errorCode(h.lastPush(13)), room::errc::kRateLimited);
    h.attach(14, 600);
    h.join(14, room, "provider", "dr-1");
    EXPECT_EQ(kind(h.pushes(14).at(0)), "joined");
    h.advance(301);
    h.attach(15, 500);
    h.join(15, room, "patient", "pat-a");
    EXPECT_EQ(kind(h.lastPush(15)), "waiting");
}

// Wrong dates of birth with an authentic link lock that subject out of that room (417, even with
// the right date), and nobody else: the provider and another patient join meanwhile.
TEST(RoomLockout, WrongDatesOfBirthLockOnlyThatSubjectInThatRoom) {
    RoomSettings settings;
    RoomClass checkin;
    checkin.name = "checkin";
    checkin.dobCheck = true;
    settings.classes["checkin"] = checkin;
    RoomHarness h(settings, 3);
    std::string room = h.createRoom("checkin");
    std::string other = h.createRoom("checkin");
    auto link = [&](const std::string& r, const std::string& sub) {
        JsonPtr c = h.tokens().patientClaims(r, h.nowS(), sub, "1980-02-29");
        return h.tokens().sign(c.get());
    };
    SessionId s = 10;
    for (const char* typed : {"1980-01-01", "1981-02-29", "1980-02-28"}) {
        h.attach(s, s);  // a fresh tab each time: per-session limits do not apply
        h.joinWith(s, room, link(room, "pat-a"), typed);
        EXPECT_EQ(errorCode(h.lastPush(s)), room::errc::kTokenDobMismatch);
        ++s;
    }
    const json_t* lock = nullptr;
    for (const json_t* e : h.notifies())
        if (jsonString(e, "event").value_or("") == "lockout") lock = e;
    ASSERT_TRUE(lock);
    EXPECT_EQ(jsonString(lock, "scope").value_or(""), "subject");
    EXPECT_EQ(jsonString(lock, "participant").value_or(""), h.pseudonymOf("pat-a"));
    EXPECT_EQ(jsonDump(lock).find("1980"), std::string::npos);
    // Locked: even the right date is refused, without being checked.
    h.attach(s, s);
    h.joinWith(s, room, link(room, "pat-a"), "1980-02-29");
    EXPECT_EQ(errorCode(h.lastPush(s)), room::errc::kRoomLockedOut);
    // Everyone else is not.
    h.join(kDr, room, "provider", "dr-1");
    EXPECT_EQ(kind(h.pushes(kDr).at(0)), "joined");
    h.joinWith(kPatB, room, link(room, "pat-b"), "1980-02-29");
    EXPECT_EQ(kind(h.lastPush(kPatB)), "waiting");
    ++s;
    h.attach(s, s);
    h.joinWith(s, other, link(other, "pat-a"), "1980-02-29");
    EXPECT_EQ(kind(h.lastPush(s)), "waiting") << "another room's lock";
    JsonPtr info;
    h.admin(R"({"request":"info","room":")" + room + R"("})", &info);
    EXPECT_EQ(jsonInt(info.get(), "locked_subjects").value_or(-1), 1);
    // The lock expires; the same (one-time) link was never spent by the refusals.
    h.advance(301);
    JsonPtr c = h.tokens().patientClaims(room, h.nowS(), "pat-a", "1980-02-29");
    ++s;
    h.attach(s, s);
    h.joinWith(s, room, h.tokens().sign(c.get()), "1980-02-29");
    EXPECT_EQ(kind(h.lastPush(s)), "waiting");
}

// A patient's link carries no name: the patient (or the clinic's app) sends `display`, shown where
// her name may be seen and never in events; a name in a patient token is refused.
TEST_F(Room, PatientDisplayNameComesFromTheJoinRequest) {
    h.join(kDr, room, "provider", "dr-1", "Dr. Provider");
    JsonPtr c = h.tokens().claims(room, "patient", h.nowS(), "pat-a");
    h.joinWith(kPatA, room, h.tokens().sign(c.get()), "", "Alice Typed");
    EXPECT_EQ(kind(h.lastPush(kPatA)), "waiting");
    EXPECT_NE(jsonDump(h.lastPush(kDr)).find("Alice Typed"), std::string::npos) << jsonDump(h.lastPush(kDr));
    for (const json_t* n : h.notifies()) EXPECT_EQ(jsonDump(n).find("Alice"), std::string::npos);

    JsonPtr named = h.tokens().claims(room, "patient", h.nowS(), "pat-b");
    jsonSet(named.get(), "name", "Bob In The Link");
    h.joinWith(kPatB, room, h.tokens().sign(named.get()));
    EXPECT_EQ(errorCode(h.lastPush(kPatB)), room::errc::kTokenPatientName);

    JsonPtr ok = h.tokens().claims(room, "patient", h.nowS(), "pat-c");
    h.joinWith(kObs, room, h.tokens().sign(ok.get()), "", std::string("Bob\nInjected"));
    EXPECT_EQ(errorCode(h.lastPush(kObs)), room::errc::kInvalidField);
    h.joinWith(kInterp, room, h.tokens().sign(ok.get()), "", std::string(65, 'x'));
    EXPECT_EQ(errorCode(h.lastPush(kInterp)), room::errc::kInvalidField);
    // A signed staff name wins over a typed one.
    JsonPtr dr2 = h.tokens().claims(room, "provider", h.nowS(), "dr-2");
    jsonSet(dr2.get(), "name", "Dr. Signed");
    h.joinWith(40, room, h.tokens().sign(dr2.get()), "", "Dr. Typed");
    std::string seen;
    for (const json_t* p : h.pushes(kDr)) seen += jsonDump(p);
    EXPECT_NE(seen.find("Dr. Signed"), std::string::npos);
    EXPECT_EQ(seen.find("Dr. Typed"), std::string::npos);
}

// Every refused join leaves a `join` event, whatever refused it: the request parser included.
TEST(RoomJoinAudit, EveryRefusedJoinLeavesAJoinEvent) {
    RoomHarness h;
    std::string room = h.createRoom();
    const std::vector<std::pair<std::string, int>> cases = {
        {R"({"request":"join","room":")" + room + R"("})", room::errc::kMissingField},
        {R"({"request":"join","room":")" + room + R"(","token":5})", room::errc::kInvalidField},
        {R"({"request":"join","room":")" + room + R"(","token":")" + std::string(70000, 'a') + "\"}",
         room::errc::kInvalidField},
        {R"({"request":"join","token":"x.y.z"})", room::errc::kMissingField},
        {R"({"request":"join","room":")" + room + R"(","token":"x.y.z","ptype":"bystander"})",
         room::errc::kInvalidField},
        {R"({"request":"join","room":")" + room + R"(","ptype":"subscriber","private_id":"abc"})",
         room::errc::kInvalidField},
    };
    SessionId s = 40;
    for (const auto& [json, code] : cases) {
        h.clear();
        h.attach(s, 40 + s);
        h.send(s, json);
        EXPECT_EQ(errorCode(h.lastPush(s)), code) << json.substr(0, 120);
        auto events = h.notifies();
        ASSERT_EQ(events.size(), 1u) << json.substr(0, 120);
        EXPECT_EQ(jsonString(events[0], "event").value_or(""), "join");
        EXPECT_EQ(jsonString(events[0], "outcome").value_or(""), "refused");
        EXPECT_EQ(jsonInt(events[0], "error_code").value_or(0), code);
        EXPECT_FALSE(jsonString(events[0], "reason").value_or("").empty());
        EXPECT_EQ(jsonDump(events[0]).find("aaaa"), std::string::npos);
        ++s;
    }
    // The room is named only when it exists (a client string is not echoed into the trail).
    h.clear();
    h.send(s, R"({"request":"join","room":"Jane Doe","token":5})");
    ASSERT_EQ(h.notifies().size(), 1u);
    EXPECT_EQ(jsonDump(h.notifies()[0]).find("Jane"), std::string::npos);
    // A second join on a joined handle.
    h.join(kDr, room, "provider", "dr-1");
    h.clear();
    h.send(kDr, R"({"request":"join","room":")" + room + R"(","token":"x.y.z"})");
    EXPECT_EQ(errorCode(h.lastPush(kDr)), room::errc::kAlreadyJoined);
    ASSERT_EQ(h.notifies().size(), 1u);
    EXPECT_EQ(jsonInt(h.notifies()[0], "error_code").value_or(0), room::errc::kAlreadyJoined);
}

TEST_F(Room, ReplayedTokenUnknownRoomAndBadRequests) {
    JsonPtr c = h.tokens().claims(room, "patient", h.nowS(), "pat-a");
    std::string t = h.tokens().sign(c.get());
    h.joinWith(kPatA, room, t);
    EXPECT_EQ(kind(h.lastPush(kPatA)), "waiting");
    h.joinWith(kPatB, room, t);
    EXPECT_EQ(errorCode(h.lastPush(kPatB)), room::errc::kTokenReplayed);
    h.joinWith(kObs, "r_nope", t);
    EXPECT_EQ(errorCode(h.lastPush(kObs)), room::errc::kNoSuchRoom);
    h.send(kObs, R"({"request":"fly"})");
    EXPECT_EQ(errorCode(h.lastPush(kObs)), room::errc::kUnknownRequest);
    h.send(kObs, R"({"request":"kick"})");
    EXPECT_EQ(errorCode(h.lastPush(kObs)), room::errc::kMissingField);
    h.send(kObs, R"({"request":"leave"})");
    EXPECT_EQ(errorCode(h.lastPush(kObs)), room::errc::kNotJoined);
    h.send(kPatA, R"({"request":"join","room":"x","token":"y"})");
    EXPECT_EQ(errorCode(h.lastPush(kPatA)), room::errc::kAlreadyJoined);
}

TEST_F(Room, EventsArePhiFreeAndNamePeopleByPseudonym) {
    h.join(kDr, room, "provider", "dr-1", "Dr. Provider");
    h.join(kPatA, room, "patient", "pat-a", "Alice Patient");
    admit(kPatA);
    h.send(kDr, R"({"request":"note","text":"Secret clinical text"})");
    h.joinWith(kPatB, room, "garbage");
    h.send(kPatA, R"({"request":"leave"})");
    h.send(kDr, R"({"request":"end"})");
    JsonPtr info;
    h.admin(R"({"request":"info","room":")" + room + R"("})", &info);
    std::string all = jsonDump(info.get());
    bool sawPseudonym = false;
    for (const json_t* n : h.notifies()) {
        std::string s = jsonDump(n);
        all += s;
        sawPseudonym |= s.find(h.pseudonymOf("pat-a")) != std::string::npos;
    }
    EXPECT_TRUE(sawPseudonym);
    for (const char* phi : {"Dr. Provider", "Alice Patient", "Patient/", "Practitioner/", "Encounter/", "pat-a", "dr-1",
                            "Secret clinical", "eyJ", "Jane Doe", "garbage"})
        EXPECT_EQ(all.find(phi), std::string::npos) << phi;
    std::set<std::string> events;
    for (const json_t* n : h.notifies()) events.insert(std::string(jsonString(n, "event").value_or("")));
    for (const char* e : {"room_created", "join", "admitted", "note", "left", "visit_ended"})
        EXPECT_TRUE(events.contains(e)) << e;
}

TEST_F(Room, AdminListInfoStatsDestroy) {
    JsonPtr r;
    h.admin(R"({"request":"list"})", &r);
    EXPECT_EQ(json_array_size(json_object_get(r.get(), "rooms")), 1u);
    h.join(kDr, room, "provider", "dr-1", "Dr. Provider");
    h.admin(R"({"request":"info","room":")" + room + R"("})", &r);
    const json_t* p = json_array_get(json_object_get(r.get(), "participants"), 0);
    EXPECT_EQ(keysOf(p), (std::set<std::string>{"id", "participant", "role", "state"}));
    EXPECT_EQ(jsonString(p, "participant").value_or(""), h.pseudonymOf("dr-1"));
    EXPECT_TRUE(jsonBool(r.get(), "has_description").value_or(false));
    h.admin(R"({"request":"stats"})", &r);
    EXPECT_EQ(jsonInt(json_object_get(r.get(), "counters"), "joins_ok").value_or(0), 1);
    h.admin(R"({"request":"destroy","room":")" + room + R"("})", &r);
    EXPECT_TRUE(h.ended(kDr));
    EXPECT_EQ(h.visits.size(), 1u);
    Effects out;
    EXPECT_THROW(h.service().admin(jsonParse(R"({"request":"info","room":"gone"})").get(), 0, out), RequestError);
    EXPECT_THROW(h.service().admin(jsonParse(R"({"request":"create","room":"bad id!"})").get(), 0, out), RequestError);
    EXPECT_THROW(h.service().admin(jsonParse(R"({"request":"create","class":"nope"})").get(), 0, out), RequestError);
}

}  // namespace

// SPDX-License-Identifier: GPL-3.0-or-later
// janus.plugin.hipaa.room inside the real Janus, over its HTTP API, with tokens minted by
// scripts/mint-token from the development key scripts/janus-conf.sh generated.
// RoomAuditTrail runs a whole consult with the audit handler storing to the test PostgreSQL and
// asserts each step's PHI-free row there.
#include "AuditFixture.hpp"
#include "ClientTab.hpp"
#include "JanusClient.hpp"
#include "JanusProcess.hpp"
#include "Shell.hpp"
#include "SqlFixtures.hpp"
#include "TempDir.hpp"
#include "TestDatabase.hpp"

#include "hipaa/Encoding.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <thread>

using namespace hipaa;
using namespace hipaa::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kRoom = "janus.plugin.hipaa.room";

const json_t* data(const json_t* ev) { return json_object_get(json_object_get(ev, "plugindata"), "data"); }

class RoomGateway : public ::testing::Test {
protected:
    void SetUp() override {
        std::string cfg = readFile(janus.configFile("janus.plugin.hipaa.room.jcfg"));
        cfg += "\nclass-quick: {\n\tidle_timeout = 2\n}\nclass-e2ee: {\n\te2ee = true\n}\n";
        cfg += "\nclass-dob: {\n\tdob_check = true\n}\n";
        janus.writeConfig("janus.plugin.hipaa.room.jcfg", cfg, 0600);
        configure();
        janus.start();
        admin = std::make_unique<JanusClient>(janus);
    }
    void TearDown() override {
        std::string log = janus.log();
        EXPECT_EQ(janus.stop(), 0);
        // Nothing a token carried reaches Janus' log: no names, no FHIR references, no token.
        for (const char* phi : {"Dr. Strange", "Alice Waiting", "Bob Waiting", "Patient/", "eyJ", "Knee improving"})
            EXPECT_EQ(log.find(phi), std::string::npos) << phi;
    }
    // Before Janus starts: subclasses edit the generated config.
    virtual void configure() {}
    std::string createRoom(const std::string& cls = "default") {
        JsonPtr r = admin->messagePlugin(
            kRoom, J(R"({"request":"create","class":")" + cls + R"(","description":"Alice Waiting, knee"})").get());
        std::string id(jsonString(r.get(), "room").value_or(""));
        EXPECT_FALSE(id.empty()) << jsonDump(r.get());
        return id;
    }
    std::string mint(const std::string& room, const std::string& role, const std::string& sub,
                     const std::string& name = "", const std::string& extra = "") {
        std::string cmd = std::string("python3 ") + HIPAA_SOURCE_DIR + "/scripts/mint-token --key '" +
                          janus.configFile("keys/dev-es256.pem") + "' --room " + room + " --role " + role + " --sub " +
                          sub + (name.empty() ? "" : " --name '" + name + "'") + " " + extra;
        std::string t = Shell::output(cmd);
        EXPECT_EQ(std::count(t.begin(), t.end(), '.'), 2) << t;
        return t;
    }

    JanusProcess janus;
    std::unique_ptr<JanusClient> admin;
};

TEST_F(RoomGateway, ProviderAndPatientsJoinWaitingPatientLearnsNothingAdmitAndDeny) {
    std::string room = createRoom();
    ClientTab dr(janus), alice(janus), bob(janus);
    dr.join(room, mint(room, "provider", "dr-1", "Dr. Strange", "--fhir-practitioner Practitioner/9"));
    JsonPtr joined = dr.waitKind("joined");
    ASSERT_TRUE(joined);
    EXPECT_EQ(jsonString(data(joined.get()), "role").value_or(""), "provider");

    alice.join(room, mint(room, "patient", "pt-alice", "", "--fhir-patient Patient/1"), "", "Alice Waiting");
    JsonPtr waiting = alice.waitKind("waiting");
    ASSERT_TRUE(waiting);
    std::set<std::string> keys;
    const char* k;
    json_t* v;
    json_object_foreach(const_cast<json_t*>(data(waiting.get())), k, v) keys.insert(k);
    // `policy`: the class' rules, about no one.
    EXPECT_EQ(keys, (std::set<std::string>{"hipaa.room", "videoroom", "room", "id", "policy"}));
    EXPECT_EQ(jsonString(json_object_get(data(waiting.get()), "policy"), "recording").value_or(""), "consent");
    std::string aliceId(jsonString(data(waiting.get()), "id").value_or(""));

    bob.join(room, mint(room, "patient", "pt-bob"), "", "Bob Waiting");
    JsonPtr bobWaiting = bob.waitKind("waiting");
    ASSERT_TRUE(bobWaiting);
    std::string bobId(jsonString(data(bobWaiting.get()), "id").value_or(""));

    // The provider sees both waiting, with names.
    JsonPtr list = dr.wait([](const json_t* d) { return json_array_size(json_object_get(d, "waiting")) == 2; });
    ASSERT_TRUE(list);
    std::string dump = jsonDump(data(list.get()));
    EXPECT_NE(dump.find("Alice Waiting"), std::string::npos);
    EXPECT_NE(dump.find("Bob Waiting"), std::string::npos);

    dr.send(R"({"request":"admit","id":")" + aliceId + R"("})");
    JsonPtr admitted = alice.waitKind("joined");
    ASSERT_TRUE(admitted);
    std::string seen = jsonDump(data(admitted.get()));
    EXPECT_NE(seen.find("Dr. Strange"), std::string::npos) << seen;  // patients see providers' names
    EXPECT_EQ(seen.find("Bob"), std::string::npos) << seen;
    // Events arrive in order: while she waited (Bob joined, the provider's list changed), Alice got
    // nothing but her own waiting event. (A timed-out long poll can lose events in Janus' HTTP
    // transport, so the test waits for the next real event instead of polling for silence.)
    auto events = alice.pluginEvents();
    ASSERT_EQ(events.size(), 2u);
    std::string before = jsonDump(events[0]);
    for (const char* other : {"Bob", "Dr. Strange", "provider", "waiting\":[", bobId.c_str()})
        EXPECT_EQ(before.find(other), std::string::npos) << before;

    dr.send(R"({"request":"deny","id":")" + bobId + R"("})");
    JsonPtr denied = bob.waitKind("ended");
    ASSERT_TRUE(denied);
    EXPECT_EQ(jsonString(data(denied.get()), "reason").value_or(""), "denied");
    EXPECT_TRUE(bob.detached());

    // Admin info names participants by pseudonym only; the description never appears.
    JsonPtr info = admin->messagePlugin(kRoom, J(R"({"request":"info","room":")" + room + R"("})").get());
    std::string is = jsonDump(info.get());
    EXPECT_NE(is.find("ps1_"), std::string::npos) << is;
    for (const char* phi : {"Alice", "Dr. Strange", "knee", "pt-alice"})
        EXPECT_EQ(is.find(phi), std::string::npos) << phi;
}

TEST_F(RoomGateway, KickEndAndLateJoinerRefused) {
    std::string room = createRoom("interpreted");  // interpreters skip the waiting room here
    ClientTab dr(janus), interp(janus), pt(janus), late(janus);
    dr.join(room, mint(room, "provider", "dr-1"));
    ASSERT_TRUE(dr.waitKind("joined"));
    interp.join(room, mint(room, "interpreter", "int-1"));
    JsonPtr ij = interp.waitKind("joined");
    ASSERT_TRUE(ij);
    std::string interpId(jsonString(data(ij.get()), "id").value_or(""));
    pt.join(room, mint(room, "patient", "pt-1"));
    ASSERT_TRUE(pt.waitKind("waiting"));

    // A patient (waiting) may not moderate: role denial with its code, and nothing happens.
    pt.send(R"({"request":"kick","id":")" + interpId + R"("})");
    JsonPtr err = pt.waitError();
    ASSERT_TRUE(err);
    EXPECT_EQ(jsonInt(data(err.get()), "error_code").value_or(0), 434);

    dr.send(R"({"request":"kick","id":")" + interpId + R"("})");
    JsonPtr kicked = interp.waitKind("ended");
    ASSERT_TRUE(kicked);
    EXPECT_EQ(jsonString(data(kicked.get()), "reason").value_or(""), "kicked");
    EXPECT_TRUE(interp.detached());

    // A note always gets a definite answer: accepted by a VisitBus subscriber (the FHIR handler, once
    // it subscribes) or refused with 437, never dropped silently.
    dr.send(R"({"request":"note","text":"Knee improving, continue physio."})");
    JsonPtr noteAnswer = dr.wait([](const json_t* d) {
        return jsonString(d, "result").value_or("") == "note_submitted" || jsonInt(d, "error_code").value_or(0) == 437;
    });
    ASSERT_TRUE(noteAnswer);
    EXPECT_EQ(jsonDump(noteAnswer.get()).find("Knee"), std::string::npos);

    dr.send(R"({"request":"end"})");
    for (ClientTab* t : {&dr, &pt}) {
        JsonPtr e = t->waitKind("ended");
        ASSERT_TRUE(e);
        EXPECT_EQ(jsonString(data(e.get()), "reason").value_or(""), "ended_by_provider");
        EXPECT_TRUE(t->detached());
    }
    late.join(room, mint(room, "patient", "pt-2"));
    JsonPtr lateErr = late.waitError();
    ASSERT_TRUE(lateErr);
    EXPECT_EQ(jsonInt(data(lateErr.get()), "error_code").value_or(0), 431);
}

TEST_F(RoomGateway, IdleTimeoutEndsTheSessionWithAClearEvent) {
    std::string room = createRoom("quick");
    ClientTab pt(janus);
    pt.join(room, mint(room, "patient", "pt-1"));
    ASSERT_TRUE(pt.waitKind("waiting"));
    JsonPtr ended = pt.waitKind("ended", 8s);
    ASSERT_TRUE(ended);
    EXPECT_EQ(jsonString(data(ended.get()), "reason").value_or(""), "idle_timeout");
    EXPECT_TRUE(pt.detached());
}

TEST_F(RoomGateway, RevocationEndsALiveSessionAndRefusesTheSubject) {
    std::string room = createRoom();
    ClientTab dr(janus), pt(janus), again(janus);
    dr.join(room, mint(room, "provider", "dr-1"));
    ASSERT_TRUE(dr.waitKind("joined"));
    pt.join(room, mint(room, "patient", "pt-revoked"));
    ASSERT_TRUE(pt.waitKind("waiting"));
    JsonPtr r = admin->messagePlugin(kRoom, J(R"({"request":"revoke","sub":"pt-revoked","ttl":600})").get());
    EXPECT_EQ(jsonInt(r.get(), "sessions_ended").value_or(0), 1) << jsonDump(r.get());
    JsonPtr ended = pt.waitKind("ended");
    ASSERT_TRUE(ended);
    EXPECT_EQ(jsonString(data(ended.get()), "reason").value_or(""), "revoked");
    EXPECT_TRUE(pt.detached());
    again.join(room, mint(room, "patient", "pt-revoked"));
    JsonPtr err = again.waitError();
    ASSERT_TRUE(err);
    EXPECT_EQ(jsonInt(data(err.get()), "error_code").value_or(0), 414);
}

TEST_F(RoomGateway, ReplayedTokenIsRefused) {
    std::string room = createRoom();
    std::string token = mint(room, "patient", "pt-1");
    ClientTab first(janus), second(janus);
    first.join(room, token);
    ASSERT_TRUE(first.waitKind("waiting"));
    second.join(room, token);
    JsonPtr err = second.waitError();
    ASSERT_TRUE(err);
    EXPECT_EQ(jsonInt(data(err.get()), "error_code").value_or(0), 413);
    JsonPtr stats = admin->messagePlugin(kRoom, J(R"({"request":"stats"})").get());
    EXPECT_EQ(jsonInt(json_object_get(stats.get(), "counters"), "refused_replayed").value_or(0), 1)
        << jsonDump(stats.get());
}

// Nobody can lock a consult from outside: 100 junk tokens from ten browser tabs are refused (each tab
// is rate-limited once it failed 10 times, 421), then the provider's MFA token and the patient's link
// with her date of birth get in; her reloading the used link is refused (413) and locks nothing.
TEST_F(RoomGateway, HundredGarbageTokensThenTheProviderAndThePatientJoin) {
    std::string room = createRoom("dob");
    std::string forged = mint(room, "provider", "dr-forger");
    forged[forged.size() - 2] = forged[forged.size() - 2] == 'A' ? 'B' : 'A';  // a signature that does not verify
    std::vector<std::unique_ptr<ClientTab>> tabs;
    for (int t = 0; t < 10; ++t) {
        tabs.push_back(std::make_unique<ClientTab>(janus));
        for (int i = 0; i < 10; ++i) {
            tabs.back()->join(room, i % 3 == 0 ? "junk" : i % 3 == 1 ? "eyJhbGciOiJub25lIn0.e30." : forged);
            JsonPtr e = tabs.back()->waitError();
            ASSERT_TRUE(e) << "tab " << t << " join " << i;
            int64_t code = jsonInt(data(e.get()), "error_code").value_or(0);
            EXPECT_TRUE(code == 401 || code == 403 || code == 405) << jsonDump(e.get());
        }
    }
    tabs[0]->join(room, mint(room, "provider", "dr-in-a-noisy-tab"));
    JsonPtr limited = tabs[0]->waitError();
    ASSERT_TRUE(limited);
    EXPECT_EQ(jsonInt(data(limited.get()), "error_code").value_or(0), 421) << "that tab failed 10 times";

    ClientTab dr(janus), pt(janus);
    dr.join(room, mint(room, "provider", "dr-1", "Dr. Strange"));
    JsonPtr joined = dr.waitKind("joined");
    ASSERT_TRUE(joined) << "the provider was locked out by strangers";
    std::string link = mint(room, "patient", "pt-1", "", "--dob 1980-02-29");
    pt.join(room, link, "1980-02-29", "Alice Waiting");
    ASSERT_TRUE(pt.waitKind("waiting")) << "the patient was locked out by strangers";
    for (int i = 0; i < 12; ++i) {  // she reloads the page: a new tab, the same (spent) link
        ClientTab reload(janus);
        reload.join(room, link, "1980-02-29", "Alice Waiting");
        JsonPtr e = reload.waitError();
        ASSERT_TRUE(e);
        EXPECT_EQ(jsonInt(data(e.get()), "error_code").value_or(0), 413);
    }
    ClientTab bob(janus);
    bob.join(room, mint(room, "patient", "pt-2", "", "--dob 1980-02-29"), "1980-02-29", "Bob Waiting");
    ASSERT_TRUE(bob.waitKind("waiting"));

    JsonPtr stats = admin->messagePlugin(kRoom, J(R"({"request":"stats"})").get());
    const json_t* c = json_object_get(stats.get(), "counters");
    EXPECT_EQ(jsonInt(c, "lockouts_session").value_or(0), 10) << jsonDump(stats.get());
    EXPECT_EQ(jsonInt(c, "refused_rate_limited").value_or(0), 1) << jsonDump(stats.get());
    EXPECT_EQ(jsonInt(c, "refused_replayed").value_or(0), 12) << jsonDump(stats.get());
    EXPECT_EQ(jsonInt(c, "lockouts").value_or(0), 0) << jsonDump(stats.get());
    JsonPtr info = admin->messagePlugin(kRoom, J(R"({"request":"info","room":")" + room + R"("})").get());
    EXPECT_EQ(jsonInt(info.get(), "locked_subjects").value_or(-1), 0) << jsonDump(info.get());
}

// A private_id opens subscriber handles only in the Janus session that joined: another tab that
// learned it is refused like a guess (464), and its guesses are counted (421 after 10); a second
// handle in the owner's own tab is accepted (here 461: the provider has published nothing yet).
TEST_F(RoomGateway, SubscriberHandleOfAnotherJanusSessionCannotUseAPrivateId) {
    std::string room = createRoom();
    ClientTab dr(janus), intruder(janus);
    dr.join(room, mint(room, "provider", "dr-1"));
    JsonPtr joined = dr.waitKind("joined");
    ASSERT_TRUE(joined);
    int64_t privateId = jsonInt(data(joined.get()), "private_id").value_or(0);
    std::string id(jsonString(data(joined.get()), "id").value_or(""));
    ASSERT_GT(privateId, 0);
    std::string subscribe = R"({"request":"join","ptype":"subscriber","room":")" + room + R"(","private_id":)" +
                            std::to_string(privateId) + R"(,"streams":[{"feed":")" + id + R"("}]})";
    for (int i = 0; i < 10; ++i) {
        intruder.send(subscribe);
        JsonPtr e = intruder.waitError();
        ASSERT_TRUE(e);
        EXPECT_EQ(jsonInt(data(e.get()), "error_code").value_or(0), 464) << jsonDump(e.get());
    }
    intruder.send(subscribe);
    JsonPtr limited = intruder.waitError();
    ASSERT_TRUE(limited);
    EXPECT_EQ(jsonInt(data(limited.get()), "error_code").value_or(0), 421);

    uint64_t own = dr.attach();
    dr.sendOn(own, subscribe);
    JsonPtr e = dr.waitErrorOn(own);
    ASSERT_TRUE(e);
    EXPECT_EQ(jsonInt(data(e.get()), "error_code").value_or(0), 461) << jsonDump(e.get());
}

// The whole consult with janus.eventhandler.hipaa.audit storing to the test PostgreSQL: every step
// leaves its PHI-free row (participants as the same ps1_ pseudonyms the audit `pseudonym` request
// computes), and no name, token, subject, FHIR reference, room description or date of birth is
// anywhere in the database.
class RoomAuditTrail : public RoomGateway {
protected:
    void configure() override {
        setAuditKey(janus, "conninfo", "\"" + db.conninfo() + "\"");
        setAuditKey(janus, "instance_id", "\"it-room\"");
        setAuditKey(janus, "checkpoint_every", "20");
    }
    std::string pseudonymOf(const std::string& sub) {
        JsonPtr r = auditRequest(*admin, R"({"request":"pseudonym","iss":"janus-hipaa-dev","sub":")" + sub + R"("})");
        std::string ps(jsonString(r.get(), "pseudonym").value_or(""));
        EXPECT_TRUE(ps.starts_with("ps1_")) << jsonDump(r.get());
        return ps;
    }

    TestDatabase db;  // constructed before the fixture's SetUp configures Janus with it
};

TEST_F(RoomAuditTrail, EveryStepLeavesItsPhiFreeRowAndNoNameTokenSubOrDobIsInTheDatabase) {
    const std::string dob = "1971-03-14", wrongDob = "1971-03-15";
    const std::string dobArg = "--dob " + dob;
    std::string room = createRoom("dob");
    ClientTab dr(janus), alice(janus), bob(janus), carol(janus), replay(janus), dave(janus);
    std::map<std::string, std::string> tokens;
    tokens["dr"] = mint(room, "provider", "sub-dr-strange-4711", "Dr. Strange",
                        "--jti jti-dr-9f1 --fhir-practitioner Practitioner/9 --fhir-encounter Encounter/77");
    tokens["alice"] =
        mint(room, "patient", "sub-pt-alice-0815", "", "--jti jti-alice-3c2 --fhir-patient Patient/1 " + dobArg);
    tokens["bob"] = mint(room, "patient", "sub-pt-bob-0816", "", "--jti jti-bob-8d4 " + dobArg);
    tokens["carol"] = mint(room, "patient", "sub-pt-carol-0817", "", "--jti jti-carol-5e6 " + dobArg);
    tokens["dave"] = mint(room, "patient", "sub-pt-dave-0818", "", "--jti jti-dave-7a9 " + dobArg);

    // Provider joins; patient joins and waits; provider admits.
    dr.join(room, tokens["dr"]);
    ASSERT_TRUE(dr.waitKind("joined"));
    // Refused by the request parser (no token) and by a wrong date of birth: both recorded.
    alice.send(R"({"request":"join","room":")" + room + R"("})");
    JsonPtr e = alice.waitError();
    ASSERT_TRUE(e);
    EXPECT_EQ(jsonInt(data(e.get()), "error_code").value_or(0), 302);
    alice.join(room, tokens["alice"], wrongDob, "Alice Waiting");
    e = alice.waitError();
    ASSERT_TRUE(e);
    EXPECT_EQ(jsonInt(data(e.get()), "error_code").value_or(0), 416);
    alice.join(room, tokens["alice"], dob, "Alice Waiting");
    JsonPtr w = alice.waitKind("waiting");
    ASSERT_TRUE(w);
    dr.send(R"({"request":"admit","id":")" + std::string(jsonString(data(w.get()), "id").value_or("")) + R"("})");
    ASSERT_TRUE(alice.waitKind("joined"));
    // A second patient is denied.
    bob.join(room, tokens["bob"], dob, "Bob Waiting");
    w = bob.waitKind("waiting");
    ASSERT_TRUE(w);
    dr.send(R"({"request":"deny","id":")" + std::string(jsonString(data(w.get()), "id").value_or("")) + R"("})");
    e = bob.waitKind("ended");
    ASSERT_TRUE(e);
    EXPECT_EQ(jsonString(data(e.get()), "reason").value_or(""), "denied");
    // A third is admitted, then kicked.
    carol.join(room, tokens["carol"], dob, "Carol Kicked");
    w = carol.waitKind("waiting");
    ASSERT_TRUE(w);
    std::string carolId(jsonString(data(w.get()), "id").value_or(""));
    dr.send(R"({"request":"admit","id":")" + carolId + R"("})");
    ASSERT_TRUE(carol.waitKind("joined"));
    dr.send(R"({"request":"kick","id":")" + carolId + R"("})");
    e = carol.waitKind("ended");
    ASSERT_TRUE(e);
    EXPECT_EQ(jsonString(data(e.get()), "reason").value_or(""), "kicked");
    // A replayed token (Alice's, already spent) is refused.
    replay.join(room, tokens["alice"], dob);
    e = replay.waitError();
    ASSERT_TRUE(e);
    EXPECT_EQ(jsonInt(data(e.get()), "error_code").value_or(0), 413);
    // A revocation through the Admin API ends a live (waiting) session.
    dave.join(room, tokens["dave"], dob, "Dave Revoked");
    ASSERT_TRUE(dave.waitKind("waiting"));
    JsonPtr rv = admin->messagePlugin(kRoom, J(R"({"request":"revoke","sub":"sub-pt-dave-0818","ttl":600})").get());
    EXPECT_EQ(jsonInt(rv.get(), "sessions_ended").value_or(0), 1) << jsonDump(rv.get());
    e = dave.waitKind("ended");
    ASSERT_TRUE(e);
    EXPECT_EQ(jsonString(data(e.get()), "reason").value_or(""), "revoked");
    // The provider ends the visit.
    dr.send(R"({"request":"end"})");
    for (ClientTab* t : {&dr, &alice}) {
        e = t->waitKind("ended");
        ASSERT_TRUE(e);
        EXPECT_EQ(jsonString(data(e.get()), "reason").value_or(""), "ended_by_provider");
    }

    std::map<std::string, std::string> ps;
    for (const char* who : {"dr-strange-4711", "pt-alice-0815", "pt-bob-0816", "pt-carol-0817", "pt-dave-0818"})
        ps[who] = pseudonymOf(std::string("sub-") + who);

    // Everything the room emitted is in the table.
    PgConn conn = db.connect();
    auto count = [&](const std::string& where) {
        return std::stoll(scalar(conn, "SELECT count(*) FROM audit_record WHERE instance_id = 'it-room' AND " + where));
    };
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (count("action = 'plugin.hipaa.room.visit_ended'") == 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(100ms);
    JsonPtr st = waitStats(*admin, settled);
    ASSERT_TRUE(settled(st.get())) << jsonDump(st.get());

    const std::string r = "room = '" + room + "' AND plugin = 'janus.plugin.hipaa.room' AND ";
    EXPECT_EQ(count(r + "action = 'plugin.hipaa.room.room_created'"), 1);
    // Joins: five accepted (as their pseudonyms, in the right state), one refused as replayed.
    EXPECT_EQ(count(r + "action = 'plugin.hipaa.room.join' AND event->'event'->'data'->>'outcome' = 'accepted'"), 5);
    EXPECT_EQ(
        count(r + "action = 'plugin.hipaa.room.join' AND actor = '" + ps["dr-strange-4711"] +
              "' AND event->'event'->'data'->>'state' = 'admitted' AND event->'event'->'data'->>'role' = 'provider'"),
        1);
    for (const char* pt : {"pt-alice-0815", "pt-bob-0816", "pt-carol-0817", "pt-dave-0818"})
        EXPECT_EQ(
            count(r + "action = 'plugin.hipaa.room.join' AND actor = '" + ps[pt] +
                  "' AND event->'event'->'data'->>'state' = 'waiting' AND event->'event'->'data'->>'role' = 'patient'"),
            1)
            << pt;
    EXPECT_EQ(
        count(r + "action = 'plugin.hipaa.room.join' AND outcome = 'failure' AND actor = '" + ps["pt-alice-0815"] +
              "' AND event->'event'->'data'->>'reason' = 'replayed' AND event->'event'->'data'->>'error_code' = '413'"),
        1);
    // The wrong date of birth (authentic link: the subject is named) and the join without a token
    // (refused by the request parser, before anything could be named).
    const std::string refused = r + "action = 'plugin.hipaa.room.join' AND outcome = 'failure' AND ";
    EXPECT_EQ(count(refused + "actor = '" + ps["pt-alice-0815"] +
                    "' AND event->'event'->'data'->>'reason' = 'dob_mismatch' " +
                    "AND event->'event'->'data'->>'error_code' = '416'"),
              1);
    EXPECT_EQ(count(refused + "event->'event'->'data'->>'reason' = 'missing_field' AND " +
                    "event->'event'->'data'->>'error_code' = '302'"),
              1);
    // Decisions name the participant and the provider who took them.
    auto decided = [&](const char* action, const char* pt) {
        return count(r + "action = 'plugin.hipaa.room." + action + "' AND actor = '" + ps[pt] +
                     "' AND event->'event'->'data'->>'by' = '" + ps["dr-strange-4711"] + "'");
    };
    EXPECT_EQ(decided("admitted", "pt-alice-0815"), 1);
    EXPECT_EQ(decided("admitted", "pt-carol-0817"), 1);
    EXPECT_EQ(decided("denied", "pt-bob-0816"), 1);
    EXPECT_EQ(decided("kicked", "pt-carol-0817"), 1);
    EXPECT_EQ(count(r + "action = 'plugin.hipaa.room.admitted'"), 2);
    EXPECT_EQ(count(r + "action = 'plugin.hipaa.room.denied'"), 1);
    EXPECT_EQ(count(r + "action = 'plugin.hipaa.room.kicked'"), 1);
    auto left = [&](const char* pt, const char* reason) {
        return count(r + "action = 'plugin.hipaa.room.left' AND actor = '" + ps[pt] +
                     "' AND event->'event'->'data'->>'reason' = '" + reason + "'");
    };
    EXPECT_EQ(left("pt-bob-0816", "denied"), 1);
    EXPECT_EQ(left("pt-carol-0817", "kicked"), 1);
    EXPECT_EQ(left("pt-dave-0818", "revoked"), 1);
    // The revocation (not tied to a room) says how, never whom.
    EXPECT_EQ(count("action = 'plugin.hipaa.room.revoked' AND event->'event'->'data'->>'by' = 'sub' AND "
                    "event->'event'->'data'->>'sessions_ended' = '1'"),
              1);
    EXPECT_EQ(
        count(
            r +
            "action = 'plugin.hipaa.room.visit_ended' AND event->'event'->'data'->>'reason' = 'ended_by_provider' AND "
            "event->'event'->'data'->>'participants' = '5'"),
        1);
    // Every room event kept its name, and its action names the plugin.
    EXPECT_EQ(count("plugin = 'janus.plugin.hipaa.room' AND janus_type = 64 AND (event->'event'->'data'->>'event' IS "
                    "NULL OR action NOT LIKE 'plugin.hipaa.room.%')"),
              0);
    std::printf("room consult: %lld audit rows, %lld from janus.plugin.hipaa.room\n", count("true"),
                count("plugin = 'janus.plugin.hipaa.room' AND janus_type = 64"));

    // The whole database as text: nothing a token carried, nothing typed.
    std::string dump = db.dump();
    ASSERT_NE(dump.find("plugin.hipaa.room.visit_ended"), std::string::npos) << "the dump holds the trail";
    ASSERT_NE(dump.find(ps["pt-alice-0815"]), std::string::npos);
    std::vector<std::string> forbidden = {
        "Dr. Strange", "Strange",    "Alice",         "Bob Waiting",    "Carol",  "Dave",     "Kicked",
        "Revoked",     "sub-",       "dr-strange",    "pt-alice",       "pt-bob", "pt-carol", "pt-dave",
        "jti-",        "Patient/",   "Practitioner/", "Encounter/",     "knee",   "eyJ",      dob,
        "19710314",    "14.03.1971", "03/14/1971",    "janus-hipaa-dev"};
    forbidden.push_back(wrongDob);
    forbidden.push_back(Shell::output("printf %s " + dob + " | sha256sum | cut -d' ' -f1"));  // what dob_sha256 was
    for (const char* who : {"alice", "bob", "carol", "dave"}) {  // each link's dob_hmac, as sent and in hex
        const std::string& t = tokens[who];
        size_t a = t.find('.'), b = t.rfind('.');
        auto payload = base64urlDecode(t.substr(a + 1, b - a - 1));
        ASSERT_TRUE(payload);
        JsonPtr claims = jsonParse(std::string(payload->begin(), payload->end()));
        std::string mac(jsonString(claims.get(), "dob_hmac").value_or(""));
        ASSERT_EQ(mac.size(), 43u) << who;
        EXPECT_FALSE(json_object_get(claims.get(), "dob_sha256"));
        EXPECT_FALSE(json_object_get(claims.get(), "name"));
        forbidden.push_back(mac);
        forbidden.push_back(hexEncode(*base64urlDecode(mac)));
    }
    for (const auto& [who, t] : tokens) {
        forbidden.push_back(t);
        size_t a = t.find('.'), b = t.rfind('.');
        forbidden.push_back(t.substr(a + 1, 24));  // payload
        forbidden.push_back(t.substr(b + 1, 24));  // signature
    }
    for (const auto& f : forbidden) EXPECT_EQ(dump.find(f), std::string::npos) << "found in the database: " << f;

    JsonPtr v = auditRequest(*admin, R"({"request":"verify"})");
    EXPECT_EQ(jsonBool(v.get(), "ok"), true) << jsonDump(v.get());
}

// Fail closed in the real Janus: with the audit handler switched off nobody is admitted to a visit
// (441, reason audit_not_loaded), and the refusal names no participant.
class RoomWithoutAudit : public RoomGateway {
    void configure() override {
        janus.writeConfig("janus.eventhandler.hipaa.audit.jcfg", "general: {\n\tenabled = false\n}\n", 0600);
    }
};

TEST_F(RoomWithoutAudit, NoVisitStartsWhileTheAuditTrailIsNotLoaded) {
    std::string room = createRoom();
    ClientTab dr(janus);
    dr.join(room, mint(room, "provider", "dr-1", "Dr. Strange"));
    JsonPtr err = dr.waitError();
    ASSERT_TRUE(err) << "no answer to the join";
    EXPECT_EQ(jsonInt(data(err.get()), "error_code").value_or(0), 441) << jsonDump(err.get());
    std::string text = jsonDump(err.get());
    EXPECT_NE(text.find("audit_not_loaded"), std::string::npos) << text;
    EXPECT_EQ(text.find("Strange"), std::string::npos) << text;
    JsonPtr stats = admin->messagePlugin(kRoom, J(R"({"request":"stats"})").get());
    EXPECT_EQ(jsonInt(json_object_get(stats.get(), "counters"), "audit_refusals").value_or(0), 1)
        << jsonDump(stats.get());
    EXPECT_EQ(jsonInt(json_object_get(stats.get(), "counters"), "joins_ok").value_or(0), 0) << jsonDump(stats.get());
}

TEST(RoomGatewayStart, RefusesToLoadWhenJanusRunsWithoutWebrtcEncryption) {
    JanusProcess janus;
    std::string cfg = readFile(janus.configFile("janus.jcfg"));
    cfg.replace(cfg.find("general: {"), 10, "general: {\n\tno_webrtc_encryption = true");
    janus.writeConfig("janus.jcfg", cfg);
    janus.start();
    JanusClient client(janus);
    JsonPtr info = client.adminInfo();
    EXPECT_FALSE(json_object_get(json_object_get(info.get(), "plugins"), kRoom));
    EXPECT_TRUE(json_object_get(json_object_get(info.get(), "plugins"), "janus.plugin.hipaa.recorder"));
    std::string log = janus.log();
    EXPECT_NE(log.find("WebRTC encryption disabled"), std::string::npos) << log;
    EXPECT_EQ(janus.stop(), 0);
}

}  // namespace

// Recording signalling through the real Janus: the provider asks, the patient consents, the room
// starts its recording tap against janus.plugin.hipaa.recorder loaded in the same process (reached
// through libhipaa_common's RecordingSink slot), and stops it; e2ee rooms refuse. Media through the room
// (and so the recorded files) are covered by the browser tests (DemoConsultBrowser).
TEST_F(RoomGateway, ProviderRecordsAfterThePatientsConsentAndE2eeRoomsRefuse) {
    std::string room = createRoom();
    ClientTab dr(janus), alice(janus);
    dr.join(room, mint(room, "provider", "dr-1", "Dr. Strange"));
    ASSERT_TRUE(dr.waitKind("joined"));
    alice.join(room, mint(room, "patient", "pt-alice"), "", "Alice Waiting");
    JsonPtr waiting = alice.waitKind("waiting");
    ASSERT_TRUE(waiting);
    std::string aliceId(jsonString(data(waiting.get()), "id").value_or(""));

    // Before admission she cannot consent to anything.
    alice.send(R"({"request":"consent","consent":true})");
    JsonPtr refused = alice.waitError();
    ASSERT_TRUE(refused);
    EXPECT_EQ(jsonInt(data(refused.get()), "error_code").value_or(0), 434);
    dr.send(R"({"request":"admit","id":")" + aliceId + R"("})");
    ASSERT_TRUE(alice.waitKind("joined"));

    alice.send(R"({"request":"record"})");
    JsonPtr forbidden = alice.waitError();
    ASSERT_TRUE(forbidden);
    EXPECT_EQ(jsonInt(data(forbidden.get()), "error_code").value_or(0), 434);

    dr.send(R"({"request":"record"})");
    JsonPtr asked =
        dr.wait([](const json_t* d) { return jsonString(d, "result").value_or("") == "consent_requested"; });
    ASSERT_TRUE(asked);
    JsonPtr request =
        alice.wait([](const json_t* d) { return jsonString(d, "consent_request").value_or("") == "record"; });
    ASSERT_TRUE(request);
    alice.send(R"({"request":"consent","consent":true})");
    auto started = [](const json_t* d) { return jsonString(d, "recording").value_or("") == "started"; };
    JsonPtr drStarted = dr.wait(started);
    ASSERT_TRUE(drStarted) << "the room could not start its tap against the recorder in this Janus";
    ASSERT_TRUE(alice.wait(started));

    // The recorder answered the room in-process: it is alive and nothing is recorded without media.
    JsonPtr list = admin->messagePlugin("janus.plugin.hipaa.recorder", J(R"({"request":"list"})").get());
    EXPECT_EQ(json_array_size(json_object_get(list.get(), "recordings")), 0u) << jsonDump(list.get());

    // Withdrawal by the patient stops it for everyone.
    alice.send(R"({"request":"consent","consent":false})");
    auto stopped = [](const json_t* d) { return jsonString(d, "recording").value_or("") == "stopped"; };
    JsonPtr drStopped = dr.wait(stopped);
    ASSERT_TRUE(drStopped);
    EXPECT_EQ(jsonString(data(drStopped.get()), "reason").value_or(""), "consent_withdrawn");
    dr.send(R"({"request":"stop_record"})");
    JsonPtr notRecording = dr.waitError();
    ASSERT_TRUE(notRecording);
    EXPECT_EQ(jsonInt(data(notRecording.get()), "error_code").value_or(0), 455);

    // End-to-end encrypted class: refused with its own code; the patient is never asked.
    std::string secret = createRoom("e2ee");
    ClientTab dr2(janus), bob(janus);
    dr2.join(secret, mint(secret, "provider", "dr-2", "Dr. Strange"));
    ASSERT_TRUE(dr2.waitKind("joined"));
    bob.join(secret, mint(secret, "patient", "pt-bob"), "", "Bob Waiting");
    JsonPtr bobWaiting = bob.waitKind("waiting");
    ASSERT_TRUE(bobWaiting);
    dr2.send(R"({"request":"admit","id":")" + std::string(jsonString(data(bobWaiting.get()), "id").value_or("")) +
             R"("})");
    ASSERT_TRUE(bob.waitKind("joined"));
    dr2.send(R"({"request":"record"})");
    JsonPtr e2ee = dr2.waitError();
    ASSERT_TRUE(e2ee);
    EXPECT_EQ(jsonInt(data(e2ee.get()), "error_code").value_or(0), 450);
    for (const json_t* e : bob.pluginEvents()) EXPECT_FALSE(json_object_get(e, "consent_request")) << jsonDump(e);
}

// A browser-like audio offer whose only m-line has a=mid `mid`.
std::string audioOffer(const std::string& mid) {
    std::string fp;
    for (int i = 0; i < 32; ++i) fp += std::string(i ? ":" : "") + "AB";
    return "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE " + mid +
           "\r\na=msid-semantic: WMS\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n"
           "a=rtcp:9 IN IP4 0.0.0.0\r\na=ice-ufrag:hU3q\r\na=ice-pwd:0123456789abcdefghijklmn\r\n"
           "a=ice-options:trickle\r\na=fingerprint:sha-256 " +
           fp + "\r\na=setup:actpass\r\na=mid:" + mid +
           "\r\na=sendonly\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\na=ssrc:1111 cname:x\r\n";
}

// The client chooses a=mid, and mids are kept in audit events: the real Janus hands our room an offer
// whose mid carries a name and a birth date (16 characters: Janus itself refuses longer mids with 465);
// the room refuses it (460) without echoing it, and a browser-like mid is accepted.
TEST_F(RoomGateway, OfferWithAHostileMidIsRefused) {
    std::string room = createRoom();
    ClientTab dr(janus);
    dr.join(room, mint(room, "provider", "dr-1", "Dr. Strange"));
    ASSERT_TRUE(dr.waitKind("joined"));
    dr.sendOffer(R"({"request":"publish"})", audioOffer("Jane.Doe.80-2-29"));
    JsonPtr refused = dr.waitError();
    ASSERT_TRUE(refused);
    EXPECT_EQ(jsonInt(data(refused.get()), "error_code").value_or(0), 460) << jsonDump(refused.get());
    EXPECT_EQ(jsonDump(refused.get()).find("Jane"), std::string::npos);
    // (Janus keeps the first offer's ICE state on that handle: the control case uses a fresh one.)
    ClientTab other(janus);
    other.join(room, mint(room, "provider", "dr-2", "Dr. Other"));
    ASSERT_TRUE(other.waitKind("joined"));
    other.sendOffer(R"({"request":"publish"})", audioOffer("0"));
    ASSERT_TRUE(other.wait([](const json_t* d) { return jsonString(d, "configured").value_or("") == "ok"; }));
    EXPECT_EQ(janus.log().find("Jane.Doe"), std::string::npos);
}

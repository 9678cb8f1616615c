// janus.plugin.hipaa.room inside the real Janus, over its HTTP API, with tokens minted by
// scripts/mint-token from the development key scripts/janus-conf.sh generated.
// The audit handler stores to a real PostgreSQL database in every test: each step leaves its event row
// (plugin.hipaa_room.<event>, with its reason), and no name, token, sub or date of birth is anywhere in it.
#include "../audit/AuditFixture.hpp"
#include "JanusClient.hpp"
#include "JanusProcess.hpp"
#include "TempDir.hpp"
#include "TestDatabase.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <set>
#include <thread>

using namespace hipaa;
using namespace hipaa::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kRoom = "janus.plugin.hipaa.room";

std::string run(const std::string& cmd) {
    std::unique_ptr<FILE, int (*)(FILE*)> p(::popen(cmd.c_str(), "r"), &::pclose);
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p.get())) > 0) out.append(buf, n);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

const json_t* data(const json_t* ev) { return json_object_get(json_object_get(ev, "plugindata"), "data"); }

// One browser tab: its own Janus session, handle and long-poll.
class Tab {
public:
    explicit Tab(const JanusProcess& j) : c_(j) {
        session_ = c_.createSession();
        handle_ = c_.attach(session_, kRoom);
    }
    void send(const std::string& json) {
        JsonPtr r = c_.message(session_, handle_, J(json).get());
        ASSERT_EQ(jsonString(r.get(), "janus").value_or(""), "ack") << jsonDump(r.get());
    }
    void join(const std::string& room, const std::string& token) {
        JsonPtr m = jsonObject();
        jsonSet(m.get(), "request", "join");
        jsonSet(m.get(), "room", room);
        jsonSet(m.get(), "token", token);
        send(jsonDump(m.get()));
    }
    // The next plugin event satisfying pred (nullptr after the timeout).
    JsonPtr wait(const std::function<bool(const json_t*)>& pred, std::chrono::milliseconds t = 10s) {
        return c_.waitEvent(session_, [&](const json_t* e) { return data(e) && pred(data(e)) && fresh(e); }, t);
    }
    JsonPtr waitKind(const std::string& k, std::chrono::milliseconds t = 10s) {
        return wait([&](const json_t* d) { return jsonString(d, "hipaa.room").value_or("") == k; }, t);
    }
    JsonPtr waitError(std::chrono::milliseconds t = 10s) {
        return wait([](const json_t* d) { return json_object_get(d, "error_code") != nullptr; }, t);
    }
    bool detached(std::chrono::milliseconds t = 10s) {
        return c_.waitEvent(session_, [](const json_t* e) { return jsonString(e, "janus").value_or("") == "detached"; }, t) !=
               nullptr;
    }
    // Plugin events this tab received so far.
    std::vector<const json_t*> pluginEvents() const {
        std::vector<const json_t*> v;
        for (const auto& e : c_.events())
            if (data(e.get())) v.push_back(data(e.get()));
        return v;
    }

private:
    // waitEvent first re-checks events already seen: each event is returned once.
    bool fresh(const json_t* e) { return used_.insert(jsonDump(e)).second; }
    JanusClient c_;
    uint64_t session_, handle_;
    std::set<std::string> used_;
};

class RoomGateway : public ::testing::Test {
protected:
    void SetUp() override {
        std::string cfg = readFile(janus.configFile("janus.plugin.hipaa.room.jcfg"));
        cfg += "\nclass-quick: {\n\tidle_timeout = 2\n}\n";
        janus.writeConfig("janus.plugin.hipaa.room.jcfg", cfg, 0600);
        setAuditKey(janus, "conninfo", "\"" + db.conninfo() + "\"");
        setAuditKey(janus, "instance_id", "\"it-room\"");
        janus.start();
        admin = std::make_unique<JanusClient>(janus);
    }
    void TearDown() override {
        std::string log = janus.log();
        EXPECT_EQ(janus.stop(), 0);
        // Nothing a token carried reaches Janus' log: no names, no FHIR references, no token.
        for (const char* phi : {"Dr. Strange", "Alice Waiting", "Bob Waiting", "Patient/", "eyJ", "Knee improving"})
            EXPECT_EQ(log.find(phi), std::string::npos) << phi;
        // Janus has stopped: the audit handler flushed everything. Every expected step has its row ...
        PgConn conn = db.connect();
        PgResult rows = conn.exec("SELECT action, coalesce(event->'event'->'data'->>'reason', '') FROM audit_record "
                                  "WHERE action LIKE 'plugin.hipaa_room.%' ORDER BY seq");
        std::set<std::string> seen;
        std::string all;
        for (int i = 0; i < rows.rows(); ++i) {
            std::string a(rows.value(i, 0)), r(rows.value(i, 1));
            seen.insert(a);
            seen.insert(a + "/" + r);
            all += a + "/" + r + " ";
        }
        for (const auto& e : expectedAudit) EXPECT_TRUE(seen.count(e)) << e << " not in: " << all;
        // ... and the whole database, as text, holds no name, token, sub or date of birth.
        std::string cmd = "pg_dump --data-only --no-owner '" + db.conninfo() + "'";
        std::string dump = run(cmd);
        ASSERT_GT(dump.size(), 1000u);
        for (const auto& t : minted) EXPECT_EQ(dump.find(t), std::string::npos) << "a token is in the database";
        for (const char* phi : {"Dr. Strange", "Alice Waiting", "Bob Waiting", "Patient/", "Practitioner/", "eyJ",
                                "Knee improving", "pt-alice", "pt-bob", "pt-revoked", "\"dr-1\"", "\"pt-1\"", "\"pt-2\"",
                                "int-1", "1984-", "birth"})
            EXPECT_EQ(dump.find(phi), std::string::npos) << phi;
    }
    std::string createRoom(const std::string& cls = "default") {
        JsonPtr r = admin->messagePlugin(kRoom, J(R"({"request":"create","class":")" + cls +
                                                  R"(","description":"Alice Waiting, knee"})").get());
        std::string id(jsonString(r.get(), "room").value_or(""));
        EXPECT_FALSE(id.empty()) << jsonDump(r.get());
        return id;
    }
    std::string mint(const std::string& room, const std::string& role, const std::string& sub,
                     const std::string& name = "", const std::string& extra = "") {
        std::string cmd = std::string("python3 ") + HIPAA_SOURCE_DIR + "/scripts/mint-token --key '" +
                          janus.configFile("keys/dev-es256.pem") + "' --room " + room + " --role " + role + " --sub " +
                          sub + (name.empty() ? "" : " --name '" + name + "'") + " " + extra;
        std::string t = run(cmd);
        EXPECT_EQ(std::count(t.begin(), t.end(), '.'), 2) << t;
        minted.push_back(t);
        return t;
    }

    TestDatabase db;
    JanusProcess janus;
    std::unique_ptr<JanusClient> admin;
    std::vector<std::string> minted;
    // Rows the test's steps must leave: "plugin.hipaa_room.<event>" or "...<event>/<reason>".
    std::vector<std::string> expectedAudit;
};

TEST_F(RoomGateway, ProviderAndPatientsJoinWaitingPatientLearnsNothingAdmitAndDeny) {
    expectedAudit = {"plugin.hipaa_room.room_created", "plugin.hipaa_room.join", "plugin.hipaa_room.admitted", "plugin.hipaa_room.denied", "plugin.hipaa_room.left/denied"};
    std::string room = createRoom();
    Tab dr(janus), alice(janus), bob(janus);
    dr.join(room, mint(room, "provider", "dr-1", "Dr. Strange", "--fhir-practitioner Practitioner/9"));
    JsonPtr joined = dr.waitKind("joined");
    ASSERT_TRUE(joined);
    EXPECT_EQ(jsonString(data(joined.get()), "role").value_or(""), "provider");

    alice.join(room, mint(room, "patient", "pt-alice", "Alice Waiting", "--fhir-patient Patient/1 --dob 1984-03-07"));
    JsonPtr waiting = alice.waitKind("waiting");
    ASSERT_TRUE(waiting);
    std::set<std::string> keys;
    const char* k;
    json_t* v;
    json_object_foreach(const_cast<json_t*>(data(waiting.get())), k, v) keys.insert(k);
    EXPECT_EQ(keys, (std::set<std::string>{"hipaa.room", "room", "id"}));
    std::string aliceId(jsonString(data(waiting.get()), "id").value_or(""));

    bob.join(room, mint(room, "patient", "pt-bob", "Bob Waiting"));
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
    for (const char* phi : {"Alice", "Dr. Strange", "knee", "pt-alice"}) EXPECT_EQ(is.find(phi), std::string::npos) << phi;
}

TEST_F(RoomGateway, KickEndAndLateJoinerRefused) {
    expectedAudit = {"plugin.hipaa_room.role_denied", "plugin.hipaa_room.kicked", "plugin.hipaa_room.left/kicked", "plugin.hipaa_room.note", "plugin.hipaa_room.visit_ended/ended_by_provider", "plugin.hipaa_room.join/room_ended"};
    std::string room = createRoom("interpreted");  // interpreters skip the waiting room here
    Tab dr(janus), interp(janus), pt(janus), late(janus);
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
    for (Tab* t : {&dr, &pt}) {
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
    expectedAudit = {"plugin.hipaa_room.join", "plugin.hipaa_room.left/idle_timeout"};
    std::string room = createRoom("quick");
    Tab pt(janus);
    pt.join(room, mint(room, "patient", "pt-1"));
    ASSERT_TRUE(pt.waitKind("waiting"));
    JsonPtr ended = pt.waitKind("ended", 8s);
    ASSERT_TRUE(ended);
    EXPECT_EQ(jsonString(data(ended.get()), "reason").value_or(""), "idle_timeout");
    EXPECT_TRUE(pt.detached());
}

TEST_F(RoomGateway, RevocationEndsALiveSessionAndRefusesTheSubject) {
    expectedAudit = {"plugin.hipaa_room.revoked", "plugin.hipaa_room.left/revoked", "plugin.hipaa_room.join/revoked"};
    std::string room = createRoom();
    Tab dr(janus), pt(janus), again(janus);
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
    expectedAudit = {"plugin.hipaa_room.join", "plugin.hipaa_room.join/replayed"};
    std::string room = createRoom();
    std::string token = mint(room, "patient", "pt-1");
    Tab first(janus), second(janus);
    first.join(room, token);
    ASSERT_TRUE(first.waitKind("waiting"));
    second.join(room, token);
    JsonPtr err = second.waitError();
    ASSERT_TRUE(err);
    EXPECT_EQ(jsonInt(data(err.get()), "error_code").value_or(0), 413);
    JsonPtr stats = admin->messagePlugin(kRoom, J(R"({"request":"stats"})").get());
    EXPECT_EQ(jsonInt(json_object_get(stats.get(), "counters"), "refused_replayed").value_or(0), 1) << jsonDump(stats.get());
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

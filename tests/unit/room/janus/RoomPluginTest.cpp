// SPDX-License-Identifier: GPL-3.0-or-later
// RoomPlugin with its real configuration reader and worker thread, behind a recording MediaHost.
#include "DocumentFrame.hpp"
#include "RoomErrors.hpp"
#include "RoomHarness.hpp"
#include "RoomPlugin.hpp"
#include "ScriptedRecorder.hpp"
#include "TokenFactory.hpp"

#include "TempDir.hpp"
#include "hipaa/AuditHealthProbe.hpp"
#include "hipaa/JcfgParser.hpp"

#include <gtest/gtest.h>

#include <map>

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>

using namespace hipaa;
using namespace hipaa::room;
using namespace hipaa::room::test;

namespace {

class RecordingHost final : public MediaHost {
public:
    bool pushEvent(SessionId s, const std::string&, const json_t* m, const json_t*) override {
        std::lock_guard l(m_);
        pushes.emplace_back(s, jsonDump(m));
        return true;
    }
    void notifyEvent(SessionId, const json_t* e) override {
        std::lock_guard l(m_);
        notifies.push_back(jsonDump(e));
    }
    bool eventsEnabled() const override { return true; }
    void closePeerConnection(SessionId) override {}
    void endSession(SessionId s) override {
        std::lock_guard l(m_);
        ended.push_back(s);
    }
    void relayData(SessionId, const char*, bool, const uint8_t*, size_t) override { ++dataRelayed; }
    SdpEngine* sdp() override { return withSdp ? &fakeSdp : nullptr; }
    // The Janus session of each handle (a subscriber handle shares its owner's); unknown: 0.
    uint64_t clientSession(SessionId s) const override {
        auto it = janusSessions.find(s);
        return it == janusSessions.end() ? 0 : it->second;
    }
    std::map<SessionId, uint64_t> janusSessions;
    bool withSdp = false;
    FakeSdp fakeSdp;
    std::atomic<uint64_t> dataRelayed{0};
    std::vector<std::pair<SessionId, std::string>> pushes;
    std::vector<std::string> notifies;
    std::vector<SessionId> ended;
    std::mutex m_;
};

TokenFactory& factory() {
    static TokenFactory f;
    return f;
}

// Stands in for janus.eventhandler.hipaa.audit in this process: registers an AuditHealthProbe that
// reports what the test set (healthy, a reason, or a probe that throws), or withdraws it (as if the
// handler were not loaded).
class AuditStandIn final : public AuditHealthProbe {
public:
    AuditStandIn() { healthy(); }
    ~AuditStandIn() override { inProcess().withdraw(*this); }
    void healthy() { set(""); }
    void unhealthy(const std::string& reason) { set(reason); }
    void broken() { set(kBroken); }
    void withdraw() { inProcess().withdraw(*this); }
    std::string auditProblem() const override {
        std::lock_guard l(m_);
        if (problem_ == kBroken) throw std::runtime_error("no clear answer");
        return problem_;
    }

private:
    static constexpr const char* kBroken = "(throws)";
    void set(std::string problem) {
        {
            std::lock_guard l(m_);
            problem_ = std::move(problem);
        }
        inProcess().provide(*this);
    }
    mutable std::mutex m_;
    std::string problem_;
};

class RoomPluginConfig : public ::testing::Test {
protected:
    AuditStandIn audit;  // healthy unless a test says otherwise
    hipaa::test::TempDir dir;
    RecordingHost host;
    std::string pseudo = dir.write("pseudonym.key", std::string(64, 'b'), 0600);
    std::string pem = dir.write("es.pem", factory().publicPem("es"), 0600);

    std::string config(const std::string& keys, bool development = false, const std::string& extra = "",
                       const std::string& general = "") {
        return "general: { development = " + std::string(development ? "true" : "false") +
               "\n pseudonym_key_file = \"" + pseudo + "\"\n" + general + " }\ntokens: { issuers = \"" +
               TokenFactory::kIssuer + "\"\n audience = \"" + TokenFactory::kAudience + "\" }\nkeys: { " + keys +
               " }\n" + extra;
    }
    std::unique_ptr<RoomPlugin> make(const std::string& text) {
        std::string f = dir.write("room.jcfg", text, 0600);
        return std::make_unique<RoomPlugin>(Config(JcfgParser::parseFile(f), f), Logger(), host,
                                            VisitPublisher{nullptr, nullptr});
    }
};

TEST_F(RoomPluginConfig, FailsClosed) {
    EXPECT_THROW(make(config("")), ConfigError);  // no key
    std::string open = dir.write("open.pem", factory().publicPem("es"), 0644);
    EXPECT_THROW(make(config("pem_files = \"k=" + open + "\"")), ConfigError);
    std::string dev =
        dir.write("dev.pem", std::string(KeyStore::kDevelopmentMarker) + "\n" + factory().publicPem("es"), 0600);
    EXPECT_THROW(make(config("pem_files = \"dev=" + dev + "\"")), ConfigError);
    EXPECT_NO_THROW(make(config("pem_files = \"dev=" + dev + "\"", true)));
    std::string noPseudo = config("pem_files = \"k=" + pem + "\"");
    noPseudo.replace(noPseudo.find("pseudonym_key_file"), 18, "# ");
    EXPECT_THROW(make(noPseudo), ConfigError);
    EXPECT_THROW(make(config("pem_files = \"k=" + pem + "\"", false, "tokens2: { x = 1 }\n")), ConfigError);
    EXPECT_THROW(make(config("pem_files = \"k=" + pem + "\"") + "class-a: { idle_timeout = 0 }\n"), ConfigError);
    // A class that checks dates of birth needs the key the issuer computes dob_hmac with (0600).
    EXPECT_THROW(make(config("pem_files = \"k=" + pem + "\"") + "class-c: { dob_check = true }\n"), ConfigError);
    std::string openDob = dir.write("open-dob.key", std::string(64, 'd'), 0644);
    EXPECT_THROW(make(config("pem_files = \"k=" + pem + "\"\n dob_key_file = \"" + openDob + "\"") +
                      "class-c: { dob_check = true }\n"),
                 ConfigError);
    std::string dob = dir.write("dob.key", std::string(64, 'd'), 0600);
    EXPECT_NO_THROW(make(config("pem_files = \"k=" + pem + "\"\n dob_key_file = \"" + dob + "\"", false,
                                "lockout: { failures = 5\n session_failures = 20 }\n") +
                         "class-c: { dob_check = true }\n"));
    EXPECT_THROW(make(config("pem_files = \"k=" + pem + "\"", false, "lockout: { per_room = 3 }\n")), ConfigError);
}

TEST_F(RoomPluginConfig, JoinRunsOnTheWorkerAndAnswersByPushEvent) {
    auto p = make(config("pem_files = \"es=" + pem + "\"", false, "room-visit1: { description = \"Jane Doe\" }\n"));
    p->createSession(7);
    JsonPtr c = factory().claims(
        "visit1", "provider",
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    JsonPtr msg = jsonObject();
    jsonSet(msg.get(), "request", "join");
    jsonSet(msg.get(), "room", "visit1");
    jsonSet(msg.get(), "token", factory().sign(c.get()));
    auto reply = p->handleMessage(7, "t1", std::move(msg), nullptr);
    EXPECT_EQ(reply.kind, MediaPluginCore::Reply::Kind::Wait);
    p->drain();
    {
        std::lock_guard l(host.m_);
        ASSERT_FALSE(host.pushes.empty());
        EXPECT_NE(host.pushes[0].second.find("\"hipaa.room\":\"joined\""), std::string::npos) << host.pushes[0].second;
    }
    JsonPtr info = p->handleAdmin(jsonParse(R"({"request":"info"})").get());
    EXPECT_EQ(jsonDump(info.get()).find("Jane Doe"), std::string::npos);  // description is PHI
    p->destroySession(7);
}

// Fail closed: no visit starts (join, admission) unless the audit handler in this process says it
// takes records. A patient already waiting keeps waiting; require_audit = false turns the check off.
TEST_F(RoomPluginConfig, JoinsAndAdmissionsAreRefusedWhileTheAuditTrailCannotRecord) {
    auto p = make(config("pem_files = \"es=" + pem + "\"", false, "room-visit1: {}\n"));
    int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    auto join = [&](SessionId s, const char* role, const char* tx) {
        p->createSession(s);
        JsonPtr c = factory().claims("visit1", role, now);
        jsonSet(c.get(), "sub", std::string(role) + "-" + tx);
        jsonSet(c.get(), "jti", std::string("jti-") + tx);
        JsonPtr m = jsonObject();
        jsonSet(m.get(), "request", "join");
        jsonSet(m.get(), "room", "visit1");
        jsonSet(m.get(), "token", factory().sign(c.get()));
        p->handleMessage(s, tx, std::move(m), nullptr);
        p->drain();
    };
    auto lastPush = [&](SessionId s) {
        std::lock_guard l(host.m_);
        for (auto it = host.pushes.rbegin(); it != host.pushes.rend(); ++it)
            if (it->first == s) return it->second;
        return std::string();
    };
    auto errorCode = [&](SessionId s) { return jsonInt(jsonParse(lastPush(s)).get(), "error_code").value_or(0); };
    // Whether session s got a push containing `needle` (the provider also gets waiting-list updates).
    auto got = [&](SessionId s, const std::string& needle) {
        std::lock_guard l(host.m_);
        for (const auto& [to, body] : host.pushes)
            if (to == s && body.find(needle) != std::string::npos) return true;
        return false;
    };

    // Not loaded at all.
    audit.withdraw();
    join(1, "provider", "a");
    EXPECT_EQ(errorCode(1), room::errc::kAuditUnavailable) << lastPush(1);
    EXPECT_NE(lastPush(1).find("audit_not_loaded"), std::string::npos) << lastPush(1);
    // Loaded, but its spool is full; then an answer that is not a clear yes.
    audit.unhealthy("spool_full");
    join(2, "provider", "b");
    EXPECT_EQ(errorCode(2), room::errc::kAuditUnavailable);
    EXPECT_NE(lastPush(2).find("spool_full"), std::string::npos) << lastPush(2);
    audit.broken();
    join(3, "provider", "c");
    EXPECT_EQ(errorCode(3), room::errc::kAuditUnavailable);
    {
        std::lock_guard l(host.m_);
        bool announced = false;
        for (const auto& n : host.notifies) announced |= n.find("\"audit_unavailable\"") != std::string::npos;
        EXPECT_TRUE(announced);
    }

    // Healthy: the provider joins, the patient waits; then the trail fails and admission is refused.
    audit.healthy();
    join(4, "provider", "d");
    EXPECT_TRUE(got(4, "\"joined\"")) << lastPush(4);
    join(5, "patient", "e");
    std::string waiting = lastPush(5);
    ASSERT_NE(waiting.find("\"waiting\""), std::string::npos) << waiting;
    std::string id(jsonString(jsonParse(waiting).get(), "id").value_or(""));
    ASSERT_FALSE(id.empty()) << waiting;
    audit.unhealthy("queue_full");
    JsonPtr admit = jsonObject();
    jsonSet(admit.get(), "request", "admit");
    jsonSet(admit.get(), "id", id);
    p->handleMessage(4, "f", jsonParse(jsonDump(admit.get())), nullptr);
    p->drain();
    EXPECT_EQ(errorCode(4), room::errc::kAuditUnavailable) << lastPush(4);
    EXPECT_EQ(lastPush(5), waiting) << "the patient was told nothing new: still waiting";
    audit.healthy();
    p->handleMessage(4, "g", std::move(admit), nullptr);
    p->drain();
    EXPECT_TRUE(got(4, "\"admitted\"")) << lastPush(4);
    EXPECT_NE(lastPush(5), waiting) << "the patient is in";
    JsonPtr stats = p->handleAdmin(jsonParse(R"({"request":"stats"})").get());
    EXPECT_NE(jsonDump(stats.get()).find("\"audit_refusals\":4"), std::string::npos) << jsonDump(stats.get());

    // Switched off by the admin: joins go ahead without asking.
    p.reset();
    audit.withdraw();
    p = make(config("pem_files = \"es=" + pem + "\"", false, "room-visit1: {}\n", "require_audit = false"));
    join(6, "provider", "h");
    EXPECT_TRUE(got(6, "\"joined\"")) << lastPush(6);
}

TEST_F(RoomPluginConfig, ReloadKeysSwapsKeysAndKeepsThemOnFailure) {
    auto p = make(config("pem_files = \"es=" + pem + "\""));
    dir.write("es.pem", factory().publicPem("ed"), 0600);  // rotated to an Ed25519 key under the same kid
    JsonPtr r = p->handleAdmin(jsonParse(R"({"request":"reload_keys"})").get());
    EXPECT_TRUE(jsonBool(r.get(), "reloaded").value_or(false)) << jsonDump(r.get());
    EXPECT_NE(jsonDump(r.get()).find("EdDSA"), std::string::npos);
    dir.write("es.pem", "garbage", 0600);
    r = p->handleAdmin(jsonParse(R"({"request":"reload_keys"})").get());
    EXPECT_EQ(jsonInt(r.get(), "error_code").value_or(0), room::errc::kKeyReload);
    JsonPtr info = p->handleAdmin(jsonParse(R"({"request":"info"})").get());
    EXPECT_NE(jsonDump(info.get()).find("EdDSA"), std::string::npos);
}

TEST_F(RoomPluginConfig, RecordInstallsATapForTheRelayAndStopRemovesIt) {
    // A fake recorder (the RecordingSink): records what the tap asks for.
    std::mutex m;
    std::vector<std::string> calls;
    ScriptedRecorder recorder;
    recorder.onStart = [&](const std::vector<RecordingStreamSpec>& streams, const std::string& policy) {
        std::lock_guard l(m);
        calls.push_back("start " + policy + " " + streams.at(0).codec);
        return std::string("00112233445566778899aabbccddeeff");
    };
    recorder.onStop = [&](const std::string& id) {
        std::lock_guard l(m);
        calls.push_back("stop " + id);
        return RecordingStopped{};
    };
    std::string f = dir.write(
        "room.jcfg",
        config("pem_files = \"es=" + pem + "\"", false,
               "class-qa: { record_consent = false\n recording_policy = \"qa\" }\nroom-visit2: { class = \"qa\" }\n"),
        0600);
    auto p = std::make_unique<RoomPlugin>(Config(JcfgParser::parseFile(f), f), Logger(), host,
                                          VisitPublisher{nullptr, nullptr}, nullptr, &recorder.slot());
    std::vector<std::pair<std::string, bool>> observed;
    p->setTapObserver([&](const std::string& room, std::shared_ptr<MediaTap> tap) {
        std::lock_guard l(m);
        observed.emplace_back(room, tap != nullptr);
    });
    EXPECT_EQ(p->tap("visit2"), nullptr);
    p->createSession(8);
    JsonPtr c = factory().claims(
        "visit2", "provider",
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    JsonPtr join = jsonObject();
    jsonSet(join.get(), "request", "join");
    jsonSet(join.get(), "room", "visit2");
    jsonSet(join.get(), "token", factory().sign(c.get()));
    p->handleMessage(8, "t1", std::move(join), nullptr);
    p->handleMessage(8, "t2", jsonParse(R"({"request":"record"})"), nullptr);
    p->drain();
    std::shared_ptr<MediaTap> tap = p->tap("visit2");
    ASSERT_NE(tap, nullptr);
    // The relay's side: a stream, then a packet; the tap's thread starts a recorder recording.
    tap->streamAdded({.feed = 1, .mindex = 0, .video = false, .codec = "opus", .payloadType = 111});
    uint8_t rtp[40] = {0x80, 111};
    tap->rtp(1, 0, rtp, sizeof rtp);
    for (int i = 0; i < 200; ++i) {
        {
            std::lock_guard l(m);
            if (calls.size() >= 1) break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    tap.reset();
    p->handleMessage(8, "t3", jsonParse(R"({"request":"stop_record"})"), nullptr);
    p->drain();
    EXPECT_EQ(p->tap("visit2"), nullptr);
    std::lock_guard l(m);
    EXPECT_EQ(calls, (std::vector<std::string>{"start qa opus", "stop 00112233445566778899aabbccddeeff"}));
    // Who took part goes with the recording: the visit, the room and the admitted provider's pseudonym
    // (stop's handshake with the tap's thread orders its start before this read).
    ASSERT_EQ(recorder.contexts.size(), 1u);
    const RecordingContext& context = recorder.contexts[0];
    EXPECT_EQ(context.room, "visit2");
    EXPECT_TRUE(context.visit.starts_with("v_")) << context.visit;
    ASSERT_EQ(context.providers.size(), 1u);
    EXPECT_TRUE(context.providers[0].starts_with("ps1_") && context.providers[0].size() == 36) << context.providers[0];
    EXPECT_TRUE(context.patients.empty());
    EXPECT_EQ(observed, (std::vector<std::pair<std::string, bool>>{{"visit2", true}, {"visit2", false}}));
    std::lock_guard hl(host.m_);
    bool started = false, stopped = false;
    for (const auto& [s, body] : host.pushes) {
        started |= body.find("recording_started") != std::string::npos;
        stopped |= body.find("recording_stopped") != std::string::npos;
    }
    EXPECT_TRUE(started);
    EXPECT_TRUE(stopped);
}

// The tap's thread learns from the recorder that a recording's writes failed; the room's
// worker tells the provider (push `recording: failed`), leaves a PHI-free event and counts it in
// `info` and `stats`, without the tap ever touching the room's state.
TEST_F(RoomPluginConfig, ARecorderWriteFailureReachesTheProviderThroughTheWorker) {
    ScriptedRecorder recorder;
    recorder.onStart = [](const auto&, const auto&) { return std::string("00112233445566778899aabbccddeeff"); };
    recorder.onFailure = [](const std::string&) { return std::string("no_space"); };
    recorder.onStop = [](const std::string&) { return RecordingStopped{false, "no_space"}; };
    std::string f = dir.write("room.jcfg",
                              config("pem_files = \"es=" + pem + "\"", false,
                                     "class-qa: { record_consent = false }\nroom-visit3: { class = \"qa\" }\n"),
                              0600);
    auto p = std::make_unique<RoomPlugin>(Config(JcfgParser::parseFile(f), f), Logger(), host,
                                          VisitPublisher{nullptr, nullptr}, nullptr, &recorder.slot());
    p->createSession(9);
    JsonPtr c = factory().claims(
        "visit3", "provider",
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    JsonPtr join = jsonObject();
    jsonSet(join.get(), "request", "join");
    jsonSet(join.get(), "room", "visit3");
    jsonSet(join.get(), "token", factory().sign(c.get()));
    p->handleMessage(9, "t1", std::move(join), nullptr);
    p->handleMessage(9, "t2", jsonParse(R"({"request":"record"})"), nullptr);
    p->drain();
    std::shared_ptr<MediaTap> tap = p->tap("visit3");
    ASSERT_NE(tap, nullptr);
    tap->streamAdded({.feed = 1, .mindex = 0, .video = false, .codec = "opus", .payloadType = 111});
    uint8_t rtp[40] = {0x80, 111};
    tap->rtp(1, 0, rtp, sizeof rtp);
    tap.reset();
    auto failedPush = [&] {
        std::lock_guard l(host.m_);
        for (const auto& [s, body] : host.pushes)
            if (s == 9 && body.find(R"("recording":"failed")") != std::string::npos &&
                body.find(R"("reason":"write_failed")") != std::string::npos)
                return true;
        return false;
    };
    for (int i = 0; i < 300 && !failedPush(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_TRUE(failedPush()) << [&] {
        std::lock_guard l(host.m_);
        std::string o;
        for (auto& [s, b] : host.pushes) o += std::to_string(s) + " " + b + "\n";
        for (auto& n : host.notifies) o += n + "\n";
        return o;
    }();
    {
        std::lock_guard l(host.m_);
        bool evented = false;
        for (const auto& n : host.notifies)
            evented |= n.find(R"("event":"recording_failed")") != std::string::npos &&
                       n.find(R"("recording_id":"00112233445566778899aabbccddeeff")") != std::string::npos;
        EXPECT_TRUE(evented);
    }
    EXPECT_EQ(jsonInt(p->handleAdmin(jsonParse(R"({"request":"info"})").get()).get(), "recording_failures"), 1);
    JsonPtr stats = p->handleAdmin(jsonParse(R"({"request":"stats"})").get());
    EXPECT_EQ(jsonInt(json_object_get(stats.get(), "counters"), "recording_failures"), 1) << jsonDump(stats.get());
    // stop seals the segment (recorder answers `failed`): already reported, not twice.
    p->handleMessage(9, "t3", jsonParse(R"({"request":"stop_record"})"), nullptr);
    p->drain();
    EXPECT_EQ(jsonInt(p->handleAdmin(jsonParse(R"({"request":"info"})").get()).get(), "recording_failures"), 1);
    p->destroySession(9);
}

// One participant floods the data channel. The media thread relays at most `chat.burst` messages at
// once and `chat.rate` per second after that; the audit trail gets one `chat` summary per participant
// per second at most, whose counts add up to every message sent (nothing silently lost).
TEST_F(RoomPluginConfig, ChatFloodIsRateLimitedAndAuditedAsSummaries) {
    host.withSdp = true;
    host.janusSessions = {{1, 100}, {2, 200}, {3, 200}};  // handle 3: the listener's subscriber handle
    const int64_t start =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    std::atomic<int64_t> now{start};
    std::string f = dir.write("room.jcfg", config("pem_files = \"es=" + pem + "\"", false, "room-visit1: {}\n"), 0600);
    auto p = std::make_unique<RoomPlugin>(Config(JcfgParser::parseFile(f), f), Logger(), host,
                                          VisitPublisher{nullptr, nullptr}, [&] { return now.load(); });
    auto send = [&](SessionId s, const std::string& body, const char* sdp = nullptr) {
        JsonPtr jsep;
        if (sdp) jsep = jsonParse(std::string(R"({"type":"offer","sdp":")") + sdp + "\"}");
        p->handleMessage(s, "t", jsonParse(body), std::move(jsep));
        p->drain();
    };
    auto joinAs = [&](SessionId s, const char* sub) {
        p->createSession(s);
        JsonPtr c = factory().claims("visit1", "provider", start / 1000000, sub);
        jsonSet(c.get(), "jti", std::string("jti-") + sub);
        send(s, R"({"request":"join","room":"visit1","token":")" + factory().sign(c.get()) + "\"}");
    };
    auto joined = [&](SessionId s) {
        std::lock_guard l(host.m_);
        for (const auto& [to, body] : host.pushes)
            if (to == s && body.find("\"joined\"") != std::string::npos) return jsonParse(body);
        return JsonPtr();
    };
    joinAs(1, "dr-flood");
    joinAs(2, "dr-listen");
    JsonPtr flooder = joined(1), listener = joined(2);
    ASSERT_TRUE(flooder && listener);
    send(1, R"({"request":"publish"})", "m=audio opus 111\\nm=application");
    p->createSession(3);  // the listener's subscriber handle, on the flooder's data stream
    send(3, R"({"request":"join","ptype":"subscriber","room":"visit1","private_id":)" +
                std::to_string(jsonInt(listener.get(), "private_id").value_or(0)) + R"(,"streams":[{"feed":")" +
                std::string(jsonString(flooder.get(), "id").value_or("")) + R"("}]})");

    // The chat events so far: {events, messages, dropped}.
    auto chatEvents = [&] {
        std::array<uint64_t, 3> sum{};
        std::lock_guard l(host.m_);
        for (const auto& n : host.notifies) {
            JsonPtr e = jsonParse(n);
            if (jsonString(e.get(), "event").value_or("") != "chat") continue;
            ++sum[0];
            sum[1] += static_cast<uint64_t>(jsonInt(e.get(), "messages").value_or(1));
            sum[2] += static_cast<uint64_t>(jsonInt(e.get(), "dropped").value_or(0));
            EXPECT_EQ(n.find("spam"), std::string::npos);
        }
        return sum;
    };
    // Moves the worker's clock on until `done` holds (each step lets a tick and a chat event happen).
    auto until = [&](const std::function<bool()>& done) {
        for (int i = 0; i < 40 && !done(); ++i) {
            now += 1'100'000;
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
        }
        p->drain();
    };

    constexpr uint64_t kFlood = 10000;
    const std::string text = R"({"text":"spam"})";
    for (uint64_t i = 0; i < kFlood; ++i)
        p->incomingData(1, "chat", false, reinterpret_cast<const uint8_t*>(text.data()), text.size());
    until([&] {
        auto [events, messages, dropped] = chatEvents();
        return messages + dropped >= kFlood;
    });
    auto [events, messages, dropped] = chatEvents();
    EXPECT_LE(events, 2u) << "one chat event per message: the flood reaches the shared audit queue";
    EXPECT_EQ(messages, host.dataRelayed.load());
    EXPECT_EQ(messages, 60u) << "the default burst";
    EXPECT_EQ(messages + dropped, kFlood) << "messages missing from the summaries";
    JsonPtr info = p->handleAdmin(jsonParse(R"({"request":"info"})").get());
    EXPECT_EQ(jsonInt(info.get(), "chat_messages_relayed").value_or(-1), 60);
    EXPECT_EQ(jsonInt(info.get(), "chat_messages_dropped").value_or(-1), static_cast<int64_t>(kFlood - 60));

    // After the flood, normal chat: one event per message again, each saying `messages: 1`.
    for (uint64_t i = 1; i <= 3; ++i) {
        now += 2'000'000;
        p->incomingData(1, "chat", false, reinterpret_cast<const uint8_t*>(text.data()), text.size());
        until([&] { return chatEvents()[0] >= events + i; });
        EXPECT_EQ(chatEvents()[0], events + i);
        EXPECT_EQ(chatEvents()[1], messages + i);
    }
    for (SessionId s : {3, 2, 1}) p->destroySession(s);
}

}  // namespace

namespace {

// A document the room refuses is reported to the audit trail and now to its sender too, whose page says
// why (a nested `document`, never a top-level error_code a pending request would take for its answer).
TEST_F(RoomPluginConfig, ARefusedDocumentIsPushedToItsSender) {
    host.withSdp = true;
    host.janusSessions = {{1, 100}};
    std::string f = dir.write("room.jcfg", config("pem_files = \"es=" + pem + "\"", false, "room-visit1: {}\n"), 0600);
    auto p = std::make_unique<RoomPlugin>(Config(JcfgParser::parseFile(f), f), Logger(), host,
                                          VisitPublisher{nullptr, nullptr});
    const int64_t nowS =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    p->createSession(1);
    JsonPtr c = factory().claims("visit1", "provider", nowS, "dr-doc");
    jsonSet(c.get(), "jti", std::string("jti-doc"));
    p->handleMessage(
        1, "t", jsonParse(R"({"request":"join","room":"visit1","token":")" + factory().sign(c.get()) + "\"}"), nullptr);
    p->handleMessage(1, "t", jsonParse(R"({"request":"publish"})"),
                     jsonParse(R"({"type":"offer","sdp":"m=audio opus 111\nm=application"})"));
    p->drain();

    // A start that says PDF, then a first chunk that is no PDF: 481 at that chunk.
    const std::string text = "plain text, not a PDF";
    DocumentFrame start, chunk;
    start.kind = DocumentFrame::Kind::Start;
    start.transfer = 7;
    start.type = 1;
    start.size = text.size();
    chunk.kind = DocumentFrame::Kind::Chunk;
    chunk.transfer = 7;
    chunk.payload = ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size());
    for (const Bytes& b : {start.encode(), chunk.encode()}) p->incomingData(1, "chat", true, b.data(), b.size());

    auto refusal = [&]() -> JsonPtr {
        std::lock_guard l(host.m_);
        for (const auto& [to, body] : host.pushes)
            if (to == 1 && body.find("\"document\"") != std::string::npos) return jsonParse(body);
        return nullptr;
    };
    JsonPtr told;
    for (int i = 0; i < 200 && !told; ++i) {  // the desk's own thread: wait for it, not for a duration
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        told = refusal();
    }
    ASSERT_TRUE(told) << "the sender was not told";
    const json_t* doc = json_object_get(told.get(), "document");
    EXPECT_EQ(jsonString(doc, "outcome").value_or(""), "refused");
    EXPECT_EQ(jsonInt(doc, "error_code").value_or(0), 481);
    EXPECT_EQ(jsonString(doc, "reason").value_or(""), "wrong_type");
    EXPECT_EQ(json_object_get(told.get(), "error_code"), nullptr);
    EXPECT_EQ(jsonString(told.get(), "room").value_or(""), "visit1");
    EXPECT_EQ(jsonDump(told.get()).find("plain text"), std::string::npos);
    p->destroySession(1);
}

}  // namespace

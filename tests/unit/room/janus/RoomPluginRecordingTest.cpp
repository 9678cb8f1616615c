// SPDX-License-Identifier: GPL-3.0-or-later
// RoomPlugin (real worker thread, real RecordingTap) with a recorder that is slow to answer, as the
// real one is while it exports or deletes an hour of video on the same disk: no other room, join or
// Admin API call may wait for it. The fake recorder holds one kind of call until the test releases
// it; the test checks what was answered while it was held (causality, not timings).
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "RoomPlugin.hpp"
#include "TempDir.hpp"
#include "TokenFactory.hpp"
#include "hipaa/JcfgParser.hpp"

using namespace hipaa;
using namespace hipaa::room;
using namespace hipaa::room::test;
using namespace std::chrono_literals;

namespace {

// A recorder (RecordingSink, in a slot of its own) that holds every call named `held` ("start" or
// "stop") until released; answers the others at once.
class SlowRecorder final : public RecordingSink {
public:
    explicit SlowRecorder(std::string held) : held_(std::move(held)) { slot_.provide(*this); }
    ~SlowRecorder() override { slot_.withdraw(*this); }
    const InProcessSlot<RecordingSink>& slot() const { return slot_; }

    std::string start(const std::vector<RecordingStreamSpec>&, const std::string&, const RecordingContext&) override {
        call("start");
        return "00112233445566778899aabbccddeeff";
    }
    Write write(const std::string&, size_t, const uint8_t*, size_t) noexcept override { return Write::Recorded; }
    std::string failure(const std::string&) override { return {}; }
    RecordingStopped stop(const std::string&) override {
        call("stop");
        return {};
    }
    bool waitHolding() {
        std::unique_lock l(m_);
        return cv_.wait_for(l, 60s, [&] { return holding_ > 0; });
    }
    bool held() {
        std::lock_guard l(m_);
        return holding_ > 0 && !released_;
    }
    void release() {
        std::lock_guard l(m_);
        released_ = true;
        cv_.notify_all();
    }

private:
    void call(const std::string& what) {
        std::unique_lock l(m_);
        calls_.push_back(what);
        cv_.notify_all();
        if (what == held_) {
            ++holding_;
            cv_.notify_all();
            cv_.wait(l, [&] { return released_; });
        }
    }
    std::string held_;
    InProcessSlot<RecordingSink> slot_{"test.recorder"};
    std::mutex m_;
    std::condition_variable cv_;
    std::vector<std::string> calls_;
    int holding_ = 0;
    bool released_ = false;
};

// Records every push, and whether the recorder was holding a call when it came.
class Host final : public MediaHost {
public:
    explicit Host(SlowRecorder& r) : recorder_(r) {}
    bool pushEvent(SessionId s, const std::string&, const json_t* m, const json_t*) override {
        bool held = recorder_.held();
        std::lock_guard l(m_);
        pushes_.push_back({s, jsonDump(m), held});
        cv_.notify_all();
        return true;
    }
    void notifyEvent(SessionId, const json_t*) override {}
    bool eventsEnabled() const override { return true; }
    void closePeerConnection(SessionId) override {}
    void endSession(SessionId) override {}
    // Waits for a push to `s` containing `needle`; returns whether it came while a call was held
    // (nullopt: it never came).
    std::optional<bool> waitFor(SessionId s, const std::string& needle) {
        std::unique_lock l(m_);
        std::optional<bool> found;
        cv_.wait_for(l, 30s, [&] {
            for (const auto& p : pushes_)
                if (p.to == s && p.body.find(needle) != std::string::npos) found = p.whileHeld;
            return found.has_value();
        });
        return found;
    }

private:
    struct Push {
        SessionId to;
        std::string body;
        bool whileHeld;
    };
    SlowRecorder& recorder_;
    std::mutex m_;
    std::condition_variable cv_;
    std::vector<Push> pushes_;
};

TokenFactory& recordingTokens() {
    static TokenFactory f;
    return f;
}

class RoomWithSlowRecorder : public ::testing::TestWithParam<const char*> {
protected:
    SlowRecorder recorder{GetParam()};
    Host host{recorder};
    hipaa::test::TempDir dir;
    std::unique_ptr<RoomPlugin> plugin;

    void SetUp() override {
        std::string pseudo = dir.write("pseudonym.key", std::string(64, 'b'), 0600);
        std::string pem = dir.write("es.pem", recordingTokens().publicPem("es"), 0600);
        std::string cfg = dir.write(
            "room.jcfg",
            "general: { pseudonym_key_file = \"" + pseudo +
                "\"\n require_audit = false }\n"
                "tokens: { issuers = \"" +
                std::string(TokenFactory::kIssuer) + "\"\n audience = \"" + TokenFactory::kAudience +
                "\" }\n"
                "keys: { pem_files = \"es=" +
                pem +
                "\" }\n"
                "class-qa: { record_consent = false }\nroom-a: { class = \"qa\" }\nroom-b: { class = \"qa\" }\n",
            0600);
        plugin = std::make_unique<RoomPlugin>(Config(JcfgParser::parseFile(cfg), cfg), Logger(), host,
                                              VisitPublisher{nullptr, nullptr}, nullptr, &recorder.slot());
    }
    void TearDown() override {
        recorder.release();  // whatever happened, nothing stays held
        plugin.reset();
    }
    void send(SessionId s, const std::string& json) { plugin->handleMessage(s, "tx", jsonParse(json), nullptr); }
    void join(SessionId s, const std::string& room) {
        plugin->createSession(s);
        int64_t now =
            std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                .count();
        JsonPtr c = recordingTokens().claims(room, "provider", now, "dr-" + std::to_string(s));
        jsonSet(c.get(), "jti", "jti-" + std::to_string(s));
        send(s, R"({"request":"join","room":")" + room + R"(","token":")" + recordingTokens().sign(c.get()) + "\"}");
    }
};

}  // namespace

// "start" is what a feed's first packet asks the recorder (its files are created); "stop" is what
// sealing a feed's recording asks when the room stops recording.
TEST_P(RoomWithSlowRecorder, NoOtherRoomJoinOrAdminCallWaitsForIt) {
    join(1, "a");
    ASSERT_EQ(host.waitFor(1, "\"joined\""), false);
    send(1, R"({"request":"record"})");
    // A feed starts recording (the relay's side); for "stop", the provider then stops: sealing is held.
    ASSERT_EQ(host.waitFor(1, "recording_started"), false);
    std::shared_ptr<MediaTap> tap = plugin->tap("a");
    ASSERT_NE(tap, nullptr);
    tap->streamAdded({.feed = 1, .mindex = 0, .video = false, .codec = "opus", .payloadType = 111});
    uint8_t rtp[40] = {0x80, 111};
    tap->rtp(1, 0, rtp, sizeof rtp);
    tap.reset();
    if (std::string(GetParam()) == "stop") send(1, R"({"request":"stop_record"})");
    ASSERT_TRUE(recorder.waitHolding()) << "the recorder was never asked to " << GetParam();

    // While the recorder holds that call: another room's visit starts, the Admin API answers.
    // (From other threads: on a plugin that waits for the recorder they would block this one.)
    auto joining = std::async(std::launch::async, [&] { join(2, "b"); });
    EXPECT_EQ(host.waitFor(2, "\"joined\""), true) << "a join in another room waited for the recorder";
    auto admin =
        std::async(std::launch::async, [&] { return plugin->handleAdmin(jsonParse(R"({"request":"info"})").get()); });
    EXPECT_TRUE(admin.wait_for(30s) == std::future_status::ready) << "the Admin API waited for the recorder";
    EXPECT_TRUE(recorder.held());
    recorder.release();
    joining.get();
    admin.get();
    plugin->drain();
}

INSTANTIATE_TEST_SUITE_P(HeldCall, RoomWithSlowRecorder, ::testing::Values("start", "stop"));

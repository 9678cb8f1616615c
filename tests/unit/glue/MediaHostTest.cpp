// SPDX-License-Identifier: GPL-3.0-or-later
// The glue's MediaHost (push_event / notify_event / end_session from core threads) with a test core,
// through the fake janus_callbacks: references balanced, pushes after a session is gone dropped.
#include "FakeGateway.hpp"
#include "FakeJanus.hpp"
#include "TempDir.hpp"
#include "hipaa/glue/MediaPluginGlue.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

using namespace hipaa;
using namespace hipaa::test;

namespace {

// A core that echoes each message back asynchronously, from its own thread, through the host.
class EchoCore final : public MediaPluginCore {
public:
    explicit EchoCore(MediaHost& host) : host_(host) { instance = this; }
    ~EchoCore() override {
        for (auto& t : threads_) t.join();
        instance = nullptr;
    }
    void createSession(SessionId id) override {
        if (failCreate) throw std::runtime_error("cannot create");
        last = id;
    }
    void destroySession(SessionId) override {}
    Reply handleMessage(SessionId id, const std::string& tx, JsonPtr message, JsonPtr) override {
        JsonPtr m = std::move(message);
        threads_.emplace_back([this, id, tx, m = jsonRetain(m.get())] {
            JsonPtr event = jsonObject();
            jsonSet(event.get(), "echo", jsonRetain(m.get()));
            pushed = host_.pushEvent(id, tx, event.get(), nullptr);
            host_.notifyEvent(id, event.get());
        });
        threads_.back().join();
        threads_.pop_back();
        return Reply::wait();
    }
    JsonPtr handleAdmin(const json_t*) override { return jsonObject(); }
    JsonPtr querySession(SessionId) override { return jsonObject(); }

    static inline EchoCore* instance = nullptr;
    static inline SessionId last = 0;
    static inline bool failCreate = false;
    bool pushed = false;
    MediaHost& host_;

private:
    std::vector<std::thread> threads_;
};

struct EchoTraits {
    static constexpr PluginInfo kInfo{"janus.plugin.hipaa.echotest", "echo", "test core", "0.0.1", 1, "hipaa.test"};
    static std::unique_ptr<MediaPluginCore> create(const std::string&, Logger, MediaHost& host) {
        return std::make_unique<EchoCore>(host);
    }
};
using Glue = glue::MediaPluginGlue<EchoTraits>;

}  // namespace

TEST(MediaHost, AsyncAnswersReachJanusAndReferencesBalance) {
    FakeGateway::instance().reset();
    TempDir dir;
    janus_plugin* p = Glue::table();
    ASSERT_EQ(p->init(FakeGateway::instance().callbacks(), dir.path().c_str()), 0);
    FakeHandle h;
    int err = 0;
    p->create_session(&h.session, &err);

    janus_plugin_result* r =
        p->handle_message(&h.session, g_strdup("tx-9"), json_pack("{ss}", "request", "ping"), nullptr);
    EXPECT_EQ(r->type, JANUS_PLUGIN_OK_WAIT);
    janus_plugin_result_destroy(r);
    EXPECT_TRUE(EchoCore::instance->pushed);

    auto pushed = FakeGateway::instance().pushed();
    ASSERT_EQ(pushed.size(), 1u);
    EXPECT_EQ(pushed[0].handle, &h.session);
    EXPECT_EQ(pushed[0].transaction, "tx-9");
    EXPECT_EQ(jsonDump(pushed[0].message.get()), R"({"echo":{"request":"ping"}})");
    auto notified = FakeGateway::instance().notified();
    ASSERT_EQ(notified.size(), 1u);  // notify_event stole a copy; the core kept its own event
    EXPECT_EQ(jsonDump(notified[0].event.get()), R"({"echo":{"request":"ping"}})");
    EXPECT_EQ(h.refs(), 2);  // temporary references taken for each call were released

    // A stopping handle (hangup in progress) gets nothing pushed.
    JsonPtr any = jsonObject();
    g_atomic_int_set(&h.session.stopped, 1);
    EXPECT_FALSE(EchoCore::instance->host_.pushEvent(EchoCore::last, "", any.get(), nullptr));
    g_atomic_int_set(&h.session.stopped, 0);
    EXPECT_EQ(FakeGateway::instance().pushed().size(), 1u);

    p->destroy_session(&h.session, &err);
    EXPECT_EQ(h.refs(), 1);
    // After destroy_session the session id is unknown: pushes are dropped, not sent to a dead handle.
    JsonPtr late = jsonObject();
    EXPECT_FALSE(EchoCore::instance->host_.pushEvent(EchoCore::last, "", late.get(), nullptr));
    EXPECT_EQ(FakeGateway::instance().pushed().size(), 1u);
    p->destroy();
}

TEST(MediaHost, EventsDisabledMeansNoNotify) {
    FakeGateway::instance().reset();
    FakeGateway::instance().eventsEnabled = false;
    TempDir dir;
    janus_plugin* p = Glue::table();
    ASSERT_EQ(p->init(FakeGateway::instance().callbacks(), dir.path().c_str()), 0);
    FakeHandle h;
    int err = 0;
    p->create_session(&h.session, &err);
    janus_plugin_result_destroy(p->handle_message(&h.session, nullptr, json_pack("{ss}", "request", "x"), nullptr));
    EXPECT_EQ(FakeGateway::instance().notified().size(), 0u);
    EXPECT_EQ(FakeGateway::instance().pushed().size(), 1u);
    p->destroy_session(&h.session, &err);
    p->destroy();
}

// Janus initialises a plugin session's refcount only after create_session returned without error,
// and on error frees the handle itself: a failed create_session must not undo the reference it took
// (on the uninitialised count that could reach zero and call a free function that is not set yet).
TEST(MediaHost, AFailedCreateSessionLeavesTheHandlesRefcountAlone) {
    FakeGateway::instance().reset();
    TempDir dir;
    janus_plugin* p = Glue::table();
    ASSERT_EQ(p->init(FakeGateway::instance().callbacks(), dir.path().c_str()), 0);
    static int freed = 0;
    freed = 0;
    FakeHandle h;
    h.session.ref.count = 0;  // as g_malloc may leave it before janus_refcount_init
    h.session.ref.free = [](const janus_refcount*) { ++freed; };
    EchoCore::failCreate = true;
    int err = 0;
    p->create_session(&h.session, &err);
    EchoCore::failCreate = false;
    EXPECT_EQ(err, -1);
    EXPECT_EQ(freed, 0) << "the handle's free function ran from a failed create_session";
    p->destroy();
}

// SPDX-License-Identifier: GPL-3.0-or-later
#include "FakeGateway.hpp"

namespace hipaa::test {

namespace {
void freeHandleRef(const janus_refcount*) {}
}  // namespace

FakeHandle::FakeHandle() {
    session.ref.count = 1;  // the core's own reference
    session.ref.free = &freeHandleRef;
}

struct Trampolines {
    static FakeGateway& g() { return FakeGateway::instance(); }
    static int push(janus_plugin_session* h, janus_plugin*, const char* tx, json_t* msg, json_t* jsep) {
        {
            std::lock_guard lock(g().m_);
            // Like the core: the caller keeps its references.
            g().pushed_.push_back(
                {h, tx ? tx : "", msg ? jsonRetain(msg) : nullptr, jsep ? jsonRetain(jsep) : nullptr});
        }
        g().cv_.notify_all();
        return 0;
    }
    static void relayRtp(janus_plugin_session*, janus_plugin_rtp*) { bump(&FakeGateway::rtp_); }
    static void relayRtcp(janus_plugin_session*, janus_plugin_rtcp*) { bump(&FakeGateway::rtcp_); }
    static void relayData(janus_plugin_session*, janus_plugin_data*) { bump(&FakeGateway::data_); }
    static void sendPli(janus_plugin_session*) { bump(&FakeGateway::pli_); }
    static void sendPliStream(janus_plugin_session*, int) { bump(&FakeGateway::pli_); }
    static void sendRemb(janus_plugin_session*, guint32) {}
    static void closePc(janus_plugin_session*) { bump(&FakeGateway::closePc_); }
    static void endSession(janus_plugin_session*) { bump(&FakeGateway::end_); }
    static gboolean eventsEnabled() { return g().eventsEnabled; }
    static void notify(janus_plugin*, janus_plugin_session* h, json_t* event) {
        {
            std::lock_guard lock(g().m_);
            g().notified_.push_back({h, JsonPtr(event)});  // notify_event steals the reference
        }
        g().cv_.notify_all();
    }
    static gboolean authIsSigned() { return FALSE; }
    static gboolean authValid(janus_plugin*, const char*) { return FALSE; }
    static gboolean authContains(janus_plugin*, const char*, const char*) { return FALSE; }
    static void bump(int FakeGateway::*field) {
        {
            std::lock_guard lock(g().m_);
            ++(g().*field);
        }
        g().cv_.notify_all();
    }
};

FakeGateway& FakeGateway::instance() {
    static FakeGateway gw;
    return gw;
}

janus_callbacks* FakeGateway::callbacks() {
    static janus_callbacks cb = {
        .push_event = &Trampolines::push,
        .relay_rtp = &Trampolines::relayRtp,
        .relay_rtcp = &Trampolines::relayRtcp,
        .relay_data = &Trampolines::relayData,
        .send_pli = &Trampolines::sendPli,
        .send_pli_stream = &Trampolines::sendPliStream,
        .send_remb = &Trampolines::sendRemb,
        .close_pc = &Trampolines::closePc,
        .end_session = &Trampolines::endSession,
        .events_is_enabled = &Trampolines::eventsEnabled,
        .notify_event = &Trampolines::notify,
        .auth_is_signed = &Trampolines::authIsSigned,
        .auth_is_signature_valid = &Trampolines::authValid,
        .auth_signature_contains = &Trampolines::authContains,
    };
    return &cb;
}

void FakeGateway::reset() {
    std::lock_guard lock(m_);
    pushed_.clear();
    notified_.clear();
    rtp_ = rtcp_ = data_ = pli_ = closePc_ = end_ = 0;
    eventsEnabled = true;
}

std::vector<PushedEvent> FakeGateway::pushed() const {
    std::lock_guard lock(m_);
    std::vector<PushedEvent> out;
    for (const auto& p : pushed_)
        out.push_back({p.handle, p.transaction, p.message ? jsonRetain(p.message.get()) : nullptr,
                       p.jsep ? jsonRetain(p.jsep.get()) : nullptr});
    return out;
}

std::vector<NotifiedEvent> FakeGateway::notified() const {
    std::lock_guard lock(m_);
    std::vector<NotifiedEvent> out;
    for (const auto& n : notified_) out.push_back({n.handle, jsonRetain(n.event.get())});
    return out;
}

bool FakeGateway::waitFor(const std::function<bool(const FakeGateway&)>& pred,
                          std::chrono::milliseconds timeout) const {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (pred(*this)) return true;
        std::unique_lock lock(m_);
        cv_.wait_for(lock, std::chrono::milliseconds(20));
    }
    return pred(*this);
}

#define HIPAA_FAKE_COUNTER(name, field) \
    int FakeGateway::name() const {     \
        std::lock_guard lock(m_);       \
        return field;                   \
    }
HIPAA_FAKE_COUNTER(relayedRtp, rtp_)
HIPAA_FAKE_COUNTER(relayedRtcp, rtcp_)
HIPAA_FAKE_COUNTER(relayedData, data_)
HIPAA_FAKE_COUNTER(plis, pli_)
HIPAA_FAKE_COUNTER(closedPcs, closePc_)
HIPAA_FAKE_COUNTER(endedSessions, end_)
#undef HIPAA_FAKE_COUNTER

}  // namespace hipaa::test

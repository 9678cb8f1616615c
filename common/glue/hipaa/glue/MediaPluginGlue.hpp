// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The janus_plugin C table for a media plugin, as noexcept trampolines over a MediaPluginCore.
// Traits: `static constexpr PluginInfo kInfo` and
//         `static std::unique_ptr<MediaPluginCore> create(const std::string& configFile, Logger, MediaHost&)`.
// Ownership at each callback is documented in docs/abi-ownership.md.
#include "hipaa/Errors.hpp"
#include "hipaa/PluginCore.hpp"
#include "hipaa/glue/JanusAbi.hpp"
#include "hipaa/glue/JanusRoute.hpp"
#include "hipaa/glue/JanusSdp.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace hipaa::glue {

template <class Traits>
class MediaPluginGlue final : public MediaHost {
public:
    static janus_plugin* table() { return &plugin_; }

    // MediaHost: lookups under the lock, Janus calls outside it with our own handle reference.
    bool pushEvent(SessionId session, const std::string& transaction, const json_t* message,
                   const json_t* jsep) override {
        janus_plugin_session* h = acquire(session);
        if (!h) return false;
        int rc = gw_->push_event(h, &plugin_, transaction.empty() ? nullptr : transaction.c_str(),
                                 const_cast<json_t*>(message), const_cast<json_t*>(jsep));
        release(h);
        return rc == 0;  // JANUS_OK
    }
    void notifyEvent(SessionId session, const json_t* event) override {
        if (!gw_->events_is_enabled()) return;
        janus_plugin_session* h = session ? acquire(session) : nullptr;
        // notify_event steals the reference it is given.
        gw_->notify_event(&plugin_, h, json_deep_copy(event));
        if (h) release(h);
    }
    bool eventsEnabled() const override { return gw_->events_is_enabled(); }
    void closePeerConnection(SessionId session) override {
        if (janus_plugin_session* h = acquire(session)) {
            gw_->close_pc(h);
            release(h);
        }
    }
    void endSession(SessionId session) override {
        if (janus_plugin_session* h = acquire(session)) {
            gw_->end_session(h);
            release(h);
        }
    }

    // The packet path: the handle looked up once, here, with our own reference for the route.
    std::unique_ptr<MediaRoute> route(SessionId session) override {
        janus_plugin_session* h = acquire(session);
        if (!h) return nullptr;
        try {
            return std::make_unique<JanusRoute>(gw_, h);
        } catch (...) {
            release(h);
            throw;
        }
    }

    // Media by session id: the handle lookup takes the lock briefly; the Janus call runs outside it.
    void relayRtp(SessionId session, const MediaPacket& p) override {
        if (p.length > UINT16_MAX) return;
        if (janus_plugin_session* h = acquire(session)) {
            janus_plugin_rtp rtp{};
            rtp.mindex = p.mindex;
            rtp.video = p.video ? TRUE : FALSE;
            rtp.buffer = reinterpret_cast<char*>(p.data);
            rtp.length = static_cast<uint16_t>(p.length);
            janus_plugin_rtp_extensions_reset(&rtp.extensions);
            gw_->relay_rtp(h, &rtp);
            release(h);
        }
    }
    void relayRtcp(SessionId session, const MediaPacket& p) override {
        if (p.length > UINT16_MAX) return;
        if (janus_plugin_session* h = acquire(session)) {
            janus_plugin_rtcp rtcp{p.mindex, p.video ? TRUE : FALSE, reinterpret_cast<char*>(p.data),
                                   static_cast<uint16_t>(p.length)};
            gw_->relay_rtcp(h, &rtcp);
            release(h);
        }
    }
    void relayData(SessionId session, const char* label, bool binary, const uint8_t* data, size_t length) override {
        if (length > UINT16_MAX) return;
        if (janus_plugin_session* h = acquire(session)) {
            janus_plugin_data d{const_cast<char*>(label), nullptr, binary ? TRUE : FALSE,
                                reinterpret_cast<char*>(const_cast<uint8_t*>(data)), static_cast<uint16_t>(length)};
            gw_->relay_data(h, &d);
            release(h);
        }
    }
    void sendPli(SessionId session, int mindex) override {
        if (janus_plugin_session* h = acquire(session)) {
            if (mindex < 0)
                gw_->send_pli(h);
            else
                gw_->send_pli_stream(h, mindex);
            release(h);
        }
    }
    void sendRemb(SessionId session, uint32_t bitsPerSecond) override {
        if (janus_plugin_session* h = acquire(session)) {
            gw_->send_remb(h, bitsPerSecond);
            release(h);
        }
    }

    SdpEngine* sdp() override { return &sdp_; }
    uint64_t clientSession(SessionId session) const override {
        std::lock_guard lock(mutex_);
        auto it = clients_.find(session);
        return it == clients_.end() ? 0 : it->second;
    }

private:
    explicit MediaPluginGlue(janus_callbacks* gw) : gw_(gw), log_(janusLogger(Traits::kInfo.package)) {}

    static MediaPluginGlue* self() { return self_.get(); }
    static SessionId idOf(janus_plugin_session* h) {
        return static_cast<SessionId>(reinterpret_cast<uintptr_t>(h->plugin_handle));
    }
    // The Janus session of a handle. ice.h and the session struct are not installed headers, but their
    // first members have been `void* session` (janus_ice_handle) and `guint64 session_id`
    // (janus_session) in every Janus release (Mozilla's janus-plugin-sfu reads them too); only read
    // at create_session, when Janus holds both. 0 when the gateway gives no handle (unit tests).
    static uint64_t clientSessionOf(janus_plugin_session* h) {
        struct IceHandlePrefix {
            void* session;
            guint64 handle_id;
        };
        const auto* ice = static_cast<const IceHandlePrefix*>(h->gateway_handle);
        if (!ice || !ice->session) return 0;
        return *static_cast<const guint64*>(ice->session);
    }

    janus_plugin_session* acquire(SessionId id) {
        std::lock_guard lock(mutex_);
        auto it = sessions_.find(id);
        if (it == sessions_.end() || g_atomic_int_get(&it->second->stopped)) return nullptr;
        janus_refcount_increase(&it->second->ref);
        return it->second;
    }
    static void release(janus_plugin_session* h) { janus_refcount_decrease(&h->ref); }

    void fail(const char* where, const std::exception* e) const {
        log_.error(std::string(where) + " failed: " + (e ? e->what() : "unknown exception"));
    }

    // ---- C callbacks ----
    static int init(janus_callbacks* callback, const char* configPath) noexcept {
        if (!callback || !configPath) return -1;
        try {
            auto glue = std::unique_ptr<MediaPluginGlue>(new MediaPluginGlue(callback));
            glue->core_ = Traits::create(configFile(configPath, Traits::kInfo.package), glue->log_, *glue);
            self_ = std::move(glue);
            self_->log_.info(std::string(Traits::kInfo.name) + " " + Traits::kInfo.versionString + " initialized");
            return 0;
        } catch (const std::exception& e) {
            // The core joined its threads in its destructor: Janus dlcloses us after a failed init.
            janusLogger(Traits::kInfo.package).error(std::string("init failed: ") + e.what());
        } catch (...) {
            janusLogger(Traits::kInfo.package).error("init failed: unknown exception");
        }
        return -1;
    }
    static void destroy() noexcept {
        if (!self_) return;
        try {
            self_->core_.reset();  // joins workers, ends what is left
        } catch (...) {
        }
        self_.reset();
    }
    static int apiCompatibility() noexcept { return JANUS_PLUGIN_API_VERSION; }
    static int version() noexcept { return Traits::kInfo.version; }
    static const char* versionString() noexcept { return Traits::kInfo.versionString; }
    static const char* description() noexcept { return Traits::kInfo.description; }
    static const char* name() noexcept { return Traits::kInfo.name; }
    static const char* author() noexcept { return "janus-hipaa"; }
    static const char* package() noexcept { return Traits::kInfo.package; }

    static void createSession(janus_plugin_session* handle, int* error) noexcept {
        MediaPluginGlue* g = self();
        if (!g || !handle) {
            if (error) *error = -1;
            return;
        }
        SessionId id = g->nextId_.fetch_add(1);
        try {
            // Janus keeps plugin_handle opaque: it carries our id, never a pointer (no lookup into freed memory).
            handle->plugin_handle =
                reinterpret_cast<void*>(static_cast<uintptr_t>(id));  // NOLINT(performance-no-int-to-ptr)
            {
                std::lock_guard lock(g->mutex_);
                // Balanced in destroySession. Janus sets this count to 1 only after create_session returns
                // (janus_ice_handle_attach_plugin): that 1 stands for this reference; the core adds its own.
                janus_refcount_increase(&handle->ref);
                g->sessions_.emplace(id, handle);
                g->clients_.emplace(id, clientSessionOf(handle));
            }
            g->core_->createSession(id);
            if (error) *error = 0;
        } catch (const std::exception& e) {
            g->fail("create_session", &e);
            g->forget(id, false);
            if (error) *error = -1;
        } catch (...) {
            g->fail("create_session", nullptr);
            g->forget(id, false);
            if (error) *error = -1;
        }
    }

    // `release`: drop the reference create_session took. Not when create_session itself fails: Janus
    // initialises the handle's refcount only after create_session returned without error (and frees
    // the handle on error), so the increment there was never counted and must not be undone.
    void forget(SessionId id, bool releaseRef = true) {
        janus_plugin_session* h = nullptr;
        {
            std::lock_guard lock(mutex_);
            clients_.erase(id);
            auto it = sessions_.find(id);
            if (it == sessions_.end()) return;
            h = it->second;
            sessions_.erase(it);
        }
        if (releaseRef) release(h);
    }

    static void destroySession(janus_plugin_session* handle, int* error) noexcept {
        MediaPluginGlue* g = self();
        if (!g || !handle) {
            if (error) *error = -1;
            return;
        }
        SessionId id = idOf(handle);
        try {
            g->core_->destroySession(id);
        } catch (const std::exception& e) {
            g->fail("destroy_session", &e);
        } catch (...) {
            g->fail("destroy_session", nullptr);
        }
        g->forget(id);
        if (error) *error = 0;
    }

    static janus_plugin_result* handleMessage(janus_plugin_session* handle, char* transaction, json_t* message,
                                              json_t* jsep) noexcept {
        // We own transaction, message and jsep from here on.
        std::unique_ptr<char, decltype(&g_free)> tx(transaction, &g_free);
        JsonPtr msg(message), sdp(jsep);
        MediaPluginGlue* g = self();
        if (!g || !handle || g_atomic_int_get(&handle->stopped))
            return janus_plugin_result_new(JANUS_PLUGIN_ERROR, g ? "No session" : "Plugin not initialized", nullptr);
        JsonPtr content;
        try {
            auto reply = g->core_->handleMessage(idOf(handle), tx ? tx.get() : "", std::move(msg), std::move(sdp));
            if (reply.kind == MediaPluginCore::Reply::Kind::Wait)
                return janus_plugin_result_new(JANUS_PLUGIN_OK_WAIT, nullptr, nullptr);
            content = std::move(reply.content);
        } catch (const Error& e) {
            content = jsonError(e.code(), e.what());
        } catch (const std::exception& e) {
            g->fail("handle_message", &e);
            content = jsonError(errc::kInternal, "internal error");
        } catch (...) {
            g->fail("handle_message", nullptr);
            content = jsonError(errc::kInternal, "internal error");
        }
        try {
            content = envelopeAnswer(Traits::kInfo, std::move(content));
        } catch (...) {
            return janus_plugin_result_new(JANUS_PLUGIN_ERROR, "internal error", nullptr);  // out of memory
        }
        return janus_plugin_result_new(JANUS_PLUGIN_OK, nullptr, content.release());
    }

    static json_t* handleAdminMessage(json_t* message) noexcept {  // message is borrowed
        MediaPluginGlue* g = self();
        JsonPtr answer;
        if (!g) {
            answer = jsonError(errc::kInternal, "plugin not initialized");
        } else {
            try {
                answer = g->core_->handleAdmin(message);
            } catch (const Error& e) {
                answer = jsonError(e.code(), e.what());
            } catch (const std::exception& e) {
                g->fail("handle_admin_message", &e);
            } catch (...) {
                g->fail("handle_admin_message", nullptr);
            }
        }
        try {
            return envelopeAnswer(Traits::kInfo, std::move(answer)).release();  // null: internal error
        } catch (...) {
            return nullptr;  // out of memory
        }
    }

    static void setupMedia(janus_plugin_session* handle) noexcept {
        if (MediaPluginGlue* g = self(); g && handle) try {
                g->core_->setupMedia(idOf(handle));
            } catch (...) {
                g->fail("setup_media", nullptr);
            }
    }
    static void hangupMedia(janus_plugin_session* handle) noexcept {
        if (MediaPluginGlue* g = self(); g && handle) try {
                g->core_->hangupMedia(idOf(handle));
            } catch (...) {
                g->fail("hangup_media", nullptr);
            }
    }
    // Media callbacks: O(1) hand-over to the core (which promises noexcept and no allocation).
    static void incomingRtp(janus_plugin_session* handle, janus_plugin_rtp* rtp) noexcept {
        MediaPluginGlue* g = self();
        if (!g || !handle || !rtp || !rtp->buffer || g_atomic_int_get(&handle->stopped)) return;
        MediaPacket p{rtp->mindex, rtp->video != FALSE, reinterpret_cast<uint8_t*>(rtp->buffer), rtp->length};
        g->core_->incomingRtp(idOf(handle), p);
    }
    static void incomingRtcp(janus_plugin_session* handle, janus_plugin_rtcp* rtcp) noexcept {
        MediaPluginGlue* g = self();
        if (!g || !handle || !rtcp || !rtcp->buffer || g_atomic_int_get(&handle->stopped)) return;
        MediaPacket p{rtcp->mindex, rtcp->video != FALSE, reinterpret_cast<uint8_t*>(rtcp->buffer), rtcp->length};
        g->core_->incomingRtcp(idOf(handle), p);
    }
    static void incomingData(janus_plugin_session* handle, janus_plugin_data* d) noexcept {
        MediaPluginGlue* g = self();
        if (!g || !handle || !d || !d->buffer || g_atomic_int_get(&handle->stopped)) return;
        g->core_->incomingData(idOf(handle), d->label, d->binary != FALSE, reinterpret_cast<const uint8_t*>(d->buffer),
                               d->length);
    }
    static void dataReady(janus_plugin_session*) noexcept {}
    static void slowLink(janus_plugin_session* handle, int mindex, gboolean video, gboolean uplink) noexcept {
        (void)mindex;
        if (MediaPluginGlue* g = self(); g && handle) g->core_->slowLink(idOf(handle), uplink != FALSE, video != FALSE);
    }

    static json_t* querySession(janus_plugin_session* handle) noexcept {
        MediaPluginGlue* g = self();
        if (!g || !handle) return nullptr;
        try {
            return g->core_->querySession(idOf(handle)).release();
        } catch (...) {
            g->fail("query_session", nullptr);
            return nullptr;
        }
    }

    static inline janus_plugin plugin_ = {
        .init = &init,
        .destroy = &destroy,
        .get_api_compatibility = &apiCompatibility,
        .get_version = &version,
        .get_version_string = &versionString,
        .get_description = &description,
        .get_name = &name,
        .get_author = &author,
        .get_package = &package,
        .create_session = &createSession,
        .handle_message = &handleMessage,
        .handle_admin_message = &handleAdminMessage,
        .setup_media = &setupMedia,
        .incoming_rtp = &incomingRtp,
        .incoming_rtcp = &incomingRtcp,
        .incoming_data = &incomingData,
        .data_ready = &dataReady,
        .slow_link = &slowLink,
        .hangup_media = &hangupMedia,
        .destroy_session = &destroySession,
        .query_session = &querySession,
    };
    static inline std::unique_ptr<MediaPluginGlue> self_;

    janus_callbacks* gw_;
    Logger log_;
    JanusSdp sdp_;  // before core_: the core uses it until it is destroyed
    std::unique_ptr<MediaPluginCore> core_;
    mutable std::mutex mutex_;
    std::unordered_map<SessionId, janus_plugin_session*> sessions_;
    std::unordered_map<SessionId, uint64_t> clients_;  // Janus session of each handle
    std::atomic<SessionId> nextId_{1};
};

}  // namespace hipaa::glue

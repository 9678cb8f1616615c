// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The C++ side of the Janus ABI, free of Janus types so that plugin logic is testable without Janus.
// The glue (common/glue) implements the hosts on top of janus_callbacks and drives the cores.
#include "hipaa/Json.hpp"
#include "hipaa/Sdp.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace hipaa {

using SessionId = uint64_t;  // our id for a janus_plugin_session; never reused within a process

// One RTP or RTCP packet as a core sees it (janus_plugin_rtp/rtcp without the Janus types). The buffer
// is the gateway's: valid only during the call; a relay may rewrite it in place and restore it.
struct MediaPacket {
    int mindex = -1;  // m-line index on the session it belongs to (-1: first of its kind)
    bool video = false;
    uint8_t* data = nullptr;
    size_t length = 0;
};

// One session's Janus handle, resolved once (when a subscription is made) for the media path: sending
// through it takes no lookup and no lock. It keeps the handle's memory valid until it is destroyed;
// once the session ended (Janus stopped the handle) its calls are dropped. Destroy it off the media
// threads: dropping the last reference may free the handle.
class MediaRoute {
public:
    virtual ~MediaRoute() = default;
    virtual void relayRtp(const MediaPacket& packet) noexcept = 0;
    virtual void relayData(const char* label, bool binary, const uint8_t* data, size_t length) noexcept = 0;
    virtual void sendPli(int mindex) noexcept = 0;
    virtual void sendRemb(uint32_t bitsPerSecond) noexcept = 0;
};

// What a media plugin may ask of the gateway. Safe to call from any thread, also after the session
// went away (the call is then dropped and returns false).
class MediaHost {
public:
    virtual ~MediaHost() = default;
    // Borrowed message/jsep: the host takes its own reference.
    virtual bool pushEvent(SessionId session, const std::string& transaction, const json_t* message,
                           const json_t* jsep) = 0;
    // PHI-free events only: every other event handler (RabbitMQ, HTTP, ...) can read them.
    virtual void notifyEvent(SessionId session, const json_t* event) = 0;
    virtual bool eventsEnabled() const = 0;
    virtual void closePeerConnection(SessionId session) = 0;
    virtual void endSession(SessionId session) = 0;
    // A route to the session's handle for the media path; null when the session is gone. Control
    // threads only (it looks the handle up). The default sends through the calls below.
    virtual std::unique_ptr<MediaRoute> route(SessionId session);
    // Media by session id (each call looks the handle up: use a route on the packet path). Defaults
    // drop the packet. The gateway copies what it is given before returning, so the caller may reuse
    // the buffer.
    virtual void relayRtp(SessionId, const MediaPacket&) {}
    virtual void relayRtcp(SessionId, const MediaPacket&) {}
    virtual void relayData(SessionId, const char* /*label*/, bool /*binary*/, const uint8_t*, size_t) {}
    // Ask a publisher for a keyframe on one stream (send_pli_stream) / cap its bitrate (send_remb).
    virtual void sendPli(SessionId, int /*mindex*/) {}
    virtual void sendRemb(SessionId, uint32_t /*bitsPerSecond*/) {}
    // SDP offer/answer (Janus' sdp-utils in the glue); null where there is none (then no media).
    virtual SdpEngine* sdp() { return nullptr; }
    // The Janus API session (janus_session.session_id: one per janus.js `new Janus()`, so per browser
    // tab) that attached this handle; 0 when unknown. Valid from the core's createSession on.
    virtual uint64_t clientSession(SessionId) const { return 0; }
};

class MediaPluginCore {
public:
    struct Reply {
        enum class Kind { Ok, Wait } kind = Kind::Ok;
        JsonPtr content;  // Ok: the synchronous answer (errors too, as {"error_code","error"})

        static Reply ok(JsonPtr c) { return {Kind::Ok, std::move(c)}; }
        static Reply wait() { return {Kind::Wait, nullptr}; }
    };

    virtual ~MediaPluginCore() = default;
    virtual void createSession(SessionId session) = 0;
    virtual void destroySession(SessionId session) = 0;
    // Called on a transport thread: answer cheap reads synchronously, queue the rest and return wait().
    virtual Reply handleMessage(SessionId session, const std::string& transaction, JsonPtr message, JsonPtr jsep) = 0;
    // Admin API message_plugin; the request is borrowed, the answer is handed to the core.
    virtual JsonPtr handleAdmin(const json_t* request) = 0;
    virtual JsonPtr querySession(SessionId session) = 0;
    virtual void setupMedia(SessionId) {}
    virtual void hangupMedia(SessionId) {}
    // Media callbacks from Janus' media threads: O(1), never block, never allocate, never throw.
    virtual void incomingRtp(SessionId, MediaPacket&) noexcept {}
    virtual void incomingRtcp(SessionId, MediaPacket&) noexcept {}
    virtual void incomingData(SessionId, const char* /*label*/, bool /*binary*/, const uint8_t*, size_t) noexcept {}
    virtual void slowLink(SessionId, bool /*uplink*/, bool /*video*/) noexcept {}
};

class EventHandlerCore {
public:
    virtual ~EventHandlerCore() = default;
    // Called on Janus' event thread with a borrowed event: O(1), take a reference and queue.
    virtual void incomingEvent(json_t* event) = 0;
    // Admin API query_eventhandler; the request is borrowed.
    virtual JsonPtr handleRequest(const json_t* request) = 0;
};

// Plugin metadata every entry file provides (also used in `info` answers).
struct PluginInfo {
    const char* package;  // e.g. "janus.plugin.hipaa.room"
    const char* name;     // human-readable
    const char* description;
    const char* versionString;
    int version;           // numeric, e.g. 100 for 0.1.0
    const char* envelope;  // the answer envelope's key, e.g. "hipaa.room" (see envelopeAnswer)
};

// {"plugin": package, "version": versionString, "version_num": version, "config": effective}
JsonPtr infoResponse(const PluginInfo& info, JsonPtr effectiveConfig);

// The envelope of every synchronous answer (Admin API message_plugin / query_eventhandler, and a
// client request answered at once), as Janus' VideoRoom has "videoroom": "success": sets
// `"<info.envelope>": "error"` when the answer carries an `error_code`, else `"success"`. A null
// answer becomes an internal error. The glue applies it to whatever a core answers or throws.
JsonPtr envelopeAnswer(const PluginInfo& info, JsonPtr answer);

}  // namespace hipaa

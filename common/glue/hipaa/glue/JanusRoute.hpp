// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// MediaRoute over one janus_plugin_session. It owns one reference on the handle (taken by the glue
// under its lock when the route was made), so the handle's memory outlives every packet sent through
// the route; the reference is dropped when the route is destroyed. Per packet: the handle's `stopped`
// flag (set by Janus before hangup/destroy), then the Janus call. No lock, no lookup, no allocation.
#include "hipaa/PluginCore.hpp"
#include "hipaa/glue/JanusAbi.hpp"

namespace hipaa::glue {

class JanusRoute final : public MediaRoute {
public:
    // Adopts a reference the caller took on `handle`.
    JanusRoute(janus_callbacks* gw, janus_plugin_session* handle) noexcept : gw_(gw), h_(handle) {}
    JanusRoute(const JanusRoute&) = delete;
    JanusRoute& operator=(const JanusRoute&) = delete;
    ~JanusRoute() override { janus_refcount_decrease(&h_->ref); }

    void relayRtp(const MediaPacket& p) noexcept override {
        if (p.length > UINT16_MAX || stopped()) return;
        janus_plugin_rtp rtp{};
        rtp.mindex = p.mindex;
        rtp.video = p.video ? TRUE : FALSE;
        rtp.buffer = reinterpret_cast<char*>(p.data);
        rtp.length = static_cast<uint16_t>(p.length);
        janus_plugin_rtp_extensions_reset(&rtp.extensions);
        gw_->relay_rtp(h_, &rtp);
    }
    void relayData(const char* label, bool binary, const uint8_t* data, size_t length) noexcept override {
        if (length > UINT16_MAX || stopped()) return;
        janus_plugin_data d{const_cast<char*>(label), nullptr, binary ? TRUE : FALSE,
                            reinterpret_cast<char*>(const_cast<uint8_t*>(data)), static_cast<uint16_t>(length)};
        gw_->relay_data(h_, &d);
    }
    void sendPli(int mindex) noexcept override {
        if (stopped()) return;
        if (mindex < 0)
            gw_->send_pli(h_);
        else
            gw_->send_pli_stream(h_, mindex);
    }
    void sendRemb(uint32_t bitsPerSecond) noexcept override {
        if (!stopped()) gw_->send_remb(h_, bitsPerSecond);
    }

private:
    bool stopped() const noexcept { return g_atomic_int_get(&h_->stopped) != 0; }

    janus_callbacks* gw_;
    janus_plugin_session* h_;
};

}  // namespace hipaa::glue

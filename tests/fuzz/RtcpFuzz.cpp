// SPDX-License-Identifier: GPL-3.0-or-later
// RTCP compound packets from a subscriber, as the room reads them: rtcpRequestsKeyframe and the relay's
// incomingRtcp on arbitrary bytes. Besides memory safety (ASan), the relay must ask the publisher for a
// keyframe exactly when the scan says the packet requests one.
#include "MediaRelay.hpp"
#include "RtcpKeyframeRequest.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace {

class CountingHost final : public hipaa::MediaHost {
public:
    bool pushEvent(hipaa::SessionId, const std::string&, const json_t*, const json_t*) override { return true; }
    void notifyEvent(hipaa::SessionId, const json_t*) override {}
    bool eventsEnabled() const override { return false; }
    void closePeerConnection(hipaa::SessionId) override {}
    void endSession(hipaa::SessionId) override {}
    void sendPli(hipaa::SessionId, int) override { ++plis; }
    int plis = 0;
};

struct Relay {
    CountingHost host;
    hipaa::room::MediaRelay relay{host};
    Relay() {
        // Publisher 1 sends video on m-line 0; subscriber 2 receives it on its m-line 0.
        relay.publish(1, "room", 1, {hipaa::room::RelayStream{0, true, "vp8", 96, false, false}}, 0, false);
        relay.subscribe(2, 1, 0, 0);
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static Relay r;
    std::vector<uint8_t> copy(data, data + size);  // exactly `size` bytes: ASan sees any overread
    bool asks = hipaa::room::rtcpRequestsKeyframe(copy.data(), copy.size());
    int before = r.host.plis;
    hipaa::MediaPacket p{0, true, copy.data(), copy.size()};
    r.relay.incomingRtcp(2, p);
    if ((r.host.plis - before == 1) != asks) __builtin_trap();
    return 0;
}

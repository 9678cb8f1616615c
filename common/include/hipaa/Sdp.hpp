// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// SDP offer/answer as a media core needs it, free of Janus types. The glue implements it with Janus'
// sdp-utils (common/glue/hipaa/glue/JanusSdp.hpp); unit tests use a fake. The core (ICE, DTLS,
// BUNDLE, candidates, SSRCs) is added by the gateway around what the plugin writes.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hipaa {

// One m-line as negotiated.
struct SdpMedia {
    enum class Type { Audio, Video, Data, Other };
    int mindex = 0;
    std::string mid;
    Type type = Type::Other;
    std::string codec;     // "opus", "vp8", "vp9", "h264"; empty for data and for a refused m-line
    int payloadType = -1;  // the publisher's payload type for `codec` (relayed unchanged)
    std::string profile;   // VP9 profile-id / H.264 profile-level-id when the offer fixed one
    bool active = false;   // media flows in the negotiated direction (publisher: the browser sends)
};

// A client-chosen a=mid we accept: 1 to 16 of [A-Za-z0-9_-]. RFC 8843 allows any token, but mids
// end up in events, the audit trail and other participants' offers; browsers use "0", "1", ...
// (Firefox "sdparta_0"), and the RTP MID header extension carries at most 16 bytes anyway.
inline bool sdpMidAcceptable(std::string_view mid) {
    if (mid.empty() || mid.size() > 16) return false;
    for (char c : mid)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    return true;
}

inline const char* sdpTypeName(SdpMedia::Type t) {
    switch (t) {
        case SdpMedia::Type::Audio:
            return "audio";
        case SdpMedia::Type::Video:
            return "video";
        case SdpMedia::Type::Data:
            return "data";
        default:
            return "other";
    }
}

struct SdpPolicy {
    std::vector<std::string> audioCodecs{"opus"};
    std::vector<std::string> videoCodecs{"vp8", "vp9", "h264"};
    bool data = true;
    uint32_t videoBitrateBps = 0;  // > 0: b=AS in the answer (the browser's own cap; REMB does the rest)
};

class SdpEngine {
public:
    virtual ~SdpEngine() = default;
    // A publisher's offer -> the answer (recvonly), one SdpMedia per offered m-line (refused ones
    // inactive). Throws RequestError (errc::kInvalidSdp...) when the offer does not parse.
    virtual std::string answerPublisher(const std::string& offer, const SdpPolicy& policy,
                                        std::vector<SdpMedia>& media) = 0;
    // An offer that sends `media` (sendonly; inactive where !active) to a subscriber.
    virtual std::string offerSubscriber(const std::string& name, const std::vector<SdpMedia>& media,
                                        uint64_t version) = 0;
    // A subscriber's answer: false (with a reason) when it does not parse.
    virtual bool parses(const std::string& sdp, std::string& error) = 0;
};

}  // namespace hipaa

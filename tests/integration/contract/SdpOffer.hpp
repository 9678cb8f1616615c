// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Synthetic WebRTC offers and answers (what a browser would send, without ICE candidates): enough for
// Janus to hand the JSEP to the room, which decides on codecs, e2ee and publisher limits before any media.
#include <string>

namespace hipaa::test {

// One sendonly audio m-line with the given rtpmap ("111 opus/48000/2", "0 PCMU/8000").
inline std::string audioOffer(const std::string& rtpmap = "111 opus/48000/2") {
    std::string pt = rtpmap.substr(0, rtpmap.find(' '));
    std::string fp = "sha-256 ";
    for (int i = 0; i < 32; ++i) fp += std::string(i ? ":" : "") + "AB";
    return "v=0\r\n"
           "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
           "s=-\r\n"
           "t=0 0\r\n"
           "a=group:BUNDLE 0\r\n"
           "a=msid-semantic: WMS contract\r\n"
           "m=audio 9 UDP/TLS/RTP/SAVPF " +
           pt +
           "\r\n"
           "c=IN IP4 0.0.0.0\r\n"
           "a=rtcp:9 IN IP4 0.0.0.0\r\n"
           "a=ice-ufrag:cOnT\r\n"
           "a=ice-pwd:contractcontractcontract\r\n"
           "a=ice-options:trickle\r\n"
           "a=fingerprint:" +
           fp +
           "\r\n"
           "a=setup:actpass\r\n"
           "a=mid:0\r\n"
           "a=sendonly\r\n"
           "a=msid:contract a0\r\n"
           "a=rtcp-mux\r\n"
           "a=rtpmap:" +
           rtpmap +
           "\r\n"
           "a=ssrc:11111111 cname:contract\r\n";
}

// A subscriber's answer to an offer with one audio m-line `mid` carrying Opus (payload type 111).
inline std::string audioAnswer(const std::string& mid) {
    std::string fp = "sha-256 ";
    for (int i = 0; i < 32; ++i) fp += std::string(i ? ":" : "") + "CD";
    return "v=0\r\n"
           "o=- 4611731400430051337 2 IN IP4 127.0.0.1\r\n"
           "s=-\r\n"
           "t=0 0\r\n"
           "a=group:BUNDLE " +
           mid +
           "\r\n"
           "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
           "c=IN IP4 0.0.0.0\r\n"
           "a=rtcp:9 IN IP4 0.0.0.0\r\n"
           "a=ice-ufrag:sUbS\r\n"
           "a=ice-pwd:subscribersubscribersub\r\n"
           "a=ice-options:trickle\r\n"
           "a=fingerprint:" +
           fp +
           "\r\n"
           "a=setup:active\r\n"
           "a=mid:" +
           mid +
           "\r\n"
           "a=recvonly\r\n"
           "a=rtcp-mux\r\n"
           "a=rtpmap:111 opus/48000/2\r\n";
}

}  // namespace hipaa::test

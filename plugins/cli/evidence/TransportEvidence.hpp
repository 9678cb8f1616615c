// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Encryption in transit: Janus runs with DTLS-SRTP (shown by the room plugin being loaded, as it refuses
// to load when Janus runs without WebRTC encryption), and the FHIR endpoint's TLS, checked now with a
// handshake that verifies the certificate and host name (the handler's ca_file, else the system store).
#include "EvidenceSection.hpp"
#include "EvidenceSources.hpp"

#include <functional>

namespace hipaa::cli {

class TransportEvidence {
public:
    // Performs a verified TLS request to `url` (CA bundle `ca`, "" for the system's); throws on failure.
    using TlsProbe = std::function<void(const std::string& url, const std::string& ca)>;
    static EvidenceSection collect(const EvidenceSources& src, const TlsProbe& probe);
    // The real probe: GET url with libcurl, https only, peer and host verified (CurlEasy).
    static void curlProbe(const std::string& url, const std::string& ca);
};

}  // namespace hipaa::cli

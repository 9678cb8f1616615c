// SPDX-License-Identifier: GPL-3.0-or-later
#include "TransportEvidence.hpp"

#include "../PluginNames.hpp"

#include "hipaa/CurlEasy.hpp"

namespace hipaa::cli {

void TransportEvidence::curlProbe(const std::string& url, const std::string& ca) {
    CurlGlobal global;
    CurlEasy curl(CurlEasy::Schemes::HttpsOnly);
    HttpRequest r;
    r.url = url;
    r.caBundle = ca;
    r.connectTimeoutMs = 5000;
    r.timeoutMs = 10000;
    r.maxResponseBytes = size_t{4} << 20;
    curl.perform(r);  // any HTTP status will do: the handshake verified the certificate
}

EvidenceSection TransportEvidence::collect(const EvidenceSources& src, const TlsProbe& probe) {
    EvidenceSection s("transport", "Encryption in transit (DTLS-SRTP, FHIR TLS)",
                      "DTLS-SRTP: the room plugin refuses to load when Janus runs without WebRTC encryption "
                      "(janus_is_webrtc_encryption_enabled), so its answering info now shows Janus runs with "
                      "DTLS-SRTP. FHIR: a TLS request to general.base_url + /metadata made now, certificate and "
                      "host name verified with the handler's general.ca_file (else the system store).");
    if (auto it = src.info.find(plugins::kRoom); it != src.info.end())
        s.figure("DTLS-SRTP", "on: the room plugin is loaded (version " +
                                  std::string(jsonString(it->second.get(), "version").value_or("")) + ")");
    else
        s.fail("DTLS-SRTP not shown: the room plugin did not answer info");

    const json_t* general = json_object_get(src.config(plugins::kFhir), "general");
    if (!general) {
        s.unchecked("FHIR endpoint TLS: the FHIR handler's info named no general.base_url");
        return s;
    }
    const std::string base(jsonString(general, "base_url").value_or(""));
    const std::string ca(jsonString(general, "ca_file").value_or(""));
    s.figure("FHIR base_url", base);
    s.figure("FHIR CA", ca.empty() ? "system store" : ca);
    if (!base.starts_with("https://")) {
        s.fail("FHIR base_url is not https");
        return s;
    }
    try {
        probe(base + "/metadata", ca);
        s.figure("FHIR endpoint TLS", "verified now (certificate chain and host name)");
    } catch (const std::exception& e) {
        s.fail(std::string("FHIR endpoint TLS not verified: ") + e.what());
    }
    return s;
}

}  // namespace hipaa::cli

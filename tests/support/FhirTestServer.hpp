// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The FHIR test server (tests/fhir-server via scripts/fhir-server.sh) for one test: its own port,
// test CA, client keys and in-memory data. outage()/restore() stop and resume listening without
// losing data (a real outage from the client's side: connection refused).
#include "TempDir.hpp"

#include "hipaa/CurlEasy.hpp"
#include "hipaa/Json.hpp"

#include <string>

namespace hipaa::fhir::test {

class FhirTestServer {
public:
    FhirTestServer();
    ~FhirTestServer();
    FhirTestServer(const FhirTestServer&) = delete;
    FhirTestServer& operator=(const FhirTestServer&) = delete;

    const std::string& baseUrl() const { return baseUrl_; }
    std::string tokenUrl() const { return origin_ + "/auth/token"; }
    std::string file(const std::string& name) const { return dir_.file(name); }
    void outage();
    void restore();

    // A janus.eventhandler.hipaa.fhir .jcfg sending to this server (SMART ES384 with its test key,
    // trusting `ca`; instance "janus-consult"), its outbox at `outboxConninfo` sealed with `outboxKeyFile`,
    // tuned for tests: quick retries (a 60 s outage sees ~15 attempts), never dead-lettered for lack of
    // attempts, a short lease (a killed Janus' claim is free again after 5 s).
    std::string handlerConfig(const std::string& outboxConninfo, const std::string& outboxKeyFile,
                              const std::string& identifierSystem, const std::string& ca = "ca.pem") const;

    // Direct access with the server's static bearer token (test setup and assertions).
    HttpResponse get(const std::string& path);
    HttpResponse put(const std::string& path, const std::string& body);
    JsonPtr getJson(const std::string& path);
    // Number of resources matching a search (e.g. "Encounter?identifier=sys|v").
    size_t count(const std::string& search);
    JsonPtr stats();

private:
    hipaa::test::TempDir dir_;
    std::string baseUrl_, origin_, token_;
    CurlGlobal global_;
    CurlEasy curl_;
};

// Percent-encodes a search parameter value.
std::string urlEncode(const std::string& v);

}  // namespace hipaa::fhir::test

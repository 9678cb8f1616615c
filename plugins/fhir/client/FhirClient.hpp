// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Sends one transaction Bundle to the EHR and classifies the answer for the outbox:
// sent (2xx), retry (transport failure, 401 after a token refresh, 408, 429, 5xx, 4xx without an
// OperationOutcome) or dead (4xx with an OperationOutcome: the server rejected the content, a retry
// would be rejected again). Nothing it returns carries PHI.
#include "FhirAuth.hpp"

#include "hipaa/CurlEasy.hpp"
#include "hipaa/Json.hpp"

#include <memory>
#include <string>
#include <vector>

namespace hipaa::fhir {

struct SendResult {
    enum class Kind { Sent, Retry, Dead } kind = Kind::Retry;
    long status = 0;                       // HTTP status; 0 when no answer
    std::string error;                     // PHI-free reason for retry/dead
    JsonPtr outcome;                       // PHI-free OperationOutcome parts (dead)
    std::vector<std::string> resourceIds;  // "Encounter/123" from the transaction-response
};

class FhirClient {
public:
    struct Options {
        std::string baseUrl, caBundle;
        long connectTimeoutMs = 5000, timeoutMs = 15000;
    };
    FhirClient(Options options, std::unique_ptr<FhirAuth> auth);

    SendResult sendTransaction(const std::string& bundleJson);
    // GET base/path (tests and diagnostics).
    HttpResponse get(const std::string& path);

private:
    HttpResponse post(const std::string& body);

    Options options_;
    std::unique_ptr<FhirAuth> auth_;
    CurlEasy curl_;
};

}  // namespace hipaa::fhir

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// SMART Backend Services: client-credentials grant with a private_key_jwt assertion. The access
// token is cached and refreshed `refreshMarginSeconds` before it expires (or after a 401).
#include "ClientAssertion.hpp"
#include "FhirAuth.hpp"

#include <chrono>

namespace hipaa::fhir {

class SmartBackendAuth final : public FhirAuth {
public:
    struct Options {
        std::string tokenUrl, scope, caBundle;
        long connectTimeoutMs = 5000, timeoutMs = 15000;
        int refreshMarginSeconds = 60;
    };
    SmartBackendAuth(ClientAssertion assertion, Options options);
    ~SmartBackendAuth() override;

    std::optional<std::string> header(CurlEasy& curl) override;
    void invalidate() override { expires_ = {}; }
    const char* kind() const override { return "smart-backend-services"; }
    uint64_t tokensFetched() const { return fetched_; }

private:
    void fetch(CurlEasy& curl);

    ClientAssertion assertion_;
    Options options_;
    std::string header_;
    std::chrono::steady_clock::time_point expires_{};
    uint64_t fetched_ = 0;
};

}  // namespace hipaa::fhir

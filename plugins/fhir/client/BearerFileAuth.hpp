// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A static access token from a file private to its owner (0600/0400), read once at start.
#include "FhirAuth.hpp"

namespace hipaa::fhir {

class BearerFileAuth final : public FhirAuth {
public:
    explicit BearerFileAuth(const std::string& tokenFile);
    ~BearerFileAuth() override;
    std::optional<std::string> header(CurlEasy& curl) override;
    const char* kind() const override { return "bearer"; }

private:
    std::string header_;
};

}  // namespace hipaa::fhir

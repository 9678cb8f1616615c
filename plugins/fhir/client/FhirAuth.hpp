// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Where the Authorization header for the EHR comes from (SMART Backend Services, a bearer token
// file, or nothing for test servers). Implementations are used by one worker thread at a time.
#include "hipaa/CurlEasy.hpp"

#include <optional>
#include <string>

namespace hipaa::fhir {

class FhirAuth {
public:
    virtual ~FhirAuth() = default;
    // "Authorization: Bearer ..." (nullopt: send none). May perform a token request with `curl`;
    // throws HttpError when the token endpoint fails.
    virtual std::optional<std::string> header(CurlEasy& curl) = 0;
    // The server answered 401: forget a cached token so the next header() fetches a new one.
    virtual void invalidate() {}
    virtual const char* kind() const = 0;
};

}  // namespace hipaa::fhir

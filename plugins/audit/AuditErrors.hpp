// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// error_codes of janus.eventhandler.hipaa.audit (docs/error-codes.md). Stable: never renumber, only
// add. audit::errc also names the shared codes (hipaa::errc).
#include "hipaa/Errors.hpp"

namespace hipaa::audit::errc {
using namespace hipaa::errc;

inline constexpr int kDatabaseUnavailable = 400;  // no database configured, or unreachable
inline constexpr int kBadFilter = 401;            // a query/export/verify parameter is invalid
inline constexpr int kNotRecorded = 402;          // reserved: the shared kAccessNotRecorded (368) replaced it
inline constexpr int kUnknownFormat = 403;        // export format other than jsonl / fhir
}  // namespace hipaa::audit::errc

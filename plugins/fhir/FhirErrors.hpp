// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// error_codes of janus.eventhandler.hipaa.fhir (docs/error-codes.md). Stable: never renumber, only
// add. fhir::errc also names the shared codes (hipaa::errc).
#include "hipaa/Errors.hpp"

namespace hipaa::fhir::errc {
using namespace hipaa::errc;

inline constexpr int kNoSuchBundle = 400;  // retry: no dead-lettered bundle with this id
inline constexpr int kUnknownVisit = 401;  // export: no ended visit with this id
}  // namespace hipaa::fhir::errc

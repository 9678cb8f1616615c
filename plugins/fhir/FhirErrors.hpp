// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// error_codes of janus.eventhandler.hipaa.fhir (docs/error-codes.md). Stable: never renumber, only
// add. fhir::errc also names the shared codes (hipaa::errc).
#include "hipaa/Errors.hpp"

namespace hipaa::fhir::errc {
using namespace hipaa::errc;

inline constexpr int kNoSuchBundle = 400;  // retry: no dead-lettered bundle with this id
inline constexpr int kUnknownVisit = 401;  // export: no ended visit with this id
// Outbox reasons (a bundle's last_error in `pending`, the ALERT log line), not Admin API answers:
inline constexpr int kKeptUnavailable = 402;  // the recorder is not loaded or cannot read a kept recording
inline constexpr int kBundleTooLarge = 403;   // the bundle exceeds max_bundle_mib
}  // namespace hipaa::fhir::errc

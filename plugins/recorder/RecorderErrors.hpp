// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// error_code values of janus.plugin.hipaa.recorder (docs/error-codes.md, "Recorder"). Stable: never
// renumber, only add. recorder::errc also names the shared codes (hipaa::errc).
#include "hipaa/Errors.hpp"

namespace hipaa::recorder::errc {
using namespace hipaa::errc;

inline constexpr int kNoPorts = 420;
inline constexpr int kUnknownRecording = 421;
inline constexpr int kNotActive = 422;
inline constexpr int kOnHold = 423;
inline constexpr int kUnknownPolicy = 424;
inline constexpr int kDeleted = 425;
inline constexpr int kActive = 426;
inline constexpr int kKeyUnavailable = 427;
inline constexpr int kDamaged = 428;
inline constexpr int kNotOnHold = 429;
// Shared recordings folder (cluster.conninfo set): another instance writes the recording, the cluster
// store cannot be reached, another instance is changing or sweeping the recording right now.
inline constexpr int kOpenElsewhere = 430;
inline constexpr int kClusterUnavailable = 431;
inline constexpr int kBusyElsewhere = 432;
// patient_copy: janus-pp-rec could not convert a recording (failed, timed out, over a limit); no
// selected recording of the patient in the range.
inline constexpr int kConversionFailed = 440;
inline constexpr int kNothingToCopy = 441;
inline constexpr int kWriteFailed = 470;
}  // namespace hipaa::recorder::errc

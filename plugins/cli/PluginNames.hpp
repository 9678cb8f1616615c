// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The Janus package names of the four janus-hipaa modules (the Admin API addresses them by these).
namespace hipaa::cli::plugins {

inline constexpr const char* kRoom = "janus.plugin.hipaa.room";
inline constexpr const char* kRecorder = "janus.plugin.hipaa.recorder";
inline constexpr const char* kAudit = "janus.eventhandler.hipaa.audit";
inline constexpr const char* kFhir = "janus.eventhandler.hipaa.fhir";

}  // namespace hipaa::cli::plugins

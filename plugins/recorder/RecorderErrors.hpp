#pragma once
// error_code values of janus.plugin.hipaa.recorder (docs/error-codes.md, "Recorder").
namespace hipaa::recorder {
inline constexpr int kRecorderNoPorts = 420;
inline constexpr int kRecorderUnknownRecording = 421;
inline constexpr int kRecorderNotActive = 422;
inline constexpr int kRecorderOnHold = 423;
inline constexpr int kRecorderUnknownPolicy = 424;
inline constexpr int kRecorderDeleted = 425;
inline constexpr int kRecorderActive = 426;
inline constexpr int kRecorderKeyUnavailable = 427;
inline constexpr int kRecorderDamaged = 428;
inline constexpr int kRecorderNotOnHold = 429;
inline constexpr int kRecorderWriteFailed = 470;
}  // namespace hipaa::recorder

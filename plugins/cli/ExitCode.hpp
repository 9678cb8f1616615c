// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// janus-hipaa's exit statuses (docs/cli.md): stable, scripts test them.
namespace hipaa::cli::exitcode {

inline constexpr int kOk = 0;
inline constexpr int kRefused = 1;        // the plugin answered with its error_code (printed)
inline constexpr int kUsage = 2;          // unknown command or option, a missing or malformed argument
inline constexpr int kUnreachable = 3;    // no answer: secret file refused, URL refused, transport, Janus refused
inline constexpr int kConfigInvalid = 4;  // check-config: a config file is invalid (file and key printed)
inline constexpr int kNotIntact = 5;      // answered, but not well: a verify failed, a plugin is down or unhealthy

}  // namespace hipaa::cli::exitcode

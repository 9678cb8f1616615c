// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Stand-ins for the symbols the janus executable gives plugins at load time (janus_vprintf,
// janus_log_*, janus_plugin_result_new), so unit tests can drive the plugins' C tables.
#include <string>
#include <vector>

namespace hipaa::test {

// Every line the plugins wrote through JANUS_LOG since the last clear.
std::vector<std::string> janusLogLines();
std::string janusLogText();
void clearJanusLog();
// What janus_is_webrtc_encryption_enabled() answers (Janus' -w / no_webrtc_encryption turns it off).
extern bool fakeWebrtcEncryption;

}  // namespace hipaa::test

// SPDX-License-Identifier: GPL-3.0-or-later
// The only symbol Janus looks up in libjanus_hipaa_recorder.so.
#include "RecorderGlue.hpp"

extern "C" __attribute__((visibility("default"))) janus_plugin* create() { return hipaa_recorder_plugin(); }

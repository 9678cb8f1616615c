// SPDX-License-Identifier: GPL-3.0-or-later
// The only symbol Janus looks up in libjanus_hipaa_room.so.
#include "RoomGlue.hpp"

extern "C" __attribute__((visibility("default"))) janus_plugin* create() { return hipaa_room_plugin(); }

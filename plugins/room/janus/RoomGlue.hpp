// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
struct janus_plugin;
janus_plugin* hipaa_room_plugin();

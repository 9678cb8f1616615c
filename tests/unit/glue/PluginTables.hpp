// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "hipaa/glue/JanusAbi.hpp"

// The table functions the entry files return from create().
janus_plugin* hipaa_room_plugin();
janus_plugin* hipaa_recorder_plugin();
janus_eventhandler* hipaa_audit_eventhandler();
janus_eventhandler* hipaa_fhir_eventhandler();

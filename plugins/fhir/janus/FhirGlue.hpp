// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
struct janus_eventhandler;
janus_eventhandler* hipaa_fhir_eventhandler();

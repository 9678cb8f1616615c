#pragma once
struct janus_eventhandler;
janus_eventhandler* hipaa_fhir_eventhandler();

#pragma once
struct janus_plugin;
janus_plugin* hipaa_recorder_plugin();

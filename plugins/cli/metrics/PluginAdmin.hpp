// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One plugin's Admin API as the collector asks it during one scrape: sends {"request": ...} through
// the fetch function, checks the plugin's envelope, and records each request's outcome
// (janus_hipaa_admin_request_success). A failed request is an empty answer, never an exception: one
// plugin that does not answer must not fail the scrape.
#include "MetricSet.hpp"

#include "hipaa/Json.hpp"

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace hipaa::metrics {

struct PluginId {
    std::string_view label;     // the `plugin` label: room, recorder, audit, fhir
    std::string_view kind;      // "plugin" (message_plugin) or "handler" (query_eventhandler)
    std::string_view package;   // e.g. janus.plugin.hipaa.room
    std::string_view envelope;  // e.g. hipaa.room
};

class PluginAdmin {
public:
    // Returns the Admin API answer's `response` object; throws on any failure (transport, Janus error).
    using Fetch = std::function<JsonPtr(std::string_view kind, std::string_view name, const json_t* request)>;

    PluginAdmin(const Fetch& fetch, const PluginId& id, MetricSet& out, std::vector<std::string>& errors);

    // The answer to `fields` (an object, default empty) with "request": request, or nullptr when it
    // failed (then the failure is counted in janus_hipaa_admin_request_success and described in `errors`).
    JsonPtr ask(std::string_view request, JsonPtr fields = nullptr);
    std::string_view label() const { return id_.label; }

private:
    const Fetch& fetch_;
    PluginId id_;
    MetricSet& out_;
    std::vector<std::string>& errors_;
    std::map<std::string, bool, std::less<>> failed_;  // per request: did any ask of it fail
};

}  // namespace hipaa::metrics

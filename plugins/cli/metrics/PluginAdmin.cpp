// SPDX-License-Identifier: GPL-3.0-or-later
#include "PluginAdmin.hpp"

#include <exception>

namespace hipaa::metrics {

PluginAdmin::PluginAdmin(const Fetch& fetch, const PluginId& id, MetricSet& out, std::vector<std::string>& errors)
    : fetch_(fetch), id_(id), out_(out), errors_(errors) {}

JsonPtr PluginAdmin::ask(std::string_view request, JsonPtr fields) {
    JsonPtr body = fields ? std::move(fields) : jsonObject();
    jsonSet(body.get(), "request", request);
    std::string problem;
    JsonPtr answer;
    try {
        answer = fetch_(id_.kind, id_.package, body.get());
        if (!json_is_object(answer.get())) {
            problem = "the answer is not an object";
        } else if (auto code = jsonInt(answer.get(), "error_code")) {
            problem =
                "error " + std::to_string(*code) + ": " + std::string(jsonString(answer.get(), "error").value_or(""));
        } else if (auto env = jsonString(answer.get(), std::string(id_.envelope).c_str()); env && *env != "success") {
            problem = "envelope " + std::string(*env);
        }
    } catch (const std::exception& e) {
        problem = e.what();
    }
    bool& failed = failed_.try_emplace(std::string(request), false).first->second;
    failed = failed || !problem.empty();
    out_.set("janus_hipaa_admin_request_success",
             {{"plugin", std::string(id_.label)}, {"request", std::string(request)}}, failed ? 0 : 1);
    if (problem.empty()) return answer;
    errors_.push_back(std::string(id_.label) + " " + std::string(request) + ": " + problem);
    return nullptr;
}

}  // namespace hipaa::metrics

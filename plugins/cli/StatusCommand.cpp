// SPDX-License-Identifier: GPL-3.0-or-later
#include "StatusCommand.hpp"

#include "AdminError.hpp"
#include "ExitCode.hpp"
#include "FieldList.hpp"
#include "PluginNames.hpp"
#include "Table.hpp"

#include "hipaa/JsonBuilder.hpp"

#include <functional>
#include <vector>

namespace hipaa::cli {
namespace {

constexpr int kJanusUnauthorized = 403;  // Janus' JANUS_ERROR_UNAUTHORIZED: wrong admin secret

struct Probe {
    const char* name;
    bool mediaPlugin;                   // message_plugin, else query_eventhandler
    std::vector<const char*> requests;  // "info" first
    // The state ("running" or "unhealthy") and the details column, from the answers in `requests` order.
    std::function<std::pair<std::string, std::string>(const std::vector<JsonPtr>&)> summary;
};

std::string field(const char* label, const json_t* object, const char* key) {
    return std::string(label) + " " + FieldList::text(object, key);
}

std::vector<Probe> probes() {
    return {
        {plugins::kRoom,
         true,
         {"info", "stats"},
         [](const std::vector<JsonPtr>& a) {
             std::string d = field("rooms", a[1].get(), "rooms") + ", " + field("sessions", a[1].get(), "sessions") +
                             ", " + field("participants", a[1].get(), "participants") + ", " +
                             field("revocations", a[1].get(), "revocations");
             if (jsonBool(a[0].get(), "development").value_or(false)) d += ", DEVELOPMENT";
             return std::pair<std::string, std::string>{"running", d};
         }},
        {plugins::kRecorder,
         true,
         {"info"},
         [](const std::vector<JsonPtr>& a) {
             return std::pair<std::string, std::string>{
                 "running", field("active", a[0].get(), "active") + ", " +
                                field("write_failures", a[0].get(), "write_failures") + ", " +
                                field("key_version", a[0].get(), "key_version")};
         }},
        {plugins::kAudit,
         false,
         {"info", "health"},
         [](const std::vector<JsonPtr>& a) {
             bool healthy = jsonBool(a[1].get(), "healthy").value_or(false);
             std::string d = field("storage", a[0].get(), "storage") + ", " + field("queued", a[1].get(), "queued") +
                             ", " + field("db_connected", a[1].get(), "db_connected");
             if (!healthy) d = field("reason", a[1].get(), "reason") + ", " + d;
             return std::pair<std::string, std::string>{healthy ? "running" : "unhealthy", d};
         }},
        {plugins::kFhir,
         false,
         {"info", "status"},
         [](const std::vector<JsonPtr>& a) {
             return std::pair<std::string, std::string>{
                 "running", field("pending", a[1].get(), "pending") + ", " + field("failed", a[1].get(), "failed") +
                                ", " + field("dead", a[1].get(), "dead") + ", " + field("sent", a[1].get(), "sent")};
         }},
    };
}

}  // namespace

int StatusCommand::run(const CommandContext& ctx) {
    ctx.args.allowOnly({});
    Table table({"PLUGIN", "STATE", "VERSION", "DETAILS"});
    JsonPtr all = jsonObject();
    bool allWell = true;
    for (const Probe& p : probes()) {
        std::vector<JsonPtr> answers;
        JsonBuilder entry;
        try {
            for (const char* r : p.requests) {
                JsonPtr request = JsonBuilder().set("request", r).build();
                answers.push_back(p.mediaPlugin ? ctx.api.plugin(p.name, request.get())
                                                : ctx.api.handler(p.name, request.get()));
                entry.set(r, jsonRetain(answers.back().get()));
            }
            auto [state, details] = p.summary(answers);
            allWell = allWell && state == "running";
            table.add({p.name, state, FieldList::text(answers[0].get(), "version"), details});
            entry.set("state", std::string_view(state));
        } catch (const AdminError& e) {
            // No answer at all, or a wrong secret: nothing else will answer either.
            if (e.kind() == AdminError::Kind::Transport ||
                (e.kind() == AdminError::Kind::Janus && e.code() == kJanusUnauthorized))
                throw;
            allWell = false;
            std::string state = e.kind() == AdminError::Kind::Janus ? "not loaded" : "error";
            table.add({p.name, state, answers.empty() ? "" : FieldList::text(answers[0].get(), "version"), e.what()});
            entry.set("state", e.kind() == AdminError::Kind::Janus ? "not_loaded" : "error")
                .set("error", JsonBuilder().set("code", e.code()).set("message", e.what()).build());
        }
        jsonSet(all.get(), p.name, std::move(entry).build());
    }
    if (ctx.json)
        ctx.printJson(all.get());
    else
        table.print(ctx.out);
    return allWell ? exitcode::kOk : exitcode::kNotIntact;
}

}  // namespace hipaa::cli

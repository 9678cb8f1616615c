// SPDX-License-Identifier: GPL-3.0-or-later
#include "RecordingCommands.hpp"

#include "ExitCode.hpp"
#include "FieldList.hpp"
#include "PluginNames.hpp"
#include "Table.hpp"
#include "UsageError.hpp"

#include "hipaa/JsonBuilder.hpp"

#include <string>

namespace hipaa::cli {
namespace {

std::string timeCell(const json_t* object, const char* key) {
    auto ms = jsonInt(object, key);
    return ms && *ms > 0 ? FieldList::utc(*ms / 1000) : "";
}

int list(const CommandContext& ctx) {
    ctx.args.allowOnly({"--actor-token-file"});
    if (ctx.args.words().size() > 2) throw UsageError("usage: janus-hipaa recordings list");
    JsonBuilder request;
    request.set("request", "list");
    ctx.addActorToken(request);
    JsonPtr answer = ctx.api.plugin(plugins::kRecorder, std::move(request).build().get());
    if (ctx.json) {
        ctx.printJson(answer.get());
        return exitcode::kOk;
    }
    Table table({"RECORDING", "STATUS", "POLICY", "HOLD", "STREAMS", "CREATED", "EXPIRES"});
    size_t i;
    json_t* r;
    json_array_foreach(json_object_get(answer.get(), "recordings"), i, r) {
        table.add({FieldList::text(r, "recording"), FieldList::text(r, "status"), FieldList::text(r, "policy"),
                   jsonBool(r, "hold").value_or(false) ? "HOLD" : "",
                   std::to_string(json_array_size(json_object_get(r, "streams"))), timeCell(r, "created_ms"),
                   timeCell(r, "expires_ms")});
    }
    table.print(ctx.out);
    return exitcode::kOk;
}

}  // namespace

int RecordingCommands::run(const CommandContext& ctx) {
    const std::string sub = ctx.args.word(1);
    if (sub == "list") return list(ctx);
    const bool needsReason = sub == "hold" || sub == "release" || sub == "delete";
    if (!needsReason && sub != "status" && sub != "verify" && sub != "export")
        throw UsageError(sub.empty() ? "usage: janus-hipaa recordings list|status|hold|release|delete|verify|export"
                                     : "recordings: unknown subcommand " + sub);
    ctx.args.allowOnly(needsReason ? std::vector<std::string>{"--reason", "--yes", "--actor-token-file"}
                                   : std::vector<std::string>{"--actor-token-file"});
    const std::string id = ctx.args.word(2);
    if (id.empty() || ctx.args.words().size() > 3)
        throw UsageError("usage: janus-hipaa recordings " + sub + " RECORDING" + (needsReason ? " --reason TEXT" : "") +
                         (sub == "delete" ? " --yes" : ""));
    JsonBuilder request;
    request.set("request", std::string_view(sub)).set("recording", std::string_view(id));
    if (needsReason) {
        auto reason = ctx.valueOrStdin("--reason");
        if (!reason)
            throw UsageError("recordings " + sub +
                             ": --reason TEXT (a case or ticket number, never patient details; kept by the recorder)");
        request.set("reason", std::string_view(*reason));
    }
    if (sub == "delete" && !ctx.args.has("--yes"))
        throw UsageError(
            "recordings delete destroys the recording's key (crypto-shredding): it cannot be undone; "
            "add --yes to confirm");
    if (sub != "delete" && ctx.args.has("--yes")) throw UsageError("only recordings delete takes --yes");
    ctx.addActorToken(request);
    JsonPtr answer = ctx.api.plugin(plugins::kRecorder, std::move(request).build().get());
    bool intact = true;
    if (sub == "verify") intact = jsonBool(json_object_get(answer.get(), "verification"), "ok").value_or(false);
    if (ctx.json)
        ctx.printJson(answer.get());
    else
        FieldList::print(ctx.out, answer.get());
    return intact ? exitcode::kOk : exitcode::kNotIntact;
}

}  // namespace hipaa::cli

// SPDX-License-Identifier: GPL-3.0-or-later
#include "FhirCommands.hpp"

#include "ExitCode.hpp"
#include "FieldList.hpp"
#include "PluginNames.hpp"
#include "Table.hpp"
#include "UsageError.hpp"

#include "hipaa/JsonBuilder.hpp"

#include <climits>
#include <string>

namespace hipaa::cli {
namespace {

int pending(const CommandContext& ctx) {
    ctx.args.allowOnly({"--state", "--limit", "--actor-token-file"});
    if (ctx.args.words().size() > 2) throw UsageError("usage: janus-hipaa fhir pending [--state S] [--limit N]");
    JsonBuilder r;
    r.set("request", "pending")
        .setOptional("state", ctx.args.value("--state"))
        .setOptional("limit", ctx.args.integer("--limit", INT64_MIN, INT64_MAX));
    ctx.addActorToken(r);
    JsonPtr answer = ctx.api.handler(plugins::kFhir, std::move(r).build().get());
    if (ctx.json) {
        ctx.printJson(answer.get());
        return exitcode::kOk;
    }
    Table table({"ID", "VISIT", "KIND", "STATE", "ATTEMPTS", "LAST_STATUS", "AGE_S", "NEXT_IN_S", "LAST_ERROR"});
    size_t i;
    json_t* b;
    json_array_foreach(json_object_get(answer.get(), "bundles"), i, b) {
        table.add({FieldList::text(b, "id"), FieldList::text(b, "visit_id"), FieldList::text(b, "kind"),
                   FieldList::text(b, "state"), FieldList::text(b, "attempts"), FieldList::text(b, "last_status"),
                   FieldList::text(b, "age_seconds"), FieldList::text(b, "next_attempt_in_seconds"),
                   FieldList::text(b, "last_error")});
    }
    table.print(ctx.out);
    return exitcode::kOk;
}

int retry(const CommandContext& ctx) {
    ctx.args.allowOnly({"--all", "--actor-token-file"});
    const std::string id = ctx.args.word(2);
    bool all = ctx.args.has("--all");
    if (all == !id.empty() || ctx.args.words().size() > 3)
        throw UsageError("usage: janus-hipaa fhir retry ID | fhir retry --all (dead-lettered bundles)");
    JsonBuilder r;
    r.set("request", "retry");
    if (all) {
        r.set("all", true);
    } else {
        r.set("id", CliArgs::toInteger("fhir retry ID", id, 1, INT64_MAX));
    }
    ctx.addActorToken(r);
    JsonPtr answer = ctx.api.handler(plugins::kFhir, std::move(r).build().get());
    if (ctx.json)
        ctx.printJson(answer.get());
    else
        FieldList::print(ctx.out, answer.get());
    return exitcode::kOk;
}

int status(const CommandContext& ctx) {
    ctx.args.allowOnly({});
    if (ctx.args.words().size() > 2) throw UsageError("usage: janus-hipaa fhir status");
    JsonPtr answer = ctx.api.handler(plugins::kFhir, JsonBuilder().set("request", "status").build().get());
    if (ctx.json)
        ctx.printJson(answer.get());
    else
        FieldList::print(ctx.out, answer.get());
    return exitcode::kOk;
}

}  // namespace

int FhirCommands::run(const CommandContext& ctx) {
    const std::string sub = ctx.args.word(1);
    if (sub == "pending") return pending(ctx);
    if (sub == "retry") return retry(ctx);
    if (sub == "status") return status(ctx);
    throw UsageError(sub.empty() ? "usage: janus-hipaa fhir pending|retry|status" : "fhir: unknown subcommand " + sub);
}

}  // namespace hipaa::cli

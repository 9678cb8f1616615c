// SPDX-License-Identifier: GPL-3.0-or-later
#include "AuditCommands.hpp"

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

std::vector<std::string> filterOptions() {
    return {"--actor-token-file", "--instance",  "--room",   "--actor", "--action",        "--from-time",
            "--to-time",          "--after-seq", "--cursor", "--limit", "--pseudonym-iss", "--pseudonym-sub"};
}

// The filters of query/export; their bounds are the handler's to check (it answers 401 naming one).
JsonBuilder filters(const CommandContext& ctx, const char* what) {
    JsonBuilder r;
    r.set("request", what);
    r.setOptional("instance_id", ctx.args.value("--instance"))
        .setOptional("room", ctx.args.value("--room"))
        .setOptional("actor", ctx.args.value("--actor"))
        .setOptional("action", ctx.args.value("--action"))
        .setOptional("from_time", ctx.args.value("--from-time"))
        .setOptional("to_time", ctx.args.value("--to-time"))
        .setOptional("after_seq", ctx.args.integer("--after-seq", INT64_MIN, INT64_MAX))
        .setOptional("cursor", ctx.args.value("--cursor"))
        .setOptional("limit", ctx.args.integer("--limit", INT64_MIN, INT64_MAX));
    auto iss = ctx.valueOrStdin("--pseudonym-iss"), sub = ctx.valueOrStdin("--pseudonym-sub");
    if (iss.has_value() != sub.has_value()) throw UsageError("--pseudonym-iss and --pseudonym-sub go together");
    if (iss)
        r.set("pseudonym", JsonBuilder().set("iss", std::string_view(*iss)).set("sub", std::string_view(*sub)).build());
    return r;
}

void printNext(const CommandContext& ctx, const json_t* answer) {
    if (auto next = jsonInt(answer, "next_after_seq"))
        ctx.out << "(more may follow: add --after-seq " << *next << ")\n";
    if (auto next = jsonString(answer, "next_cursor"))  // a query across instances
        ctx.out << "(more may follow: add --cursor " << *next << ")\n";
}

int verify(const CommandContext& ctx) {
    ctx.args.allowOnly({"--from", "--to", "--instance"});
    JsonBuilder r;
    r.set("request", "verify")
        .setOptional("from_seq", ctx.args.integer("--from", INT64_MIN, INT64_MAX))
        .setOptional("to_seq", ctx.args.integer("--to", INT64_MIN, INT64_MAX))
        .setOptional("instance_id", ctx.args.value("--instance"));
    JsonPtr answer = ctx.api.handler(plugins::kAudit, std::move(r).build().get());
    if (ctx.json)
        ctx.printJson(answer.get());
    else
        FieldList::print(ctx.out, answer.get());
    return jsonBool(answer.get(), "ok").value_or(false) ? exitcode::kOk : exitcode::kNotIntact;
}

int query(const CommandContext& ctx) {
    ctx.args.allowOnly(filterOptions());
    JsonBuilder r = filters(ctx, "query");
    ctx.addActorToken(r);
    JsonPtr answer = ctx.api.handler(plugins::kAudit, std::move(r).build().get());
    if (ctx.json) {
        ctx.printJson(answer.get());
        return exitcode::kOk;
    }
    Table table({"INSTANCE", "SEQ", "TIME", "ACTION", "OUTCOME", "ROOM", "ACTOR", "PLUGIN"});
    size_t i;
    json_t* rec;
    json_array_foreach(json_object_get(answer.get(), "records"), i, rec) {
        table.add({FieldList::text(rec, "instance_id"), FieldList::text(rec, "seq"), FieldList::text(rec, "time"),
                   FieldList::text(rec, "action"), FieldList::text(rec, "outcome"), FieldList::text(rec, "room"),
                   FieldList::text(rec, "actor"), FieldList::text(rec, "plugin")});
    }
    table.print(ctx.out);
    printNext(ctx, answer.get());
    return exitcode::kOk;
}

int exportRecords(const CommandContext& ctx) {
    std::vector<std::string> allowed = filterOptions();
    allowed.emplace_back("--format");
    ctx.args.allowOnly(allowed);
    JsonBuilder r = filters(ctx, "export");
    r.setOptional("format", ctx.args.value("--format"));
    ctx.addActorToken(r);
    JsonPtr answer = ctx.api.handler(plugins::kAudit, std::move(r).build().get());
    if (ctx.json) {
        ctx.printJson(answer.get());
    } else if (const json_t* bundle = json_object_get(answer.get(), "bundle")) {
        ctx.printJson(bundle);  // a FHIR Bundle of AuditEvents: JSON is its only form
    } else {
        ctx.out << jsonString(answer.get(), "data").value_or("");  // JSON lines, one record each
    }
    return exitcode::kOk;
}

}  // namespace

int AuditCommands::run(const CommandContext& ctx) {
    const std::string sub = ctx.args.word(1);
    if (ctx.args.words().size() > 2) throw UsageError("audit " + sub + " takes options only (janus-hipaa help audit)");
    if (sub == "verify") return verify(ctx);
    if (sub == "query") return query(ctx);
    if (sub == "export") return exportRecords(ctx);
    throw UsageError(sub.empty() ? "usage: janus-hipaa audit verify|query|export" : "audit: unknown subcommand " + sub);
}

}  // namespace hipaa::cli

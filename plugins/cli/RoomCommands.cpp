// SPDX-License-Identifier: GPL-3.0-or-later
#include "RoomCommands.hpp"

#include "ExitCode.hpp"
#include "FieldList.hpp"
#include "PluginNames.hpp"
#include "Table.hpp"
#include "UsageError.hpp"

#include "hipaa/JsonBuilder.hpp"

#include <string>

namespace hipaa::cli {
namespace {

int list(const CommandContext& ctx) {
    JsonPtr answer = ctx.api.plugin(plugins::kRoom, JsonBuilder().set("request", "list").build().get());
    if (ctx.json) {
        ctx.printJson(answer.get());
        return exitcode::kOk;
    }
    Table table({"ROOM", "CLASS", "STATE", "PARTICIPANTS", "WAITING"});
    size_t i;
    json_t* room;
    json_array_foreach(json_object_get(answer.get(), "rooms"), i, room) {
        table.add({FieldList::text(room, "room"), FieldList::text(room, "class"),
                   jsonBool(room, "ended").value_or(false) ? "ended" : "open", FieldList::text(room, "participants"),
                   FieldList::text(room, "waiting")});
    }
    table.print(ctx.out);
    return exitcode::kOk;
}

int info(const CommandContext& ctx) {
    std::string room = ctx.args.word(2);
    if (room.empty() || ctx.args.words().size() > 3) throw UsageError("usage: janus-hipaa rooms info ROOM");
    JsonPtr answer = ctx.api.plugin(
        plugins::kRoom, JsonBuilder().set("request", "info").set("room", std::string_view(room)).build().get());
    if (ctx.json)
        ctx.printJson(answer.get());
    else
        FieldList::print(ctx.out, answer.get());
    return exitcode::kOk;
}

// Prints only the new room's id (R=$(janus-hipaa rooms create)), or the answer with --json.
int create(const CommandContext& ctx) {
    ctx.args.allowOnly({"--class"});
    if (ctx.args.words().size() > 3) throw UsageError("usage: janus-hipaa rooms create [ROOM] [--class CLASS]");
    std::string room = ctx.args.word(2);
    JsonBuilder request;
    request.set("request", "create")
        .setIf(!room.empty(), "room", std::string_view(room))
        .setOptional("class", ctx.args.value("--class"));
    JsonPtr answer = ctx.api.plugin(plugins::kRoom, std::move(request).build().get());
    if (ctx.json)
        ctx.printJson(answer.get());
    else
        ctx.out << FieldList::text(answer.get(), "room") << '\n';
    return exitcode::kOk;
}

int destroy(const CommandContext& ctx) {
    ctx.args.allowOnly({});
    std::string room = ctx.args.word(2);
    if (room.empty() || ctx.args.words().size() > 3) throw UsageError("usage: janus-hipaa rooms destroy ROOM");
    JsonPtr answer = ctx.api.plugin(
        plugins::kRoom, JsonBuilder().set("request", "destroy").set("room", std::string_view(room)).build().get());
    if (ctx.json)
        ctx.printJson(answer.get());
    else
        ctx.out << "destroyed " << FieldList::text(answer.get(), "destroyed") << " (its visit ended for everyone)\n";
    return exitcode::kOk;
}

}  // namespace

int RoomCommands::rooms(const CommandContext& ctx) {
    std::string sub = ctx.args.word(1);
    if (sub == "create") return create(ctx);
    ctx.args.allowOnly({});
    if (sub.empty() || sub == "list") {
        if (ctx.args.words().size() > 2) throw UsageError("usage: janus-hipaa rooms [list]");
        return list(ctx);
    }
    if (sub == "info") return info(ctx);
    if (sub == "destroy") return destroy(ctx);
    throw UsageError("rooms: unknown subcommand " + sub + " (list, info, create, destroy)");
}

int RoomCommands::revoke(const CommandContext& ctx) {
    ctx.args.allowOnly({"--sub", "--jti", "--ttl"});
    if (ctx.args.words().size() > 1) throw UsageError("usage: janus-hipaa revoke --sub SUB|- [--jti JTI|-] [--ttl S]");
    auto sub = ctx.valueOrStdin("--sub");
    auto jti = ctx.valueOrStdin("--jti");
    if (!sub && !jti) throw UsageError("revoke: --sub or --jti (or both)");
    auto ttl = ctx.args.integer("--ttl", 1, int64_t{366} * 24 * 3600);
    JsonBuilder request;
    request.set("request", "revoke").setOptional("sub", sub).setOptional("jti", jti).setOptional("ttl", ttl);
    JsonPtr answer = ctx.api.plugin(plugins::kRoom, std::move(request).build().get());
    if (ctx.json) {
        ctx.printJson(answer.get());
        return exitcode::kOk;
    }
    ctx.out << "revoked "
            << (sub && jti ? "sub and jti"
                : sub      ? "sub"
                           : "jti")
            << ": its tokens are refused until " << FieldList::utc(jsonInt(answer.get(), "until").value_or(0))
            << "; sessions ended now: " << FieldList::text(answer.get(), "sessions_ended") << '\n'
            << "(revocations live in the room plugin's memory: re-issue them after a Janus restart)\n";
    return exitcode::kOk;
}

}  // namespace hipaa::cli

// SPDX-License-Identifier: GPL-3.0-or-later
#include "Cli.hpp"

#include "AdminClient.hpp"
#include "AdminError.hpp"
#include "AdminSecretFile.hpp"
#include "AuditCommands.hpp"
#include "CliArgs.hpp"
#include "CliHelp.hpp"
#include "CommandContext.hpp"
#include "ConfigCheckCommand.hpp"
#include "EvidenceCommand.hpp"
#include "ExitCode.hpp"
#include "FhirCommands.hpp"
#include "LazyAdminApi.hpp"
#include "MetricsCommand.hpp"
#include "RecordingCommands.hpp"
#include "RoomCommands.hpp"
#include "StatusCommand.hpp"
#include "Table.hpp"
#include "UsageError.hpp"

#include "hipaa/Errors.hpp"
#include "hipaa/JsonBuilder.hpp"

namespace hipaa::cli {
namespace {

constexpr int kJanusUnauthorized = 403;
constexpr int kJanusPluginNotFound = 460;

std::unique_ptr<AdminApi> makeClient(const std::string& url, std::string secret, long timeoutMs) {
    auto client = std::make_unique<AdminClient>(url, std::move(secret));
    client->setTimeouts(std::min(timeoutMs, 3000L), timeoutMs);
    return client;
}

// What went wrong, for people; "" hint when there is none to give.
std::string hint(const AdminError& e) {
    if (e.kind() == AdminError::Kind::Janus && e.code() == kJanusUnauthorized)
        return "the admin secret was refused: --secret-file must hold janus.jcfg's general.admin_secret";
    if (e.kind() == AdminError::Kind::Janus && e.code() == kJanusPluginNotFound)
        return "that plugin is not loaded in this Janus (janus-hipaa status shows which are)";
    if (e.kind() == AdminError::Kind::Transport && e.code() == 0 &&
        !std::string_view(e.what()).starts_with("--admin-url"))
        return "is Janus running with the Admin API on that address (janus.transport.http.jcfg admin_http)?";
    return "";
}

}  // namespace

Cli::Cli(std::ostream& out, std::ostream& err, std::istream& in, std::map<std::string, std::string> env,
         ClientFactory factory)
    : out_(out), err_(err), in_(in), env_(std::move(env)), factory_(factory ? std::move(factory) : &makeClient) {}

std::string Cli::env(const char* name) const {
    auto it = env_.find(name);
    return it == env_.end() ? "" : it->second;
}

int Cli::run(const std::vector<std::string>& argv) {
    bool json = false;
    try {
        CliArgs args = CliArgs::parse(argv);
        json = args.has("--json");
        const std::string command = args.word(0);
        if (command.empty() && !args.has("--help")) {
            err_ << CliHelp::overview();
            return exitcode::kUsage;
        }
        if (command.empty() || command == "help") {
            if (args.word(1).empty()) {
                out_ << CliHelp::overview();
                return exitcode::kOk;
            }
            auto text = CliHelp::command(args.word(1));
            if (!text) throw UsageError("help: no command " + args.word(1));
            out_ << *text;
            return exitcode::kOk;
        }
        auto help = CliHelp::command(command);
        if (!help) throw UsageError("unknown command " + command);
        if (args.has("--help")) {
            out_ << *help;
            return exitcode::kOk;
        }
        if (command == "version") {
            args.allowOnly({});
            if (json)
                out_ << jsonDump(JsonBuilder().set("version", HIPAA_VERSION).build().get(), JSON_INDENT(2)) << '\n';
            else
                out_ << "janus-hipaa " << HIPAA_VERSION << '\n';
            return exitcode::kOk;
        }
        if (command == "check-config") return ConfigCheckCommand::run(args, out_, err_, json);

        const std::string url =
            args.value("--admin-url")
                .value_or(env("JANUS_HIPAA_ADMIN_URL").empty() ? kDefaultAdminUrl : env("JANUS_HIPAA_ADMIN_URL"));
        const std::string secretFile =
            args.value("--secret-file")
                .value_or(env("JANUS_HIPAA_SECRET_FILE").empty() ? kDefaultSecretFile : env("JANUS_HIPAA_SECRET_FILE"));
        // A scrape must end well inside Prometheus' scrape_timeout (10 s by default).
        const int64_t defaultTimeoutS = command == "metrics" ? 5 : 60;
        const long timeoutMs = static_cast<long>(args.integer("--timeout", 1, 3600).value_or(defaultTimeoutS) * 1000);
        LazyAdminApi api([&]() -> std::unique_ptr<AdminApi> {
            std::string secret;
            try {
                secret = AdminSecretFile::read(secretFile);
            } catch (const ConfigError& e) {
                // The file and what is wrong with it (never its content); exit 3 below.
                throw ConfigError(std::string("--secret-file: ") + e.what());
            }
            return factory_(url, std::move(secret), timeoutMs);
        });
        const std::string actorTokenFile =
            args.value("--actor-token-file").value_or(env("JANUS_HIPAA_ACTOR_TOKEN_FILE"));
        CommandContext ctx{api, args, out_, in_, json, actorTokenFile};
        if (command == "status") return StatusCommand::run(ctx);
        if (command == "rooms") return RoomCommands::rooms(ctx);
        if (command == "revoke") return RoomCommands::revoke(ctx);
        if (command == "recordings") return RecordingCommands::run(ctx);
        if (command == "audit") return AuditCommands::run(ctx);
        if (command == "fhir") return FhirCommands::run(ctx);
        if (command == "metrics") return MetricsCommand::run(ctx, err_);
        if (command == "evidence") return EvidenceCommand::run(ctx, env("JANUS_HIPAA_AUDIT_CONNINFO"));
        throw UsageError("unknown command " + command);
    } catch (const UsageError& e) {
        err_ << "janus-hipaa: " << Table::printable(e.what()) << "\n(janus-hipaa help)\n";
        return exitcode::kUsage;
    } catch (const AdminError& e) {
        err_ << "janus-hipaa: " << Table::printable(e.what()) << '\n';
        if (std::string h = hint(e); !h.empty()) err_ << "  " << h << '\n';
        if (e.kind() != AdminError::Kind::Plugin) return exitcode::kUnreachable;
        if (json && e.response()) out_ << jsonDump(e.response(), JSON_INDENT(2)) << '\n';
        return exitcode::kRefused;
    } catch (const std::exception& e) {
        err_ << "janus-hipaa: " << Table::printable(e.what()) << '\n';
        return exitcode::kUnreachable;
    }
}

}  // namespace hipaa::cli

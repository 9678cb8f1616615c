// SPDX-License-Identifier: GPL-3.0-or-later
#include "ConfigCheckCommand.hpp"

#include "ConfigCheck.hpp"
#include "ExitCode.hpp"
#include "Table.hpp"
#include "UsageError.hpp"

#include "hipaa/JsonBuilder.hpp"

#include <filesystem>

namespace hipaa::cli {

int ConfigCheckCommand::run(const CliArgs& args, std::ostream& out, std::ostream& err, bool json) {
    args.allowOnly({"--files", "--samples"});
    if (args.words().size() < 2) throw UsageError("usage: janus-hipaa check-config [--files] [--samples] DIR|FILE...");
    const bool files = args.has("--files"), samples = args.has("--samples");
    std::vector<ConfigCheck::Result> results;
    bool missing = false;
    for (size_t i = 1; i < args.words().size(); ++i) {
        const std::string& path = args.words()[i];
        std::error_code ec;
        if (std::filesystem::is_directory(path, ec)) {
            std::vector<ConfigCheck::Result> found;
            try {
                found = ConfigCheck::directory(path, files, samples);
            } catch (const std::filesystem::filesystem_error&) {
                err << "janus-hipaa: check-config: cannot read the folder " << Table::printable(path) << '\n';
                missing = true;
                continue;
            }
            if (found.empty()) {
                err << "janus-hipaa: check-config: no janus-hipaa config in " << Table::printable(path)
                    << (samples ? "\n" : " (--samples checks *.jcfg.sample too)\n");
                missing = true;
            }
            results.insert(results.end(), found.begin(), found.end());
        } else if (std::filesystem::exists(path, ec)) {
            results.push_back(ConfigCheck::file(path, files));
        } else {
            err << "janus-hipaa: check-config: no such file or folder: " << Table::printable(path) << '\n';
            missing = true;
        }
    }
    size_t invalid = 0;
    JsonArrayBuilder list;
    for (const auto& r : results) {
        invalid += r.ok ? 0 : 1;
        list.push(JsonBuilder()
                      .set("file", std::string_view(r.file))
                      .set("plugin", std::string_view(r.plugin))
                      .set("ok", r.ok)
                      .setIf(!r.message.empty(), r.ok ? "note" : "error", std::string_view(r.message))
                      .build());
        if (json) continue;
        if (r.ok)
            out << "ok       " << Table::printable(r.file)
                << (r.message.empty() ? "" : " (" + Table::printable(r.message) + ")") << '\n';
        else
            out << "INVALID  " << Table::printable(r.message) << '\n';
    }
    JsonPtr all = std::move(list).build();
    if (json)
        out << jsonDump(all.get(), JSON_INDENT(2)) << '\n';
    else
        out << results.size() << " checked"
            << (files ? " with the files they name" : " (keys and values; --files also opens the key files)") << ", "
            << invalid << " invalid\n";
    return invalid > 0 || missing ? exitcode::kConfigInvalid : exitcode::kOk;
}

}  // namespace hipaa::cli

// SPDX-License-Identifier: GPL-3.0-or-later
#include "EvidenceCommand.hpp"

#include "ExitCode.hpp"
#include "UsageError.hpp"
#include "evidence/EvidenceHtml.hpp"
#include "evidence/EvidenceReport.hpp"

#include "hipaa/Clock.hpp"
#include "hipaa/PrivateFile.hpp"

namespace hipaa::cli {

std::string EvidenceCommand::jsonPath(const std::string& htmlPath) {
    for (const char* ext : {".html", ".htm"})
        if (htmlPath.ends_with(ext)) return htmlPath.substr(0, htmlPath.size() - std::string(ext).size()) + ".json";
    return htmlPath + ".json";
}

int EvidenceCommand::run(const CommandContext& ctx, const std::string& auditConninfoFromEnv,
                         const TransportEvidence::TlsProbe& probe) {
    ctx.args.allowOnly(
        {"--out", "--audit-conninfo", "--days", "--key-max-age-days", "--sample", "--due-days", "--actor-token-file"});
    if (ctx.args.words().size() > 1) throw UsageError("usage: janus-hipaa evidence --out report.html");
    const auto out = ctx.args.value("--out");
    if (!out || out->empty()) throw UsageError("evidence: --out FILE.html (the JSON is written beside it)");
    EvidenceSources src{ctx.api, [&ctx](JsonBuilder& r) { ctx.addActorToken(r); }};
    src.auditConninfo = ctx.args.value("--audit-conninfo");
    if (!src.auditConninfo && !auditConninfoFromEnv.empty()) src.auditConninfo = auditConninfoFromEnv;
    src.nowS = Clock::wallSeconds();
    src.periodDays = static_cast<int>(ctx.args.integer("--days", 1, 3660).value_or(30));
    src.keyMaxAgeDays = static_cast<int>(ctx.args.integer("--key-max-age-days", 1, 3660).value_or(365));
    src.verifySample = static_cast<int>(ctx.args.integer("--sample", 0, 100).value_or(5));
    src.upcomingDays = static_cast<int>(ctx.args.integer("--due-days", 1, 3660).value_or(30));

    JsonPtr report = EvidenceReport::collect(src, probe, HIPAA_VERSION);
    PrivateFile::write(jsonPath(*out), jsonDump(report.get(), JSON_INDENT(2) | JSON_SORT_KEYS) + "\n");
    PrivateFile::write(*out, EvidenceHtml::render(report.get()));
    if (ctx.json) {
        ctx.printJson(report.get());
    } else {
        size_t i;
        const json_t* s;
        json_array_foreach(json_object_get(report.get(), "sections"), i, s) {
            ctx.out << jsonString(s, "state").value_or("") << '\t' << jsonString(s, "title").value_or("") << '\n';
        }
        ctx.out << "written: " << *out << " and " << jsonPath(*out) << '\n';
    }
    return jsonString(report.get(), "state").value_or("") == "pass" ? exitcode::kOk : exitcode::kNotIntact;
}

}  // namespace hipaa::cli

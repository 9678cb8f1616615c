// SPDX-License-Identifier: GPL-3.0-or-later
#include "EvidenceReport.hpp"

#include "../FieldList.hpp"
#include "AccessEvidence.hpp"
#include "AuditChainEvidence.hpp"
#include "KeyFileEvidence.hpp"
#include "PluginEvidence.hpp"
#include "RecordingEvidence.hpp"
#include "SpoolOutboxEvidence.hpp"

#include "hipaa/JsonBuilder.hpp"

namespace hipaa::cli {

JsonPtr EvidenceReport::collect(EvidenceSources& src, const TransportEvidence::TlsProbe& probe,
                                const std::string& toolVersion) {
    src.fetchInfo();
    std::vector<EvidenceSection> sections;
    sections.push_back(PluginEvidence::collect(src));
    sections.push_back(TransportEvidence::collect(src, probe));
    sections.push_back(RecordingEvidence::collect(src));
    sections.push_back(AuditChainEvidence::collect(src));
    sections.push_back(AccessEvidence::collect(src));
    sections.push_back(KeyFileEvidence::collect(src));
    sections.push_back(SpoolOutboxEvidence::collect(src));
    EvidenceSection::State overall = EvidenceSection::State::Pass;
    JsonPtr list = jsonArray();
    for (const auto& s : sections) {
        if (s.state() == EvidenceSection::State::Fail ||
            (s.state() == EvidenceSection::State::Unchecked && overall == EvidenceSection::State::Pass))
            overall = s.state();
        json_array_append_new(list.get(), s.toJson().release());
    }
    return JsonBuilder()
        .set("generated", std::string_view(FieldList::utc(src.nowS)))
        .set("period_days", static_cast<int64_t>(src.periodDays))
        .set("tool_version", std::string_view(toolVersion))
        .set("state", EvidenceSection::stateName(overall))
        .set("sections", std::move(list))
        .build();
}

}  // namespace hipaa::cli

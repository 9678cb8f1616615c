// SPDX-License-Identifier: GPL-3.0-or-later
// janus.eventhandler.hipaa.audit and janus.eventhandler.hipaa.fhir: one real-Janus scenario per
// documented code (Admin API query_eventhandler), on the Handlers group's PostgreSQL database.
#include "ClientTab.hpp"
#include "ContractJanus.hpp"
#include "Scenario.hpp"

namespace hipaa::test {
namespace {

constexpr const char* kAudit = "janus.eventhandler.hipaa.audit";
constexpr const char* kFhir = "janus.eventhandler.hipaa.fhir";

int code(JanusGroup g, const char* handler, const std::string& body) {
    return ClientTab::errorCode(ContractJanus::get(g).admin().queryHandler(handler, J(body).get()).get());
}

}  // namespace

void addHandlerScenarios(std::vector<Scenario>& out) {
    out.push_back({kAudit, 400, "verify without a configured database",
                   [] { return code(JanusGroup::RoomRecorder, kAudit, R"({"request":"verify"})"); }});
    out.push_back({kAudit, 401, "query with limit 0",
                   [] { return code(JanusGroup::Handlers, kAudit, R"({"request":"query","limit":0})"); }});
    out.push_back({kAudit, 401, "query with a time that is not a timestamp", [] {
                       return code(JanusGroup::Handlers, kAudit, R"({"request":"query","from_time":"yesterday-ish"})");
                   }});
    out.push_back({kAudit, 401, "verify with to_seq before from_seq", [] {
                       return code(JanusGroup::Handlers, kAudit, R"({"request":"verify","from_seq":5,"to_seq":2})");
                   }});
    out.push_back({kAudit, 403, "export as csv",
                   [] { return code(JanusGroup::Handlers, kAudit, R"({"request":"export","format":"csv"})"); }});
    out.push_back({kFhir, 400, "retry of a bundle that is not dead-lettered",
                   [] { return code(JanusGroup::Handlers, kFhir, R"({"request":"retry","id":7})"); }});
    out.push_back(
        {kFhir, 401, "export of a visit that never ended here",
         [] { return code(JanusGroup::Handlers, kFhir, R"({"request":"export","visit_id":"v_contract_unknown"})"); }});
}

}  // namespace hipaa::test

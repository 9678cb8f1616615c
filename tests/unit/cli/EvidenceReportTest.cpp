// SPDX-License-Identifier: GPL-3.0-or-later
// The evidence report's collectors against scripted Admin API answers: what passes, what fails and
// names what, and that a check which cannot run is never a pass. (The audit database's counts are
// checked against a real PostgreSQL by the integration test.)
#include "AdminError.hpp"
#include "evidence/EvidenceHtml.hpp"
#include "evidence/EvidenceReport.hpp"

#include "hipaa/JsonBuilder.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <map>

using namespace hipaa;
using namespace hipaa::cli;

namespace {

const std::string kCanary = "CANARY-Marisol-Quintero-chest-pain";

class Scripted final : public AdminApi {
public:
    std::map<std::string, std::function<JsonPtr(const json_t*)>> answers;
    std::vector<std::string> calls;  // "<target> <request> <recording>"
    JsonPtr plugin(std::string_view p, const json_t* r) override { return call(p, r); }
    JsonPtr handler(std::string_view h, const json_t* r) override { return call(h, r); }

private:
    JsonPtr call(std::string_view target, const json_t* r) {
        std::string key = std::string(target) + " " + std::string(jsonString(r, "request").value_or(""));
        calls.push_back(key + " " + std::string(jsonString(r, "recording").value_or("")));
        auto it = answers.find(key);
        if (it == answers.end()) throw AdminError(AdminError::Kind::Janus, 460, "no such plugin");
        return it->second(r);
    }
};

std::function<JsonPtr(const json_t*)> json(const std::string& text) {
    return [text](const json_t*) { return jsonParse(text); };
}

const json_t* section(const JsonPtr& report, const std::string& id) {
    size_t i;
    const json_t* s;
    json_array_foreach(json_object_get(report.get(), "sections"), i, s) {
        if (jsonString(s, "id").value_or("") == id) return s;
    }
    return nullptr;
}

std::string state(const JsonPtr& report, const std::string& id) {
    return std::string(jsonString(section(report, id), "state").value_or("missing"));
}

std::string problems(const JsonPtr& report, const std::string& id) {
    return jsonDump(json_object_get(section(report, id), "problems"));
}

class EvidenceReportTest : public ::testing::Test {
protected:
    Scripted admin;
    int tokens = 0;
    std::vector<std::string> probed;
    bool tlsFails = false;

    void SetUp() override {
        admin.answers["janus.plugin.hipaa.room info"] = json(
            R"({"version":"0.1.0","config":{"general":{"development":false,"pseudonym_key_file":"/nonexistent/p.key"}}})");
        admin.answers["janus.plugin.hipaa.recorder info"] = json(
            R"({"version":"0.1.0","retention_deleted":3,"config":{"general":{"development":false},
                "policies":{"standard":"2190d","qa":"30d"}}})");
        admin.answers["janus.eventhandler.hipaa.audit info"] =
            json(R"({"version":"0.1.0","instance_id":"janus-1","config":{"general":{"development":false}}})");
        admin.answers["janus.eventhandler.hipaa.fhir info"] = json(
            R"({"version":"0.1.0","config":{"general":{"development":false,"base_url":"https://ehr.test/fhir/R4","ca_file":"/ca.pem"}}})");
        admin.answers["janus.eventhandler.hipaa.audit verify"] = json(
            R"({"ok":true,"instances":[{"instance_id":"janus-1","ok":true,"records_checked":120,"checkpoints_checked":2,"last_seq":120}]})");
        admin.answers["janus.eventhandler.hipaa.audit health"] =
            json(R"({"healthy":true,"db_connected":true,"queued":0})");
        admin.answers["janus.eventhandler.hipaa.audit stats"] =
            json(R"({"spool_full":false,"spool_frames":0,"queued":0})");
        admin.answers["janus.eventhandler.hipaa.fhir status"] = json(R"({"pending":1,"failed":0,"dead":0,"sent":7})");
        admin.answers["janus.plugin.hipaa.recorder stats"] = json(
            R"({"recordings":[{"status":"sealed","policy":"standard","count":2},{"status":"sealed","policy":"qa","count":1},
                {"status":"deleted","policy":"qa","count":1}],"on_hold":1})");
        // Fields the report must never copy (a visit's names and notes) ride along in the answers.
        admin.answers["janus.plugin.hipaa.recorder list"] =
            json(R"({"recordings":[
            {"recording":"rec-a","status":"sealed","policy":"standard","hold":false,"created_ms":3000,"expires_ms":1,"visit":")" +
                 kCanary + R"(","participants":{"patients":[")" + kCanary + R"("]}},
            {"recording":"rec-b","status":"sealed","policy":"standard","hold":true,"created_ms":2000,"expires_ms":1},
            {"recording":"rec-c","status":"sealed","policy":"qa","hold":false,"created_ms":1000,"expires_ms":999999999999999},
            {"recording":"rec-d","status":"deleted","policy":"qa","hold":false,"created_ms":500}]})");
        admin.answers["janus.plugin.hipaa.recorder verify"] = [](const json_t* r) {
            std::string id(jsonString(r, "recording").value_or(""));
            if (id == "rec-d")
                return jsonParse(
                    R"({"recording":"rec-d","verification":{"ok":true,"receipt_valid":true,"key_destroyed":true}})");
            return jsonParse(
                R"({"recording":")" + id +
                R"(","verification":{"ok":true,"manifest_valid":true,"files":[{"file":"a.hrec","chunks_checked":true}]}})");
        };
    }

    JsonPtr collect(std::optional<std::string> conninfo = std::nullopt, int sample = 5) {
        EvidenceSources src{admin, [this](JsonBuilder& r) { r.set("actor_token", "tok-" + std::to_string(++tokens)); }};
        src.auditConninfo = std::move(conninfo);
        src.nowS = 1'800'000'000;
        src.verifySample = sample;
        return EvidenceReport::collect(
            src,
            [this](const std::string& url, const std::string& ca) {
                probed.push_back(url + " " + ca);
                if (tlsFails) throw std::runtime_error("TLS: certificate verify failed");
            },
            "0.1.0");
    }
};

}  // namespace

TEST_F(EvidenceReportTest, LiveFiguresPassWhereCheckedAndNothingUncheckedPasses) {
    JsonPtr r = collect();
    EXPECT_EQ(state(r, "transport"), "pass") << problems(r, "transport");
    EXPECT_EQ(state(r, "recordings"), "pass") << problems(r, "recordings");
    EXPECT_EQ(state(r, "spool-outbox"), "pass") << problems(r, "spool-outbox");
    // Without the audit database these cannot be shown: red, with the reason, never a pass.
    EXPECT_EQ(state(r, "access"), "unchecked");
    EXPECT_NE(problems(r, "access").find("could not check: no --audit-conninfo"), std::string::npos);
    EXPECT_EQ(state(r, "plugins"), "unchecked");
    EXPECT_EQ(state(r, "keys"), "unchecked");  // /nonexistent/p.key cannot be stat()ed here
    EXPECT_EQ(jsonString(r.get(), "state").value_or(""), "unchecked");
    ASSERT_EQ(probed.size(), 1u);
    EXPECT_EQ(probed[0], "https://ehr.test/fhir/R4/metadata /ca.pem");
}

TEST_F(EvidenceReportTest, AnUnreachableAuditDatabaseIsUncheckedNotPassed) {
    JsonPtr r = collect("host=127.0.0.1 port=1 dbname=none connect_timeout=2");
    EXPECT_EQ(state(r, "access"), "unchecked");
    EXPECT_NE(problems(r, "access").find("could not check: audit database"), std::string::npos)
        << problems(r, "access");
}

TEST_F(EvidenceReportTest, ABrokenChainIsRedAndNamesInstanceAndRecord) {
    admin.answers["janus.eventhandler.hipaa.audit verify"] = json(
        R"({"ok":false,"instances":[{"instance_id":"janus-1","ok":true,"records_checked":5,"checkpoints_checked":1,"last_seq":5},
            {"instance_id":"janus-2","ok":false,"records_checked":41,"checkpoints_checked":1,"last_seq":41,
             "first_broken_seq":42,"reason":"record content does not match its hash"}]})");
    JsonPtr r = collect();
    EXPECT_EQ(state(r, "audit-chain"), "fail");
    EXPECT_NE(problems(r, "audit-chain")
                  .find("chain of instance janus-2 broken at record seq 42: record content does "
                        "not match its hash"),
              std::string::npos)
        << problems(r, "audit-chain");
    EXPECT_EQ(jsonString(r.get(), "state").value_or(""), "fail");
}

TEST_F(EvidenceReportTest, DevelopmentModeAndAMissingPluginFail) {
    admin.answers["janus.plugin.hipaa.room info"] =
        json(R"({"version":"0.1.0","config":{"general":{"development":true}}})");
    admin.answers.erase("janus.eventhandler.hipaa.fhir info");
    JsonPtr r = collect();
    EXPECT_EQ(state(r, "plugins"), "fail");
    EXPECT_NE(problems(r, "plugins").find("janus.plugin.hipaa.room runs with general.development = true"),
              std::string::npos);
    EXPECT_NE(problems(r, "plugins").find("janus.eventhandler.hipaa.fhir did not answer info"), std::string::npos);
}

TEST_F(EvidenceReportTest, RecordingsVerifiesASampleWithOneTokenEachAndCountsDueAndHeld) {
    JsonPtr r = collect(std::nullopt, 2);
    const json_t* s = section(r, "recordings");
    std::string figures = jsonDump(json_object_get(s, "figures"));
    EXPECT_NE(figures.find(R"({"label":"policy standard","value":"2190d"})"), std::string::npos) << figures;
    EXPECT_NE(figures.find(R"({"label":"deletions due within 30 days","value":"1"})"), std::string::npos) << figures;
    EXPECT_NE(figures.find(R"({"label":"sealed recordings verified now","value":"2"})"), std::string::npos);
    EXPECT_NE(figures.find(R"({"label":"deletion receipts verified now","value":"1"})"), std::string::npos);
    EXPECT_NE(figures.find(R"({"label":"on legal hold","value":"1"})"), std::string::npos);
    std::vector<std::string> verified;
    for (const auto& c : admin.calls)
        if (c.find(" verify ") != std::string::npos && c.find("recorder") != std::string::npos) verified.push_back(c);
    EXPECT_EQ(verified, (std::vector<std::string>{"janus.plugin.hipaa.recorder verify rec-a",
                                                  "janus.plugin.hipaa.recorder verify rec-b",
                                                  "janus.plugin.hipaa.recorder verify rec-d"}));
    EXPECT_EQ(tokens, 4);  // list and three verifies: one token each
    std::string chart = jsonDump(json_object_get(s, "charts"));
    EXPECT_NE(chart.find(R"({"label":"qa","value":1.0})"), std::string::npos) << chart;  // the deleted one not kept
    EXPECT_NE(chart.find(R"({"label":"standard","value":2.0})"), std::string::npos) << chart;
}

TEST_F(EvidenceReportTest, AnUnauthenticatedRecordingOrAnInvalidReceiptFailsNamingIt) {
    admin.answers["janus.plugin.hipaa.recorder verify"] = [](const json_t* r) {
        std::string id(jsonString(r, "recording").value_or(""));
        if (id == "rec-d")
            return jsonParse(R"({"verification":{"ok":false,"receipt_valid":false,"key_destroyed":true}})");
        return jsonParse(R"({"verification":{"ok":true,"files":[{"file":"v.hrec","chunks_checked":)" +
                         std::string(id == "rec-b" ? "false" : "true") + "}]}}");
    };
    JsonPtr r = collect();
    EXPECT_EQ(state(r, "recordings"), "fail");
    EXPECT_NE(problems(r, "recordings").find("recording rec-b: file v.hrec: key not unwrapped"), std::string::npos)
        << problems(r, "recordings");
    EXPECT_NE(problems(r, "recordings").find("recording rec-d: verify: not ok"), std::string::npos);
}

TEST_F(EvidenceReportTest, WithoutAnActorTokenTheRecordingChecksAreUnchecked) {
    admin.answers["janus.plugin.hipaa.recorder list"] = [](const json_t*) -> JsonPtr {
        throw AdminError(AdminError::Kind::Plugin, 360, "refused: actor token required (error 360)");
    };
    JsonPtr r = collect();
    EXPECT_EQ(state(r, "recordings"), "unchecked");
    EXPECT_NE(problems(r, "recordings").find("could not check: recorder list"), std::string::npos);
}

TEST_F(EvidenceReportTest, AFhirEndpointWhoseTlsDoesNotVerifyFails) {
    tlsFails = true;
    JsonPtr r = collect();
    EXPECT_EQ(state(r, "transport"), "fail");
    EXPECT_NE(problems(r, "transport").find("FHIR endpoint TLS not verified: TLS: certificate verify failed"),
              std::string::npos);
    admin.answers["janus.eventhandler.hipaa.fhir info"] =
        json(R"({"version":"0.1.0","config":{"general":{"base_url":"http://ehr.test/fhir"}}})");
    tlsFails = false;
    r = collect();
    EXPECT_EQ(state(r, "transport"), "fail");
    EXPECT_NE(problems(r, "transport").find("FHIR base_url is not https"), std::string::npos);
}

TEST_F(EvidenceReportTest, DeadLetteredBundlesAndAFullSpoolFail) {
    admin.answers["janus.eventhandler.hipaa.fhir status"] = json(R"({"pending":0,"dead":2})");
    admin.answers["janus.eventhandler.hipaa.audit health"] = json(R"({"healthy":false,"reason":"spool_full"})");
    admin.answers["janus.eventhandler.hipaa.audit stats"] = json(R"({"spool_full":true})");
    JsonPtr r = collect();
    EXPECT_EQ(state(r, "spool-outbox"), "fail");
    std::string p = problems(r, "spool-outbox");
    EXPECT_NE(p.find("audit handler unhealthy: spool_full"), std::string::npos) << p;
    EXPECT_NE(p.find("audit spool full"), std::string::npos);
    EXPECT_NE(p.find("FHIR outbox: 2 bundles dead-lettered"), std::string::npos);
}

TEST_F(EvidenceReportTest, PhiInTheAnswersReachesNeitherJsonNorHtml) {
    JsonPtr r = collect();
    EXPECT_EQ(jsonDump(r.get()).find("CANARY"), std::string::npos);
    EXPECT_EQ(EvidenceHtml::render(r.get()).find("CANARY"), std::string::npos);
}

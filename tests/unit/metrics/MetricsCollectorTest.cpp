// SPDX-License-Identifier: GPL-3.0-or-later
// MetricsCollector against a fake Admin API answering as the four plugins do (shapes from their
// Admin API code and docs/*.md), including plugins that are down and answers carrying PHI-like text.
#include "MetricsCollector.hpp"
#include "PrometheusText.hpp"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <string>

using namespace hipaa;
using namespace hipaa::metrics;

namespace {

// Canaries: what a plugin's answer may carry that must never reach a scrape.
const char* const kCanaries[] = {"CANARY", "Jane", "p_9f8e7d", "v_77aa", "r_secret", "/var/lib", "4711"};

class FakeAdmin {
public:
    FakeAdmin() {
        answer("janus.plugin.hipaa.room", "info", R"({"hipaa.room":"success","plugin":"janus.plugin.hipaa.room",
            "version":"0.1.0","config":{"general":{"development":true}},"sessions":3,"rooms":2,"publishers":1,
            "relayed_packets":12345,"chat_messages_relayed":7,"chat_messages_dropped":1,"slow_links":2,
            "recording_failures":1,"development":true,"dob_key_loaded":false,
            "keys":[{"kid":"CANARY-kid","alg":"ES256","source":"/var/lib/k.pem","development":true},
                    {"kid":"k2","alg":"HS256"},{"kid":"k3","alg":"PS512"}]})");
        answer("janus.plugin.hipaa.room", "list", R"({"hipaa.room":"success","rooms":[
            {"room":"r_secret1","class":"default","ended":false,"participants":2,"waiting":1},
            {"room":"r_secret2","class":"interpreted","ended":true,"participants":0,"waiting":0},
            {"room":"r_secret3","class":"Jane Doe clinic","ended":false,"participants":1,"waiting":2}]})");
        answer("janus.plugin.hipaa.room", "stats", R"({"hipaa.room":"success","rooms":3,"sessions":3,"participants":6,
            "replay_cache":9,"revocations":1,"counters":{"joins_ok":5,"joins_refused":4,"refused_expired":2,
            "refused_bad_signature":1,"refused_CANARY Jane":1,"lockouts_session":1,"notes":2,"mutes":3,
            "chat_messages":99,"revocations":1,"some_future_counter":8}})");
        answer("janus.plugin.hipaa.recorder", "info", R"({"hipaa.recorder":"success","version":"0.1.0",
            "config":{"general":{"default_policy":"standard"}},"active":2,"sessions":0,"write_failures":1,"key_version":3})");
        // PHI-free counts (no ids): a policy name a clinic typed may be anything, so it is folded.
        answer("janus.plugin.hipaa.recorder", "stats", R"({"hipaa.recorder":"success","recordings":[
            {"status":"recording","policy":"standard","count":1},{"status":"recording","policy":"qa","count":1},
            {"status":"sealed","policy":"standard","count":1},{"status":"failed","policy":"case 4711 Jane","count":1}],
            "on_hold":1,"active":{"bytes":3000,"received":30,"recorded":28,"srtp_failed":2,"lost":4,"ssrc_refused":2,
            "failed_streams":2}})");
        answer("janus.eventhandler.hipaa.audit", "info", R"({"hipaa.audit":"success","version":"0.1.0",
            "config":{"general":{"queue_capacity":65536,"instance_id":"CANARY-host"},"spool":{"max_mb":2}},
            "storage":"postgresql","instance_id":"CANARY-host"})");
        answer("janus.eventhandler.hipaa.audit", "stats", R"({"hipaa.audit":"success",
            "events":{"received":100,"refused_queue_full":2,"processed":98,"queued":0,"by_type":{"1":10,"2":20,"64":5,"1024":1}},
            "queued":0,"written":98,"spooled_total":4,"spool_frames":1,"spool_bytes":1048576,"spool_full":false,
            "spool_full_alerts":0,"replayed":3,"checkpoints_written":2,"db_connected":true,"db_failures":1,
            "head_seq":98,"committed_seq":97,"fields":{"kept":50,"dropped_by_policy":5,"dropped_unknown":1,
            "pseudonymized":7,"coarsened":2,"pattern_replacements":1},"lag_seconds":0.25})");
        answer("janus.eventhandler.hipaa.audit", "health",
               R"({"hipaa.audit":"success","healthy":false,"reason":"spool_full","db_connected":false,"queued":0})");
        answer("janus.eventhandler.hipaa.fhir", "info", R"({"hipaa.fhir":"success","version":"0.1.0","auth":"smart"})");
        answer("janus.eventhandler.hipaa.fhir", "status", R"({"hipaa.fhir":"success","pending":2,"failed":1,"sent":7,
            "dead":1,"held_notes":1,"oldest_pending_seconds":42,"this_instance":{"visits":4,"notes":3,"queued":5,"held":1,
            "duplicates":1,"skipped":0,"lost":0,"sent":7,"retried":2,"dead":1,"db_errors":0,"kept_unavailable":3,"too_large":1}})");
    }

    void answer(const std::string& name, const std::string& request, const std::string& json) {
        answers_[name + " " + request] = json;
    }
    void down(const std::string& name) { down_[name] = true; }

    MetricsCollector::Fetch fetch() {
        return [this](std::string_view kind, std::string_view name, const json_t* request) {
            std::string n(name), r(jsonString(request, "request").value_or(""));
            ++calls[n + " " + r];
            EXPECT_EQ(kind, n.find(".plugin.") != std::string::npos ? "plugin" : "handler") << n;
            // A scrape never asks what needs an actor token (recorder list, status): it has none.
            EXPECT_FALSE(n == "janus.plugin.hipaa.recorder" && (r == "list" || r == "status")) << r;
            if (down_.count(n)) throw std::runtime_error("Admin API: 460 no such plugin");
            auto it = answers_.find(n + " " + r);
            if (it == answers_.end()) throw std::runtime_error("unexpected request " + n + " " + r);
            json_error_t e;
            JsonPtr j(json_loads(it->second.c_str(), 0, &e));
            if (!j) throw std::logic_error("bad test JSON: " + n + " " + r + ": " + e.text);
            return j;
        };
    }

    std::map<std::string, int> calls;

private:
    std::map<std::string, std::string> answers_;
    std::map<std::string, bool> down_;
};

MetricsCollector collector(FakeAdmin& admin) {
    auto t = std::chrono::steady_clock::time_point{};
    return MetricsCollector(admin.fetch(), [t]() mutable { return t += std::chrono::milliseconds(250); });
}

bool hasLine(const std::string& text, const std::string& line) {
    return text.find("\n" + line + "\n") != std::string::npos;
}

#define EXPECT_LINE(text, line) EXPECT_TRUE(hasLine(text, line)) << "missing: " << (line) << "\n" << (text)

}  // namespace

TEST(MetricsCollector, EveryPluginUpAndItsCountersAsSamples) {
    FakeAdmin admin;
    auto scrape = collector(admin).collect();
    EXPECT_TRUE(scrape.errors.empty()) << scrape.errors.at(0);
    std::string t = "\n" + PrometheusText::render(scrape.families);
    for (const char* p : {"room", "recorder", "audit", "fhir"}) {
        EXPECT_LINE(t, std::string("janus_hipaa_up{plugin=\"") + p + "\"} 1");
        EXPECT_LINE(t, std::string("janus_hipaa_build_info{plugin=\"") + p + "\",version=\"0.1.0\"} 1");
    }
    EXPECT_LINE(t, "janus_hipaa_scrape_duration_seconds 0.25");
    EXPECT_LINE(t, "janus_hipaa_admin_request_success{plugin=\"room\",request=\"stats\"} 1");
    // room
    EXPECT_LINE(t, "janus_hipaa_room_sessions 3");
    EXPECT_LINE(t, "janus_hipaa_room_relayed_packets_total 12345");
    EXPECT_LINE(t, "janus_hipaa_room_development_mode 1");
    EXPECT_LINE(t, "janus_hipaa_room_dob_key_loaded 0");
    EXPECT_LINE(t, "janus_hipaa_room_signing_keys{alg=\"ES256\"} 1");
    EXPECT_LINE(t, "janus_hipaa_room_signing_keys{alg=\"RS256\"} 0");
    EXPECT_LINE(t, "janus_hipaa_room_signing_keys{alg=\"other\"} 1");
    EXPECT_LINE(t, "janus_hipaa_room_rooms{class=\"default\",state=\"active\"} 1");
    EXPECT_LINE(t, "janus_hipaa_room_rooms{class=\"default\",state=\"ended\"} 0");
    EXPECT_LINE(t, "janus_hipaa_room_rooms{class=\"interpreted\",state=\"ended\"} 1");
    EXPECT_LINE(t, "janus_hipaa_room_rooms{class=\"other\",state=\"active\"} 1");
    EXPECT_LINE(t, "janus_hipaa_room_participants{state=\"admitted\"} 3");
    EXPECT_LINE(t, "janus_hipaa_room_participants{state=\"waiting\"} 3");
    EXPECT_LINE(t, "janus_hipaa_room_replay_cache_entries 9");
    EXPECT_LINE(t, "janus_hipaa_room_revocations_active 1");
    EXPECT_LINE(t, "janus_hipaa_room_joins_total{outcome=\"accepted\"} 5");
    EXPECT_LINE(t, "janus_hipaa_room_joins_total{outcome=\"refused\"} 4");
    EXPECT_LINE(t, "janus_hipaa_room_join_refusals_total{reason=\"expired\"} 2");
    EXPECT_LINE(t, "janus_hipaa_room_join_refusals_total{reason=\"bad_signature\"} 1");
    EXPECT_LINE(t, "janus_hipaa_room_join_refusals_total{reason=\"wrong_room\"} 0");
    EXPECT_LINE(t, "janus_hipaa_room_join_refusals_total{reason=\"other\"} 1");
    EXPECT_LINE(t, "janus_hipaa_room_lockouts_total{scope=\"subject\"} 0");
    EXPECT_LINE(t, "janus_hipaa_room_lockouts_total{scope=\"session\"} 1");
    EXPECT_LINE(t, "janus_hipaa_room_mutes_total{action=\"mute\"} 3");
    EXPECT_LINE(t, "janus_hipaa_room_visits_ended_total 0");
    EXPECT_LINE(t, "janus_hipaa_room_revoke_requests_total 1");
    EXPECT_EQ(t.find("99"), std::string::npos);  // chat_messages of stats: info's relay count is shown instead
    EXPECT_EQ(t.find("some_future_counter"), std::string::npos);
    // recorder
    EXPECT_LINE(t, "janus_hipaa_recorder_active_recordings 2");
    EXPECT_LINE(t, "janus_hipaa_recorder_write_failures_total 1");
    EXPECT_LINE(t, "janus_hipaa_recorder_key_version 3");
    EXPECT_LINE(t, "janus_hipaa_recorder_recordings{status=\"recording\",policy=\"standard\"} 1");
    EXPECT_LINE(t, "janus_hipaa_recorder_recordings{status=\"recording\",policy=\"qa\"} 1");
    EXPECT_LINE(t, "janus_hipaa_recorder_recordings{status=\"sealed\",policy=\"standard\"} 1");
    EXPECT_LINE(t, "janus_hipaa_recorder_recordings{status=\"failed\",policy=\"other\"} 1");
    EXPECT_LINE(t, "janus_hipaa_recorder_recordings{status=\"deleted\",policy=\"qa\"} 0");
    EXPECT_LINE(t, "janus_hipaa_recorder_recordings_on_hold 1");
    EXPECT_EQ(admin.calls["janus.plugin.hipaa.recorder stats"], 1);
    EXPECT_LINE(t, "janus_hipaa_recorder_active_bytes 3000");
    EXPECT_LINE(t, "janus_hipaa_recorder_active_packets{result=\"received\"} 30");
    EXPECT_LINE(t, "janus_hipaa_recorder_active_packets{result=\"lost\"} 4");
    EXPECT_LINE(t, "janus_hipaa_recorder_active_failed_streams 2");
    // audit
    EXPECT_LINE(t, "janus_hipaa_audit_queue_capacity_events 65536");
    EXPECT_LINE(t, "janus_hipaa_audit_spool_capacity_bytes 2097152");
    EXPECT_LINE(t, "janus_hipaa_audit_database_configured 1");
    EXPECT_LINE(t, "janus_hipaa_audit_events_received_total 100");
    EXPECT_LINE(t, "janus_hipaa_audit_events_refused_total 2");
    EXPECT_LINE(t, "janus_hipaa_audit_events_by_type_total{type=\"session\"} 10");
    EXPECT_LINE(t, "janus_hipaa_audit_events_by_type_total{type=\"plugin\"} 5");
    EXPECT_LINE(t, "janus_hipaa_audit_events_by_type_total{type=\"core\"} 0");
    EXPECT_LINE(t, "janus_hipaa_audit_events_by_type_total{type=\"other\"} 1");
    EXPECT_LINE(t, "janus_hipaa_audit_spool_bytes 1048576");
    EXPECT_LINE(t, "janus_hipaa_audit_spool_full 0");
    EXPECT_LINE(t, "janus_hipaa_audit_database_connected 1");
    EXPECT_LINE(t, "janus_hipaa_audit_committed_sequence 97");
    EXPECT_LINE(t, "janus_hipaa_audit_fields_total{action=\"pattern_replaced\"} 1");
    EXPECT_LINE(t, "janus_hipaa_audit_lag_seconds 0.25");
    EXPECT_LINE(t, "janus_hipaa_audit_healthy 0");
    EXPECT_LINE(t, "janus_hipaa_audit_unhealthy_reason{reason=\"spool_full\"} 1");
    EXPECT_LINE(t, "janus_hipaa_audit_unhealthy_reason{reason=\"queue_full\"} 0");
    // fhir
    EXPECT_LINE(t, "janus_hipaa_fhir_outbox_bundles{state=\"pending\"} 2");
    EXPECT_LINE(t, "janus_hipaa_fhir_outbox_bundles{state=\"dead\"} 1");
    EXPECT_LINE(t, "janus_hipaa_fhir_outbox_failing_bundles 1");
    EXPECT_LINE(t, "janus_hipaa_fhir_outbox_oldest_pending_seconds 42");
    EXPECT_LINE(t, "janus_hipaa_fhir_facts_received_total{kind=\"visit\"} 4");
    EXPECT_LINE(t, "janus_hipaa_fhir_facts_total{outcome=\"duplicate\"} 1");
    EXPECT_LINE(t, "janus_hipaa_fhir_send_attempts_total{result=\"retry\"} 2");
    EXPECT_LINE(t, "janus_hipaa_fhir_database_errors_total 0");
    EXPECT_LINE(t, "janus_hipaa_fhir_bundles_not_built_total{reason=\"kept_unavailable\"} 3");
    EXPECT_LINE(t, "janus_hipaa_fhir_bundles_not_built_total{reason=\"too_large\"} 1");
}

TEST(MetricsCollector, NothingAPluginAnswersBesidesFixedWordsReachesTheScrape) {
    FakeAdmin admin;
    std::string t = PrometheusText::render(collector(admin).collect().families);
    for (const char* canary : kCanaries) EXPECT_EQ(t.find(canary), std::string::npos) << canary;
    // Not even the recording ids the collector asked about.
    EXPECT_EQ(t.find("0000000000000001"), std::string::npos);
}

TEST(MetricsCollector, APluginThatDoesNotAnswerIsUpZeroAndTheScrapeGoesOn) {
    FakeAdmin admin;
    admin.down("janus.plugin.hipaa.recorder");
    auto scrape = collector(admin).collect();
    std::string t = "\n" + PrometheusText::render(scrape.families);
    EXPECT_LINE(t, "janus_hipaa_up{plugin=\"recorder\"} 0");
    EXPECT_LINE(t, "janus_hipaa_admin_request_success{plugin=\"recorder\",request=\"info\"} 0");
    EXPECT_EQ(t.find("janus_hipaa_recorder_"), std::string::npos);
    EXPECT_EQ(t.find("plugin=\"recorder\",version"), std::string::npos);
    EXPECT_EQ(admin.calls["janus.plugin.hipaa.recorder stats"], 0);  // info failed: nothing more is asked
    EXPECT_LINE(t, "janus_hipaa_up{plugin=\"room\"} 1");
    EXPECT_LINE(t, "janus_hipaa_up{plugin=\"fhir\"} 1");
    EXPECT_LINE(t, "janus_hipaa_room_sessions 3");
    ASSERT_EQ(scrape.errors.size(), 1u);
    EXPECT_EQ(scrape.errors[0], "recorder info: Admin API: 460 no such plugin");
}

TEST(MetricsCollector, EveryPluginDownStillRendersAScrape) {
    FakeAdmin admin;
    for (const char* p : {"janus.plugin.hipaa.room", "janus.plugin.hipaa.recorder", "janus.eventhandler.hipaa.audit",
                          "janus.eventhandler.hipaa.fhir"})
        admin.down(p);
    auto scrape = collector(admin).collect();
    std::string t = "\n" + PrometheusText::render(scrape.families);
    for (const char* p : {"room", "recorder", "audit", "fhir"})
        EXPECT_LINE(t, std::string("janus_hipaa_up{plugin=\"") + p + "\"} 0");
    EXPECT_EQ(scrape.errors.size(), 4u);
}

TEST(MetricsCollector, AnErrorEnvelopeIsAFailure) {
    FakeAdmin admin;
    // Janus keeps a handler whose init failed registered: it answers every request with 310.
    admin.answer("janus.eventhandler.hipaa.audit", "info",
                 R"({"hipaa.audit":"error","error_code":310,"error":"not running: general.queue_capacity"})");
    admin.answer("janus.plugin.hipaa.room", "stats", R"({"hipaa.room":"error"})");
    auto scrape = collector(admin).collect();
    std::string t = "\n" + PrometheusText::render(scrape.families);
    EXPECT_LINE(t, "janus_hipaa_up{plugin=\"audit\"} 0");
    EXPECT_EQ(t.find("janus_hipaa_audit_"), std::string::npos);
    EXPECT_LINE(t, "janus_hipaa_up{plugin=\"room\"} 1");
    EXPECT_LINE(t, "janus_hipaa_admin_request_success{plugin=\"room\",request=\"stats\"} 0");
    EXPECT_LINE(t, "janus_hipaa_admin_request_success{plugin=\"room\",request=\"list\"} 1");
    EXPECT_EQ(t.find("janus_hipaa_room_joins_total"), std::string::npos);
    EXPECT_LINE(t, "janus_hipaa_room_participants{state=\"waiting\"} 3");
    ASSERT_EQ(scrape.errors.size(), 2u);
    EXPECT_EQ(scrape.errors[0], "room stats: envelope error");
    EXPECT_EQ(scrape.errors[1], "audit info: error 310: not running: general.queue_capacity");
}

TEST(MetricsCollector, AFailedStatsLeavesOutTheRecordingCountsRatherThanShowAPart) {
    FakeAdmin admin;
    admin.answer("janus.plugin.hipaa.recorder", "stats", R"({"hipaa.recorder":"error","error_code":360})");
    std::string t = "\n" + PrometheusText::render(collector(admin).collect().families);
    EXPECT_LINE(t, "janus_hipaa_admin_request_success{plugin=\"recorder\",request=\"stats\"} 0");
    EXPECT_LINE(t, "janus_hipaa_recorder_active_recordings 2");  // from info
    EXPECT_EQ(t.find("janus_hipaa_recorder_recordings{"), std::string::npos);
    EXPECT_EQ(t.find("janus_hipaa_recorder_active_bytes"), std::string::npos);
}

TEST(MetricsCollector, FieldsMissingFromAnAnswerGiveNoSample) {
    FakeAdmin admin;
    admin.answer("janus.eventhandler.hipaa.fhir", "status", R"({"hipaa.fhir":"success","pending":"many"})");
    std::string t = "\n" + PrometheusText::render(collector(admin).collect().families);
    EXPECT_LINE(t, "janus_hipaa_admin_request_success{plugin=\"fhir\",request=\"status\"} 1");
    EXPECT_EQ(t.find("janus_hipaa_fhir_"), std::string::npos);
}

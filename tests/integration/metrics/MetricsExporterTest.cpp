// SPDX-License-Identifier: GPL-3.0-or-later
// The exporter against the real Debian Janus with our four plugins and a real PostgreSQL: a consult
// room with a provider, a waiting patient and a refused join, scraped over HTTP; the scrape checked by
// value, by `promtool check metrics`, for PHI canaries, and against the metric names that the alert
// rules (conf/prometheus/alerts.yml, `promtool check rules` and `promtool test rules`) and the
// Grafana dashboard (conf/grafana/janus-hipaa.json) use.
#include "AuditFixture.hpp"
#include "ClientTab.hpp"
#include "FreePort.hpp"
#include "JanusClient.hpp"
#include "JanusProcess.hpp"
#include "Shell.hpp"
#include "TempDir.hpp"
#include "TestDatabase.hpp"

#include "hipaa/CurlEasy.hpp"
#include "hipaa/Errors.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <sstream>
#include <thread>

using namespace hipaa;
using namespace hipaa::test;

namespace {

constexpr const char* kRoom = "janus.plugin.hipaa.room";

// `janus-hipaa metrics` as a child process (stderr to a log), ready once it answers a scrape.
class Exporter {
public:
    Exporter(const JanusProcess& janus, const TempDir& dir) : port_(freeLoopbackPort()) {
        std::string secret = dir.write("admin_secret", janus.adminSecret() + "\n", 0600);
        std::string log = dir.file("exporter.log");
        std::vector<std::string> args{HIPAA_CLI_BIN,    "metrics",  "--admin-url",
                                      janus.adminUrl(), "--listen", "127.0.0.1:" + std::to_string(port_),
                                      "--secret-file",  secret};
        pid_ = ::fork();
        if (pid_ == 0) {
            FILE* f = std::freopen(log.c_str(), "w", stderr);
            (void)f;
            std::vector<char*> argv;
            for (auto& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        logPath_ = log;
        // Ready when it answers.
        for (int i = 0; i < 100 && scrape().status != 200; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ~Exporter() {
        if (pid_ > 0) stop();
    }
    HttpResponse scrape(const std::string& path = "/metrics") {
        HttpRequest r;
        r.url = "http://127.0.0.1:" + std::to_string(port_) + path;
        r.timeoutMs = 20000;
        r.maxResponseBytes = 4u << 20;
        try {
            return curl_.perform(r);
        } catch (const HttpError&) {
            return {};
        }
    }
    // SIGTERM; the exit status (-1 when a signal ended it).
    int stop() {
        ::kill(pid_, SIGTERM);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::string log() const { return readFile(logPath_); }

private:
    int port_;
    pid_t pid_ = -1;
    std::string logPath_;
    CurlGlobal global_;
    CurlEasy curl_{CurlEasy::Schemes::HttpAndHttps};
};

std::string mint(const JanusProcess& janus, const std::string& room, const std::string& role, const std::string& args) {
    return Shell::output(std::string("python3 ") + HIPAA_SOURCE_DIR + "/scripts/mint-token --key '" +
                         janus.configFile("keys/dev-es256.pem") + "' --room " + room + " --role " + role + " " + args);
}

// Points the FHIR handler's outbox at `conninfo` (the generated config names a database on 5432).
void setFhirConninfo(JanusProcess& janus, const std::string& conninfo) {
    std::string file = "janus.eventhandler.hipaa.fhir.jcfg";
    std::string text = readFile(janus.configFile(file));
    size_t at = text.find("conninfo = \"");
    ASSERT_NE(at, std::string::npos);
    at += 12;
    text.replace(at, text.find('"', at) - at, conninfo);
    janus.writeConfig(file, text);
}

bool hasLine(const std::string& scrape, const std::string& line) {
    return ("\n" + scrape).find("\n" + line + "\n") != std::string::npos;
}

// Every janus_hipaa_* name a file uses.
std::set<std::string> metricNamesIn(const std::string& path) {
    std::string text = readFile(path);
    std::set<std::string> names;
    for (size_t at = text.find("janus_hipaa_"); at != std::string::npos; at = text.find("janus_hipaa_", at + 1)) {
        if (at > 0 && (std::isalnum(static_cast<unsigned char>(text[at - 1])) || text[at - 1] == '_')) continue;
        size_t end = at;
        while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_')) ++end;
        names.insert(text.substr(at, end - at));
    }
    return names;
}

std::set<std::string> familiesIn(const std::string& scrape) {
    std::set<std::string> out;
    std::istringstream in(scrape);
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("# TYPE ", 0) == 0) out.insert(line.substr(7, line.find(' ', 7) - 7));
    return out;
}

}  // namespace

TEST(MetricsExporter, AScrapeOfARealConsultIsRightValidPhiFreeAndCoversAlertsAndDashboard) {
    TestDatabase db;
    JanusProcess janus;
    TempDir dir;
    setAuditKey(janus, "conninfo", "\"" + db.loginConninfo("janus_audit_writer") + "\"");
    setFhirConninfo(janus, db.loginConninfo("janus_fhir_writer"));
    janus.start();
    JanusClient admin(janus);

    // A room whose description, and a provider whose token's subject and name, are canaries.
    const std::string descCanary = "CANARY-DESC knee follow-up of Jane Canary", subCanary = "CANARY-SUB-4417",
                      nameCanary = "CANARY-NAME Dr Zed", displayCanary = "CANARY-DISPLAY Pat Q";
    JsonPtr created =
        admin.messagePlugin(kRoom, J(R"({"request":"create","description":")" + descCanary + "\"}").get());
    std::string room(jsonString(created.get(), "room").value_or(""));
    ASSERT_FALSE(room.empty()) << jsonDump(created.get());
    ClientTab dr(janus), pt(janus), stranger(janus);
    dr.join(room, mint(janus, room, "provider", "--sub " + subCanary + " --name '" + nameCanary + "'"));
    ASSERT_TRUE(dr.waitKind("joined"));
    pt.join(room, mint(janus, room, "patient", "--sub CANARY-PATIENT-SUB"), "", displayCanary);
    ASSERT_TRUE(pt.waitKind("waiting"));
    EXPECT_NE(ClientTab::errorCode(stranger.requestJoin(room, "not.a.token").get()), 0);
    JsonPtr roomInfo = admin.messagePlugin(kRoom, J(R"({"request":"info","room":")" + room + "\"}").get());
    std::vector<std::string> secrets{
        descCanary, subCanary, nameCanary,          displayCanary,
        "CANARY",   room,      janus.adminSecret(), std::string(jsonString(roomInfo.get(), "visit").value_or("?"))};
    size_t i;
    json_t* p;
    json_array_foreach(json_object_get(roomInfo.get(), "participants"), i, p) {
        secrets.emplace_back(jsonString(p, "participant").value_or("?"));  // pseudonyms
        secrets.emplace_back(jsonString(p, "id").value_or("?"));
    }
    ASSERT_EQ(secrets.size(), 12u) << jsonDump(roomInfo.get());
    // The audit writer connects to PostgreSQL on its own thread: wait for it (the scrape checks it).
    waitStats(admin, [](const json_t* st) { return jsonBool(st, "db_connected").value_or(false); });

    Exporter exporter(janus, dir);
    HttpResponse res = exporter.scrape();
    ASSERT_EQ(res.status, 200) << exporter.log();
    EXPECT_EQ(res.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    const std::string& s = res.body;

    for (const char* plugin : {"room", "recorder", "audit", "fhir"}) {
        EXPECT_TRUE(hasLine(s, std::string("janus_hipaa_up{plugin=\"") + plugin + "\"} 1")) << plugin;
        EXPECT_TRUE(hasLine(s, std::string("janus_hipaa_build_info{plugin=\"") + plugin + "\",version=\"0.1.0\"} 1"));
    }
    // Every Admin API request of this scrape was answered.
    std::istringstream lines(s);
    int requests = 0;
    for (std::string line; std::getline(lines, line);)
        if (line.rfind("janus_hipaa_admin_request_success{", 0) == 0) {
            ++requests;
            EXPECT_EQ(line.substr(line.size() - 2), " 1") << line << "\n" << exporter.log();
        }
    EXPECT_EQ(requests, 10);  // room info/list/stats, recorder info/stats, audit info/stats/health, fhir info/status
    for (const char* line :
         {"janus_hipaa_room_rooms{class=\"default\",state=\"active\"} 1",
          "janus_hipaa_room_participants{state=\"admitted\"} 1", "janus_hipaa_room_participants{state=\"waiting\"} 1",
          "janus_hipaa_room_joins_total{outcome=\"accepted\"} 2", "janus_hipaa_room_joins_total{outcome=\"refused\"} 1",
          "janus_hipaa_room_join_refusals_total{reason=\"malformed_token\"} 1",
          "janus_hipaa_room_join_refusals_total{reason=\"other\"} 0", "janus_hipaa_room_sessions 3",
          "janus_hipaa_room_development_mode 1", "janus_hipaa_recorder_active_recordings 0",
          "janus_hipaa_audit_healthy 1", "janus_hipaa_audit_database_connected 1",
          "janus_hipaa_audit_database_configured 1", "janus_hipaa_audit_unhealthy_reason{reason=\"spool_full\"} 0",
          "janus_hipaa_audit_spool_full 0", "janus_hipaa_fhir_outbox_bundles{state=\"pending\"} 0",
          "janus_hipaa_fhir_outbox_bundles{state=\"dead\"} 0"})
        EXPECT_TRUE(hasLine(s, line)) << line;
    if (::testing::Test::HasFailure()) std::cerr << "the scrape:\n" << s;

    // Valid exposition text by Prometheus' own linter.
    std::string scrapeFile = dir.write("scrape.prom", s);
    Shell::Result lint = Shell::run("promtool check metrics < '" + scrapeFile + "' 2>&1");
    EXPECT_EQ(lint.status, 0) << lint.out;
    EXPECT_EQ(lint.out, "") << lint.out;

    // No PHI, no pseudonym, no id of a room, visit or participant, no secret.
    for (const std::string& secret : secrets) EXPECT_EQ(s.find(secret), std::string::npos) << secret;

    // What the alert rules and the dashboard use is in a real scrape.
    std::string alerts = std::string(HIPAA_SOURCE_DIR) + "/conf/prometheus/alerts.yml";
    std::string dashboard = std::string(HIPAA_SOURCE_DIR) + "/conf/grafana/janus-hipaa.json";
    std::set<std::string> families = familiesIn(s);
    std::set<std::string> used = metricNamesIn(alerts), onBoard = metricNamesIn(dashboard);
    EXPECT_GE(used.size(), 5u);
    EXPECT_GE(onBoard.size(), 10u);
    used.insert(onBoard.begin(), onBoard.end());
    for (const std::string& name : used) EXPECT_TRUE(families.count(name)) << name << " is not in the scrape";
    Shell::Result rules = Shell::run("promtool check rules '" + alerts + "' 2>&1");
    EXPECT_EQ(rules.status, 0) << rules.out;
    Shell::Result ruleTests = Shell::run("cd '" + std::string(HIPAA_SOURCE_DIR) +
                                         "' && promtool test rules tests/integration/metrics/alerts.test.yml 2>&1");
    EXPECT_EQ(ruleTests.status, 0) << ruleTests.out;
    Shell::Result json = Shell::run("jq -e '.panels | length > 0' '" + dashboard + "' 2>&1");
    EXPECT_EQ(json.status, 0) << json.out;

    EXPECT_EQ(exporter.scrape("/").status, 404);
    EXPECT_EQ(exporter.stop(), 0);
}

TEST(MetricsExporter, APluginNotLoadedOrNotRunningIsUpZeroAndTheRestIsScraped) {
    JanusProcess janus;
    TempDir dir;
    // The recorder not loaded at all; the FHIR handler loaded but its init failed (Janus keeps it
    // registered; it answers 310).
    ASSERT_EQ(::unlink((janus.configDir() + "/plugins/libjanus_hipaa_recorder.so").c_str()), 0);
    janus.writeConfig("janus.eventhandler.hipaa.fhir.jcfg", "general: { base_url = \"http://not-https\" }\n");
    janus.start();
    Exporter exporter(janus, dir);
    HttpResponse res = exporter.scrape();
    ASSERT_EQ(res.status, 200) << exporter.log();
    const std::string& s = res.body;
    EXPECT_TRUE(hasLine(s, "janus_hipaa_up{plugin=\"recorder\"} 0")) << s;
    EXPECT_TRUE(hasLine(s, "janus_hipaa_up{plugin=\"fhir\"} 0")) << s;
    EXPECT_TRUE(hasLine(s, "janus_hipaa_up{plugin=\"room\"} 1")) << s;
    EXPECT_TRUE(hasLine(s, "janus_hipaa_up{plugin=\"audit\"} 1")) << s;
    EXPECT_EQ(s.find("janus_hipaa_recorder_"), std::string::npos);
    EXPECT_EQ(s.find("janus_hipaa_fhir_"), std::string::npos);
    EXPECT_TRUE(hasLine(s, "janus_hipaa_room_rooms{class=\"default\",state=\"active\"} 0")) << s;
    // The exporter says why on stderr (Janus' and our plugins' error texts carry no PHI).
    std::string log = exporter.log();
    EXPECT_NE(log.find("metrics: recorder info: Janus refused"), std::string::npos) << log;
    EXPECT_NE(log.find("metrics: fhir info: error 310"), std::string::npos) << log;
    EXPECT_EQ(exporter.stop(), 0);
}

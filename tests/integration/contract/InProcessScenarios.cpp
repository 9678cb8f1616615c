// SPDX-License-Identifier: GPL-3.0-or-later
// The codes that answer load, the disk or a database, not a request: a full room worker queue (439),
// the refusals of a document shared over a data channel (480-487: the room's document desk with its
// thread; a browser's data channel is the e2e tests' part),
// an audit queue that stays full behind a full spool while the database is away (the shared 368), a recorder
// whose disk refuses writes (470) and a room whose shared token state is unreachable (468). A client
// cannot cause these through Janus' HTTP transport in seconds (and a file-size limit would hit the
// whole gateway), so the plugins' cores run here, with their real threads, queues and files; only
// Janus' transport is missing.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include "AuditHandler.hpp"
#include "AuditTrailSpy.hpp"
#include "ClientTab.hpp"
#include "ContractJanus.hpp"
#include "DocumentDesk.hpp"
#include "DocumentFrames.hpp"
#include "FakeKeptSource.hpp"
#include "FhirFixtures.hpp"
#include "FileSizeLimit.hpp"
#include "FreePort.hpp"
#include "KeptAttacher.hpp"
#include "RecorderPlugin.hpp"
#include "RecordingLeases.hpp"
#include "RoomPlugin.hpp"
#include "Scenario.hpp"
#include "TempDir.hpp"
#include "TestDatabase.hpp"
#include "hipaa/AuditHealthProbe.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/JcfgParser.hpp"

namespace hipaa::test {
namespace {

class SilentHost final : public MediaHost {
public:
    bool pushEvent(SessionId, const std::string&, const json_t*, const json_t*) override { return true; }
    void notifyEvent(SessionId, const json_t*) override {}
    bool eventsEnabled() const override { return false; }
    void closePeerConnection(SessionId) override {}
    void endSession(SessionId) override {}
};

constexpr const char* kAuditPackage = "janus.eventhandler.hipaa.audit";

int roomWorkerQueueFull() {
    TempDir dir;
    std::string pseudo = dir.write("pseudonym.key", std::string(64, 'b'), 0600);
    std::string pem = dir.write("es.pem", ContractJanus::tokens().publicPem("es"), 0600);
    std::string cfg = dir.write("room.jcfg",
                                "general: { pseudonym_key_file = \"" + pseudo +
                                    "\" }\n"
                                    "tokens: { issuers = \"" +
                                    std::string(room::test::TokenFactory::kIssuer) + "\"\n audience = \"" +
                                    room::test::TokenFactory::kAudience +
                                    "\" }\n"
                                    "keys: { pem_files = \"es=" +
                                    pem + "\" }\n",
                                0600);
    // The worker asks the audit handler before the first join and stays there until released.
    struct HeldProbe final : AuditHealthProbe {
        std::promise<void> release;
        std::shared_future<void> released = release.get_future().share();
        mutable std::promise<void> asked;
        mutable std::once_flag once;
        std::string auditProblem() const override {
            std::call_once(once, [this] { asked.set_value(); });
            released.wait();
            return {};
        }
    } probe;
    AuditHealthProbe::inProcess().provide(probe);
    struct Withdraw {
        const HeldProbe& probe;
        ~Withdraw() { AuditHealthProbe::inProcess().withdraw(probe); }
    } withdraw{probe};
    SilentHost host;
    int answer = 0;
    {
        auto plugin = std::make_unique<room::RoomPlugin>(Config(JcfgParser::parseFile(cfg), cfg), Logger(), host,
                                                         room::VisitPublisher{nullptr, nullptr});
        plugin->createSession(1);
        plugin->handleMessage(1, "t", J(R"({"request":"join","room":"r","token":"a.b.c"})"), nullptr);
        probe.asked.get_future().wait_for(std::chrono::seconds(10));
        for (int i = 0; i < 20000 && answer == 0; ++i) {
            auto reply = plugin->handleMessage(1, "t", J(R"({"request":"participants"})"), nullptr);
            if (reply.kind == MediaPluginCore::Reply::Kind::Ok) answer = ClientTab::errorCode(reply.content.get());
        }
        probe.release.set_value();
    }
    return answer;
}

int auditQueueFullBehindAFullSpool() {
    TempDir dir;
    ::mkdir(dir.file("spool").c_str(), 0700);
    std::string hex64(64, 'c');
    std::string cfg = dir.write("audit.jcfg",
                                "general: {\n policy_file = \"" + std::string(HIPAA_SOURCE_DIR) +
                                    "/conf/janus.eventhandler.hipaa.audit.policy.jcfg\"\n"
                                    " pseudonym_key_file = \"" +
                                    dir.write("pseudonym.key", hex64, 0600) +
                                    "\"\n"
                                    " queue_capacity = 1024\n batch_size = 30\n instance_id = \"contract\"\n"
                                    " development = true\n}\n"
                                    "database: {\n conninfo = \"host=127.0.0.1 port=" +
                                    std::to_string(freeLoopbackPort()) +
                                    " dbname=none connect_timeout=1\"\n retry_interval_ms = 600000\n}\n"
                                    "chain: {\n signing_key_file = \"" +
                                    dir.write("signing.key", std::string(64, 'd'), 0600) +
                                    "\"\n}\n"
                                    "spool: {\n dir = \"" +
                                    dir.file("spool") + "\"\n key_file = \"" +
                                    dir.write("spool.key", std::string(64, 'e'), 0600) + "\"\n max_mb = 1\n}\n",
                                0600);
    audit::AuditHandler handler(Config(JcfgParser::parseFile(cfg), cfg), Logger());
    JsonPtr event = J(readFile(std::string(HIPAA_SOURCE_DIR) + "/tests/support/audit-events/04-session-created.json"));
    // Once the spool is full the writer stops taking events; a refusal after that moment means the
    // queue is full and stays full.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    int64_t refusedWhenFull = -1;
    for (;;) {
        for (int i = 0; i < 200; ++i) handler.incomingEvent(event.get());
        JsonPtr s = handler.handleRequest(J(R"({"request":"stats"})").get());
        int64_t refused = jsonInt(json_object_get(s.get(), "events"), "refused_queue_full").value_or(0);
        if (refusedWhenFull < 0 && jsonBool(s.get(), "spool_full").value_or(false))
            refusedWhenFull = refused;
        else if (refusedWhenFull >= 0 && refused > refusedWhenFull)
            break;
        if (std::chrono::steady_clock::now() > deadline)
            throw std::runtime_error("the audit queue never filled: " + jsonDump(s.get()));
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    // `pseudonym` needs no database: it is refused only because its own audit record cannot be queued
    // (development: the admin secret alone is admitted, so the trail is all that refuses it).
    try {
        return ClientTab::errorCode(
            handler.handleRequest(J(R"({"request":"pseudonym","iss":"https://idp.test","sub":"s1"})").get()).get());
    } catch (const Error& e) {
        return e.code();  // what the glue would answer
    }
}

int recorderStartOnAFullDisk() {
    TempDir dir;
    std::string cfg = dir.write("recorder.jcfg",
                                "general: {\n recordings_dir = \"" + dir.file("rec") + "\"\n keyring = \"" +
                                    dir.write("keyring", "1 kek " + std::string(64, 'a') + "\n", 0600) +
                                    "\"\n signing_key = \"" + dir.write("sign.key", std::string(64, 'b'), 0600) +
                                    "\"\n rtp_port_min = 40000\n rtp_port_max = 40040\n sweep_seconds = 3600\n}\n",
                                0600);
    SilentHost host;
    recorder::RecorderPlugin plugin(Config(JcfgParser::parseFile(cfg), cfg), Logger(), host);
    FileSizeLimit limit(100);  // smaller than any state file: the way ENOSPC refuses them
    try {
        return ClientTab::errorCode(
            plugin.handleAdmin(J(R"({"request":"start","streams":[{"kind":"audio","codec":"opus"}]})").get()).get());
    } catch (const Error& e) {
        return e.code();  // what the glue would answer
    }
}

// cluster.conninfo names a PostgreSQL nobody listens on: an authentic join is refused (fail closed).
int roomJoinWithoutTheSharedState() {
    TempDir dir;
    std::string pseudo = dir.write("pseudonym.key", std::string(64, 'b'), 0600);
    std::string pem = dir.write("es.pem", ContractJanus::tokens().publicPem("es"), 0600);
    std::string cfg = dir.write(
        "room.jcfg",
        "general: { pseudonym_key_file = \"" + pseudo + "\"\n require_audit = false }\n" + "tokens: { issuers = \"" +
            room::test::TokenFactory::kIssuer + "\"\n audience = \"" + room::test::TokenFactory::kAudience +
            "\" }\nkeys: { pem_files = \"es=" + pem +
            "\" }\nroom-r: { class = \"default\" }\ncluster: { conninfo = \"host=127.0.0.1 port=" +
            std::to_string(freeLoopbackPort()) +
            " dbname=none user=none\"\n instance_id = \"contract\"\n public_url = \"http://127.0.0.1:1/janus\" }\n",
        0600);
    struct AnswerHost final : MediaHost {
        std::promise<int> code;
        std::once_flag once;
        bool pushEvent(SessionId, const std::string&, const json_t* body, const json_t*) override {
            std::call_once(once, [&] { code.set_value(ClientTab::errorCode(body)); });
            return true;
        }
        void notifyEvent(SessionId, const json_t*) override {}
        bool eventsEnabled() const override { return false; }
        void closePeerConnection(SessionId) override {}
        void endSession(SessionId) override {}
    } host;
    auto answer = host.code.get_future();
    room::RoomPlugin plugin(Config(JcfgParser::parseFile(cfg), cfg), Logger(), host,
                            room::VisitPublisher{nullptr, nullptr});
    plugin.createSession(1);
    int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    std::string token = ContractJanus::tokens().sign(ContractJanus::tokens().claims("r", "patient", now).get());
    plugin.handleMessage(1, "t", J(R"({"request":"join","room":"r","token":")" + token + R"("})"), nullptr);
    if (answer.wait_for(std::chrono::seconds(20)) != std::future_status::ready)
        throw std::runtime_error("no answer to the join");
    return answer.get();
}

// A patient in the waiting room sends chat over a data channel (through Janus only a browser has one):
// the room plugin's worker refuses it with 484 and records the refusal as a PHI-free `chat` event.
int roomChatFromTheWaitingRoom() {
    TempDir dir;
    std::string pseudo = dir.write("pseudonym.key", std::string(64, 'b'), 0600);
    std::string pem = dir.write("es.pem", ContractJanus::tokens().publicPem("es"), 0600);
    std::string cfg = dir.write("room.jcfg",
                                "general: { pseudonym_key_file = \"" + pseudo + "\"\n require_audit = false }\n" +
                                    "tokens: { issuers = \"" + room::test::TokenFactory::kIssuer +
                                    "\"\n audience = \"" + room::test::TokenFactory::kAudience +
                                    "\" }\nkeys: { pem_files = \"es=" + pem + "\" }\nroom-r: { class = \"default\" }\n",
                                0600);
    struct EventHost final : MediaHost {
        std::promise<void> waiting;
        std::promise<int> refused;
        std::once_flag onceWaiting, onceRefused;
        bool pushEvent(SessionId, const std::string&, const json_t* body, const json_t*) override {
            if (jsonString(body, "hipaa.room").value_or("") == "waiting")
                std::call_once(onceWaiting, [&] { waiting.set_value(); });
            return true;
        }
        void notifyEvent(SessionId, const json_t* e) override {
            if (jsonString(e, "event").value_or("") == "chat" && jsonString(e, "outcome").value_or("") == "refused")
                std::call_once(onceRefused,
                               [&] { refused.set_value(static_cast<int>(jsonInt(e, "error_code").value_or(0))); });
        }
        bool eventsEnabled() const override { return true; }
        void closePeerConnection(SessionId) override {}
        void endSession(SessionId) override {}
    } host;
    auto waiting = host.waiting.get_future();
    auto refused = host.refused.get_future();
    room::RoomPlugin plugin(Config(JcfgParser::parseFile(cfg), cfg), Logger(), host,
                            room::VisitPublisher{nullptr, nullptr});
    plugin.createSession(1);
    int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    std::string token = ContractJanus::tokens().sign(ContractJanus::tokens().claims("r", "patient", now).get());
    plugin.handleMessage(1, "t", J(R"({"request":"join","room":"r","token":")" + token + R"("})"), nullptr);
    if (waiting.wait_for(std::chrono::seconds(20)) != std::future_status::ready)
        throw std::runtime_error("the patient is not waiting");
    const std::string text = "hello?";
    plugin.incomingData(1, "chat", false, reinterpret_cast<const uint8_t*>(text.data()), text.size());
    if (refused.wait_for(std::chrono::seconds(20)) != std::future_status::ready)
        throw std::runtime_error("no refusal recorded");
    return refused.get();
}

// Two instances of a clinic on one recordings folder (cluster.conninfo), the second one's answer to
// `request` on a recording of the first: `setup` gets the recording (sealed unless `keepOpen`) and the
// leases' conninfo. A cluster needs a second Janus: here both are cores in this process.
int recorderCluster(const std::string& request, bool keepOpen, bool storeDown,
                    const std::function<void(const std::string&, const std::string&)>& setup = {}) {
    // One database for the three scenarios (migrating one takes seconds); leases of ids never reused.
    static TestDatabase db;
    static const std::string conninfo = db.loginConninfo("janus_recorder_state");
    TempDir dir;
    std::string keyring = dir.write("keyring", "1 kek " + std::string(64, 'a') + "\n", 0600);
    std::string sign = dir.write("sign.key", std::string(64, 'b'), 0600);
    SilentHost host;
    AuditTrailSpy trail;  // development: the admin secret alone, still recorded
    auto make = [&](const std::string& instance, const std::string& conn, int port) {
        std::string cfg =
            dir.write(instance + ".jcfg",
                      "general: {\n development = true\n recordings_dir = \"" + dir.file("rec") + "\"\n keyring = \"" +
                          keyring + "\"\n signing_key = \"" + sign + "\"\n rtp_port_min = " + std::to_string(port) +
                          "\n rtp_port_max = " + std::to_string(port + 5) +
                          "\n sweep_seconds = 3600\n}\ncluster: {\n conninfo = \"" + conn + "\"\n instance_id = \"" +
                          instance + "\"\n}\n",
                      0600);
        return std::make_unique<recorder::RecorderPlugin>(Config(JcfgParser::parseFile(cfg), cfg), Logger(), host);
    };
    auto a = make("contract-a", conninfo, 40050);
    auto b = make("contract-b", storeDown ? "host=127.0.0.1 port=1 dbname=hipaa" : conninfo, 40060);
    // Through the in-process sink (as the room records): no SRTP session, which only Janus' core sets up.
    std::string id = a->start({RecordingStreamSpec{false, "opus", "0"}}, "", {});
    if (!keepOpen) a->stop(id);
    if (setup) setup(id, conninfo);
    try {
        return ClientTab::errorCode(
            b->handleAdmin(J(R"({"request":")" + request + R"(","recording":")" + id + R"(","reason":"case 1"})").get())
                .get());
    } catch (const Error& e) {
        return e.code();  // what the glue would answer
    }
}

}  // namespace

// A shared code, so no scenario row: the audit handler's own access record cannot be queued.
TEST(AuditInProcess, AFullQueueBehindAFullSpoolRefusesThePseudonymLookup) {
    EXPECT_EQ(auditQueueFullBehindAFullSpool(), hipaa::errc::kAccessNotRecorded);
}

// A document sent to the room's desk (its own thread, its bounded queue) by a sender the class lets
// share documents up to 100000 bytes, or not (`mayShare`); the code of the first refusal reported.
// `capacity` 1 with a relay that holds the first complete document makes the next frames find the
// queue full (485). `kept`: the class keeps documents and its keeper cannot take this one (487).
int documentRefusal(const std::vector<Bytes>& sent, bool mayShare = true, size_t capacity = 256, bool kept = false) {
    std::mutex m;
    std::vector<int> codes;
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    room::DocumentDeskSettings ds;
    ds.capacity = capacity;
    ds.relay = [released](SessionId, const std::vector<Bytes>&) {
        released.wait();
        return size_t{1};
    };
    ds.keep = [](const room::ChatSpeaker&, const room::SharedDocument&) { return false; };
    ds.onShared = [](const room::DocumentShare&) {};
    ds.onRefused = [&](const room::DocumentRefusal& r) {
        std::lock_guard lock(m);
        codes.push_back(r.code);
    };
    room::DocumentDesk desk(std::move(ds), Logger());
    room::ChatSpeaker from{"r1", "ps1_sender", mayShare ? "patient" : "observer", false, mayShare, 100000, kept};
    if (capacity == 1) {  // the first document reaches the relay, which holds it; the rest queue up
        for (const auto& f : documentFrames(1, room::DocumentType::Pdf, pdfOf(100))) {
            for (int i = 0; i < 500 && !desk.frame(7, from, f.data(), f.size()); ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    }
    for (const auto& f : sent) desk.frame(7, from, f.data(), f.size());
    if (capacity != 1 && !sent.empty() && sent.size() < 3) desk.gone(7);  // the sender left half-way
    release.set_value();
    desk.drain();
    desk.stop();
    std::lock_guard lock(m);
    return codes.empty() ? 0 : codes.front();
}

// The FHIR outbox's reasons for a visit bundle with kept chat (not Admin API answers: what a sending
// worker records as the bundle's last error): the recorder not loaded, or the completed bundle over
// the size limit.
int fhirKeptBundle(bool recorderLoaded) {
    auto builder = std::make_shared<fhir::BundleBuilder>(
        fhir::BundleOptions{"urn:janus-hipaa-contract", "janus-1", "", "11506-3"});
    VisitEnded visit = fhir::test::sampleVisit("v-contract");
    visit.keptRecordings = {"rec-1"};
    const std::string stored =
        jsonDump(fhir::KeptAttacher::wrap(builder->build(visit, {}, fhir::test::kStartUs, true), visit).get());
    std::optional<fhir::test::FakeKeptSource> recorder;
    if (recorderLoaded) {
        recorder.emplace();
        recorder->add(fhir::test::sampleKept("rec-1"));
    }
    fhir::KeptAttacher attacher(builder, 1024);
    try {
        attacher.complete(stored, fhir::test::kStartUs);
        return 0;
    } catch (const Error& e) {
        return e.code();
    }
}

void addInProcessScenarios(std::vector<Scenario>& out) {
    out.push_back({"janus.eventhandler.hipaa.fhir", 402,
                   "a visit bundle with kept chat while no recorder is loaded "
                   "(in process)",
                   [] { return fhirKeptBundle(false); }});
    out.push_back({"janus.eventhandler.hipaa.fhir", 403,
                   "a visit bundle whose kept documents exceed the size "
                   "limit (in process)",
                   [] { return fhirKeptBundle(true); }});
    out.push_back({"janus.plugin.hipaa.room", 439, "the worker queue is full (in process)", roomWorkerQueueFull});
    out.push_back({"janus.plugin.hipaa.recorder", 470, "start while the disk refuses writes (in process)",
                   recorderStartOnAFullDisk});
    out.push_back({"janus.plugin.hipaa.room", 468, "a join while the shared token state is unreachable (in process)",
                   roomJoinWithoutTheSharedState});
    out.push_back({"janus.plugin.hipaa.recorder", 430, "delete on B of a recording A still writes (in process)",
                   [] { return recorderCluster("delete", true, false); }});
    out.push_back({"janus.plugin.hipaa.recorder", 431, "delete while the cluster store is down (in process)",
                   [] { return recorderCluster("delete", false, true); }});
    out.push_back(
        {"janus.plugin.hipaa.recorder", 432, "delete while another instance holds the lease (in process)", [] {
             std::unique_ptr<recorder::RecordingLeases> other;
             return recorderCluster("delete", false, false, [&](const std::string& id, const std::string& c) {
                 other = std::make_unique<recorder::RecordingLeases>(c, "contract-c", std::chrono::seconds(30));
                 for (int i = 0; other->acquire(id, recorder::LeaseKind::Op) && i < 200; ++i)
                     std::this_thread::sleep_for(std::chrono::milliseconds(10));  // A's open lease goes back
             });
         }});
    out.push_back({"janus.plugin.hipaa.room", 480, "a document over the class' document_max_bytes (in process)",
                   [] { return documentRefusal(documentFrames(2, room::DocumentType::Pdf, pdfOf(100001))); }});
    out.push_back({"janus.plugin.hipaa.room", 481, "a PDF sent as a PNG (in process)",
                   [] { return documentRefusal(documentFrames(3, room::DocumentType::Png, pdfOf(500))); }});
    out.push_back({"janus.plugin.hipaa.room", 482, "a document from a role that may not share (in process)",
                   [] { return documentRefusal(documentFrames(4, room::DocumentType::Pdf, pdfOf(100)), false); }});
    out.push_back({"janus.plugin.hipaa.room", 483, "a document whose sender leaves half-way (in process)",
                   [] { return documentRefusal({documentFrames(5, room::DocumentType::Pdf, pdfOf(40000)).front()}); }});
    out.push_back({"janus.plugin.hipaa.room", 484, "chat from a patient in the waiting room (in process)",
                   [] { return roomChatFromTheWaitingRoom(); }});
    out.push_back({"janus.plugin.hipaa.room", 485, "document frames while the desk's queue is full (in process)",
                   [] { return documentRefusal(documentFrames(6, room::DocumentType::Pdf, pdfOf(40000)), true, 1); }});
    out.push_back(
        {"janus.plugin.hipaa.room", 486, "a data channel message that looks like a frame and is not (in process)", [] {
             return documentRefusal({Bytes{'J', 'H', 'D', '1', 9, 9}});
         }});
    out.push_back({"janus.plugin.hipaa.room", 487, "a kept class' document its keeper cannot seal (in process)", [] {
                       return documentRefusal(documentFrames(8, room::DocumentType::Pdf, pdfOf(100)), true, 256, true);
                   }});
}

}  // namespace hipaa::test

// SPDX-License-Identifier: GPL-3.0-or-later
// A success answer to every request of docs/api/*.schema.json through the real Janus (the field
// contract and the error scenarios are mostly refused): each is asserted here, and with
// HIPAA_ANSWER_LOG set every answer and push is validated against docs/api/*.answers.schema.json by
// the api_answers test (tests/api/validate-answers.mjs), which also fails on a request with no success
// answer captured.
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <thread>

#include "ClientTab.hpp"
#include "ContractJanus.hpp"
#include "SdpOffer.hpp"

using namespace hipaa;
using namespace hipaa::test;

namespace {

constexpr const char* kRoom = "janus.plugin.hipaa.room";
constexpr const char* kRecorder = "janus.plugin.hipaa.recorder";
constexpr const char* kAudit = "janus.eventhandler.hipaa.audit";
constexpr const char* kFhir = "janus.eventhandler.hipaa.fhir";

std::string str(const JsonPtr& j, const char* key) { return std::string(jsonString(j.get(), key).value_or("")); }

// The answer, after checking that it is no error and (for client answers) of the expected kind.
JsonPtr ok(JsonPtr answer, const std::string& what, const std::string& kind = "") {
    EXPECT_EQ(ClientTab::errorCode(answer.get()), 0) << what << ": " << jsonDump(answer.get());
    if (!kind.empty()) {
        EXPECT_EQ(str(answer, "hipaa.room"), kind) << what << ": " << jsonDump(answer.get());
    }
    return answer;
}

std::string newRoom(ContractJanus& j, const std::string& cls = "default") {
    JsonPtr r =
        ok(j.admin().messagePlugin(kRoom, J(R"({"request":"create","class":")" + cls + R"("})").get()), "create");
    return str(r, "room");
}

// A join token; a patient's names a FHIR Patient, without which the FHIR handler skips the visit.
std::string token(const std::string& room, const std::string& role) {
    static int n = 0;
    auto now = static_cast<int64_t>(std::time(nullptr));
    JsonPtr c = ContractJanus::tokens().claims(room, role, now, "contract-ok-" + std::to_string(++n));
    if (role == "patient") jsonSet(c.get(), "fhir", J(R"({"patient":"Patient/contract-ok"})"));
    return ContractJanus::tokens().sign(c.get());
}

JsonPtr offer(const std::string& sdp) {
    JsonPtr jsep = jsonObject();
    jsonSet(jsep.get(), "type", "offer");
    jsonSet(jsep.get(), "sdp", sdp);
    return jsep;
}

JsonPtr answer(const std::string& sdp) {
    JsonPtr jsep = jsonObject();
    jsonSet(jsep.get(), "type", "answer");
    jsonSet(jsep.get(), "sdp", sdp);
    return jsep;
}

// Waits for a push to `tab` whose `key` holds `value` ("" : any string; "[]": an array; "{}": an object),
// so each kind of push is received (and logged) before the test goes on.
bool pushed(ClientTab& tab, const char* key, const std::string& value = "") {
    return tab.wait([&](const json_t* d) {
        const json_t* v = json_object_get(d, key);
        if (value == "[]") return json_is_array(v);
        if (value == "{}") return json_is_object(v);
        return json_is_string(v) && (value.empty() || value == json_string_value(v));
    }) != nullptr;
}

// A joined participant: its tab, participant id and private_id.
struct Member {
    std::unique_ptr<ClientTab> tab;
    std::string id;
    int64_t privateId = 0;
};

Member joinProvider(ContractJanus& c, const std::string& room) {
    Member m{std::make_unique<ClientTab>(c.janus()), "", 0};
    JsonPtr j = ok(m.tab->requestJoin(room, token(room, "provider")), "provider join", "joined");
    m.id = str(j, "id");
    m.privateId = jsonInt(j.get(), "private_id").value_or(0);
    return m;
}

// A patient who waits, then is admitted by `provider`.
Member admitPatient(ContractJanus& c, Member& provider, const std::string& room) {
    Member m{std::make_unique<ClientTab>(c.janus()), "", 0};
    JsonPtr w = ok(m.tab->requestJoin(room, token(room, "patient")), "patient join", "waiting");
    m.id = str(w, "id");
    EXPECT_TRUE(pushed(*provider.tab, "waiting", "[]")) << "no waiting list to the provider";
    ok(provider.tab->request(R"({"request":"admit","id":")" + m.id + R"("})"), "admit", "event");
    EXPECT_TRUE(pushed(*provider.tab, "joined", "{}")) << "the provider was not told of the admission";
    JsonPtr joined =
        m.tab->waitData([](const json_t* d) { return jsonString(d, "hipaa.room").value_or("") == "joined"; });
    EXPECT_TRUE(joined) << "the admitted patient got no joined push";
    if (joined) m.privateId = jsonInt(joined.get(), "private_id").value_or(0);
    return m;
}

// Until `pred` holds for the handler's answer to `body` (the handler works asynchronously).
JsonPtr pollHandler(ContractJanus& c, const char* handler, const std::string& body,
                    const std::function<bool(const json_t*)>& pred) {
    JsonPtr r;
    for (int i = 0; i < 100; ++i) {
        r = c.admin().queryHandler(handler, J(body).get());
        if (pred(r.get())) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return r;
}

TEST(SuccessAnswers, RoomAdmin) {
    ContractJanus& c = ContractJanus::get(JanusGroup::RoomRecorder);
    auto call = [&](const std::string& body) { return ok(c.admin().messagePlugin(kRoom, J(body).get()), body); };
    EXPECT_TRUE(json_object_get(call(R"({"request":"info"})").get(), "keys"));
    call(R"({"request":"create","room":"contract-ok-admin","class":"default","description":"contract"})");
    EXPECT_EQ(str(call(R"({"request":"info","room":"contract-ok-admin"})"), "room"), "contract-ok-admin");
    EXPECT_TRUE(json_array_size(json_object_get(call(R"({"request":"list"})").get(), "rooms")) > 0);
    EXPECT_TRUE(json_object_get(call(R"({"request":"stats"})").get(), "counters"));
    EXPECT_TRUE(
        jsonBool(call(R"({"request":"revoke","jti":"contract-ok-jti","ttl":60})").get(), "revoked").value_or(false));
    EXPECT_TRUE(jsonBool(call(R"({"request":"reload_keys"})").get(), "reloaded").value_or(false));
    EXPECT_EQ(str(call(R"({"request":"destroy","room":"contract-ok-admin"})"), "destroyed"), "contract-ok-admin");
}

// The Handlers group's room has a room directory (cluster.conninfo).
TEST(SuccessAnswers, RoomDirectory) {
    ContractJanus& c = ContractJanus::get(JanusGroup::Handlers);
    std::string room = newRoom(c);
    JsonPtr d = ok(c.admin().messagePlugin(kRoom, J(R"({"request":"directory","live_only":true})").get()), "directory");
    EXPECT_NE(jsonDump(d.get()).find(room), std::string::npos) << jsonDump(d.get());
}

// The recorder of the RecorderKek group wraps for its KEK (the RoomRecorder group's for a public key
// only, which export and rewrap refuse) and has the audit handler its requests are recorded in
// (development: the admin secret alone, recorded as actor admin_secret).
TEST(SuccessAnswers, RecorderAdmin) {
    ContractJanus& c = ContractJanus::get(JanusGroup::RecorderKek);
    auto call = [&](const std::string& request, const std::string& id = "", const std::string& extra = "") {
        std::string body =
            R"({"request":")" + request + "\"" + (id.empty() ? "" : R"(,"recording":")" + id + "\"") + extra + "}";
        return ok(c.admin().messagePlugin(kRecorder, J(body).get()), body);
    };
    EXPECT_TRUE(json_object_get(call("info").get(), "key_version"));
    std::string perStream = str(call("start", "",
                                     R"(,"srtp_keys":"per_stream","srtp_suite":32,"streams":[)"
                                     R"({"kind":"audio","codec":"opus"},{"kind":"video","codec":"vp8"}])"),
                                "recording");
    std::string id = str(call("start", "", R"(,"streams":[{"kind":"audio","codec":"opus","mid":"0"}])"), "recording");
    ASSERT_EQ(id.size(), 32u);
    EXPECT_EQ(str(call("status", id), "status"), "recording");
    EXPECT_TRUE(json_array_size(json_object_get(call("list").get(), "recordings")) >= 2);
    EXPECT_EQ(str(call("stop", id), "status"), "sealed");
    call("stop", perStream);
    EXPECT_EQ(str(call("status", id), "status"), "sealed");
    call("hold", id, R"(,"reason":"case 7")");
    call("release", id, R"(,"reason":"case 7 closed")");
    EXPECT_TRUE(jsonBool(json_object_get(call("verify", id).get(), "verification"), "ok").value_or(false));
    EXPECT_TRUE(json_object_get(call("rewrap", id).get(), "key_version"));
    EXPECT_TRUE(json_object_get(call("export", id).get(), "files"));
    EXPECT_TRUE(json_object_get(call("delete", id, R"(,"reason":"request 7")").get(), "receipt"));
    EXPECT_TRUE(json_object_get(call("verify", id).get(), "verification"));  // a deleted recording's receipt
}

TEST(SuccessAnswers, AuditAdmin) {
    ContractJanus& c = ContractJanus::get(JanusGroup::Handlers);
    auto call = [&](const std::string& body) { return ok(c.admin().queryHandler(kAudit, J(body).get()), body); };
    EXPECT_EQ(str(call(R"({"request":"info"})"), "storage"), "postgresql");
    call(R"({"request":"stats"})");
    call(R"({"request":"health"})");
    // Something in the trail: the handler's own records of these queries, and the room's events.
    newRoom(c);
    call(R"({"request":"query","limit":5})");
    JsonPtr q = pollHandler(c, kAudit, R"({"request":"query","limit":2})",
                            [](const json_t* r) { return jsonInt(r, "count").value_or(0) == 2; });
    EXPECT_EQ(jsonInt(q.get(), "count").value_or(0), 2) << jsonDump(q.get());
    EXPECT_TRUE(jsonBool(call(R"({"request":"verify"})").get(), "ok").value_or(false));
    call(R"({"request":"export","limit":3})");
    call(R"({"request":"export","format":"fhir","limit":3})");
    EXPECT_FALSE(str(call(R"({"request":"pseudonym","iss":"https://idp.test","sub":"s1"})"), "pseudonym").empty());
}

// A consult from join to end on the Handlers group (its FHIR handler takes notes), every client
// request once, then the FHIR handler's Admin API on the visit it recorded.
TEST(SuccessAnswers, RoomClientConsultAndFhirAdmin) {
    ContractJanus& c = ContractJanus::get(JanusGroup::Handlers);
    std::string room = newRoom(c);
    Member dr = joinProvider(c, room);
    Member pt = admitPatient(c, dr, room);
    EXPECT_TRUE(json_array_size(json_object_get(
                    ok(dr.tab->request(R"({"request":"participants"})"), "participants", "participants").get(),
                    "participants")) == 1);

    // Media: both publish; the provider mutes itself, then the patient.
    ok(dr.tab->request(J(R"({"request":"publish","descriptions":[{"mid":"0","description":"camera"}]})").get(),
                       offer(audioOffer()).get()),
       "provider publish", "event");
    EXPECT_TRUE(pushed(*pt.tab, "publishers", "[]")) << "the patient was not told of the publication";
    ok(pt.tab->request(J(R"({"request":"publish"})").get(), offer(audioOffer()).get()), "patient publish", "event");
    ok(dr.tab->request(R"({"request":"configure","audio":false})"), "configure (mute)", "event");
    ok(dr.tab->request(R"({"request":"configure","audio":true})"), "configure (unmute)", "event");
    ok(dr.tab->request(R"({"request":"moderate","id":")" + pt.id + R"(","mute":true})"), "moderate", "event");
    EXPECT_TRUE(pushed(*pt.tab, "moderation", "muted")) << "the patient was not told of the mute";

    // The patient's subscriber handles: streams, then the legacy feed form.
    uint64_t sub = pt.tab->attach();
    JsonPtr attached =
        ok(pt.tab->requestOn(sub, J(R"({"request":"join","ptype":"subscriber","room":")" + room + R"(","private_id":)" +
                                    std::to_string(pt.privateId) + R"(,"streams":[{"feed":")" + dr.id + R"("}]})")
                                      .get()),
           "subscriber join", "attached");
    std::string mid(jsonString(json_array_get(json_object_get(attached.get(), "streams"), 0), "mid").value_or("0"));
    ok(pt.tab->requestOn(sub, J(R"({"request":"start"})").get(), answer(audioAnswer(mid)).get()), "start", "event");
    ok(pt.tab->requestOn(sub, J(R"({"request":"configure","streams":[{"mid":")" + mid + R"(","send":false}]})").get()),
       "subscriber configure", "event");
    ok(pt.tab->requestOn(sub, J(R"({"request":"pause"})").get()), "pause", "event");
    ok(pt.tab->requestOn(sub, J(R"({"request":"update","unsubscribe":[{"feed":")" + dr.id + R"("}]})").get()), "update",
       "updated");
    ok(pt.tab->requestOn(sub, J(R"({"request":"leave"})").get()), "subscriber leave", "event");
    uint64_t legacy = pt.tab->attach();
    ok(pt.tab->requestOn(legacy, J(R"({"request":"join","ptype":"subscriber","room":")" + room + R"(","private_id":)" +
                                   std::to_string(pt.privateId) + R"(,"feed":")" + dr.id + R"("})")
                                     .get()),
       "subscriber join (feed)", "attached");

    ok(dr.tab->request(R"({"request":"note","text":"Contract note: knee improving","type":"11506-3"})"), "note",
       "event");

    ok(dr.tab->request(R"({"request":"unpublish"})"), "unpublish", "event");
    EXPECT_TRUE(pushed(*pt.tab, "unpublished", dr.id)) << "the patient was not told of the unpublish";

    // Back to the waiting room, admitted again, kicked; a second patient denied; a third leaves.
    pt.tab->waitKind("waiting");  // the join answer: the next `waiting` is the push
    ok(dr.tab->request(R"({"request":"send_to_waiting","id":")" + pt.id + R"("})"), "send_to_waiting", "event");
    EXPECT_TRUE(pt.tab->waitKind("waiting")) << "no waiting push to the patient sent back";
    ok(dr.tab->request(R"({"request":"admit","id":")" + pt.id + R"("})"), "admit again", "event");
    ok(dr.tab->request(R"({"request":"kick","id":")" + pt.id + R"("})"), "kick", "event");
    EXPECT_TRUE(pushed(*dr.tab, "leaving", pt.id)) << "the provider was not told the patient left";
    EXPECT_TRUE(pt.tab->waitKind("ended")) << "the kicked patient was not told";
    ClientTab second(c.janus()), third(c.janus());
    std::string secondId = str(ok(second.requestJoin(room, token(room, "patient")), "second join", "waiting"), "id");
    ok(dr.tab->request(R"({"request":"deny","id":")" + secondId + R"("})"), "deny", "event");
    ok(third.requestJoin(room, token(room, "patient")), "third join", "waiting");
    ok(third.request(R"({"request":"leave"})"), "leave", "left");

    std::string visit =
        str(ok(c.admin().messagePlugin(kRoom, J(R"({"request":"info","room":")" + room + "\"}").get()), "room info"),
            "visit");
    ok(dr.tab->request(R"({"request":"end"})"), "end", "event");
    EXPECT_TRUE(dr.tab->waitKind("ended")) << "the provider's handle was not told the visit ended";

    // The FHIR handler recorded the visit (asynchronously): export it again, then its Admin API.
    auto fhir = [&](const std::string& body) { return ok(c.admin().queryHandler(kFhir, J(body).get()), body); };
    JsonPtr exported = pollHandler(c, kFhir, R"({"request":"export","visit_id":")" + visit + "\"}",
                                   [](const json_t* r) { return json_object_get(r, "queued") != nullptr; });
    EXPECT_TRUE(json_object_get(exported.get(), "queued")) << jsonDump(exported.get());
    fhir(R"({"request":"info"})");
    fhir(R"({"request":"status"})");
    EXPECT_TRUE(json_array_size(json_object_get(fhir(R"({"request":"pending","limit":10})").get(), "bundles")) > 0);
    fhir(R"({"request":"retry","all":true})");
}

// Recording with the patient's consent on the RoomRecorder group (its recorder takes the room's media).
TEST(SuccessAnswers, RoomClientRecording) {
    ContractJanus& c = ContractJanus::get(JanusGroup::RoomRecorder);
    std::string room = newRoom(c);
    Member dr = joinProvider(c, room);
    Member pt = admitPatient(c, dr, room);
    ok(dr.tab->request(R"({"request":"record"})"), "record", "event");
    EXPECT_TRUE(pushed(*pt.tab, "consent_request", "record")) << "no consent request to the patient";
    ok(pt.tab->request(R"({"request":"consent","consent":true})"), "consent", "event");
    EXPECT_TRUE(pushed(*dr.tab, "recording", "started")) << "the recording did not start";
    ok(dr.tab->request(R"({"request":"stop_record"})"), "stop_record", "event");
    EXPECT_TRUE(pushed(*pt.tab, "recording", "stopped")) << "no recording stopped push";
}

}  // namespace

// SPDX-License-Identifier: GPL-3.0-or-later
// janus.plugin.hipaa.room: one real-Janus scenario per documented code (tokens, room state, recording,
// media). Each scenario creates its own room, so they are independent of order and of each other.
#include <ctime>
#include <fstream>

#include "ClientTab.hpp"
#include "ContractJanus.hpp"
#include "Scenario.hpp"
#include "SdpOffer.hpp"
#include "hipaa/Encoding.hpp"

namespace hipaa::test {
namespace {

constexpr const char* kRoom = "janus.plugin.hipaa.room";

ContractJanus& A() { return ContractJanus::get(JanusGroup::RoomRecorder); }
int64_t now() { return static_cast<int64_t>(std::time(nullptr)); }

std::string newRoom(ContractJanus& j, const std::string& cls = "default") {
    JsonPtr r = j.admin().messagePlugin(kRoom, J(R"({"request":"create","class":")" + cls + R"("})").get());
    std::string id(jsonString(r.get(), "room").value_or(""));
    if (id.empty()) throw std::runtime_error("create failed: " + jsonDump(r.get()));
    return id;
}

JsonPtr claims(const std::string& room, const std::string& role, const std::string& sub = "") {
    static int n = 0;
    return ContractJanus::tokens().claims(room, role, now(), sub.empty() ? "contract-" + std::to_string(++n) : sub);
}
std::string sign(const JsonPtr& c) { return ContractJanus::tokens().sign(c.get()); }
std::string token(const std::string& room, const std::string& role, const std::string& sub = "") {
    return sign(claims(room, role, sub));
}
std::string b64(const std::string& s) { return base64urlEncode(asBytes(s)); }

int code(const JsonPtr& answer) { return ClientTab::errorCode(answer.get()); }

// A provider joined to `room` (the answer must be `joined`).
std::string joinProvider(ClientTab& tab, const std::string& room) {
    JsonPtr a = tab.requestJoin(room, token(room, "provider"));
    if (jsonString(a.get(), "hipaa.room").value_or("") != "joined")
        throw std::runtime_error("provider join: " + jsonDump(a.get()));
    return std::string(jsonString(a.get(), "id").value_or(""));
}

// A patient in `room`, admitted by `provider`.
void admitPatient(ClientTab& provider, ClientTab& patient, const std::string& room) {
    JsonPtr w = patient.requestJoin(room, token(room, "patient"));
    std::string id(jsonString(w.get(), "id").value_or(""));
    if (jsonString(w.get(), "hipaa.room").value_or("") != "waiting")
        throw std::runtime_error("patient join: " + jsonDump(w.get()));
    JsonPtr a = provider.request(R"({"request":"admit","id":")" + id + R"("})");
    if (code(a)) throw std::runtime_error("admit: " + jsonDump(a.get()));
    if (!patient.waitData([](const json_t* d) { return jsonString(d, "hipaa.room").value_or("") == "joined"; }))
        throw std::runtime_error("the patient was not admitted");
}

// A token join of `room` with the claims changed by `edit`.
int joinWith(const std::string& room, const std::function<void(json_t*)>& edit) {
    JsonPtr c = claims(room, "patient");
    edit(c.get());
    ClientTab tab(A().janus());
    return code(tab.requestJoin(room, sign(c)));
}

int publishWith(ClientTab& tab, const std::string& sdp, bool e2ee = false) {
    JsonPtr jsep = jsonObject();
    jsonSet(jsep.get(), "type", "offer");
    jsonSet(jsep.get(), "sdp", sdp);
    if (e2ee) jsonSet(jsep.get(), "e2ee", true);
    return code(tab.request(J(R"({"request":"publish"})").get(), jsep.get()));
}

// The Handlers group, with the room `contract-elsewhere` live on another instance: the rows that
// instance would have written (its heartbeat a day ahead, so it never counts as dead).
ContractJanus& hostedElsewhere() {
    ContractJanus& c = ContractJanus::get(JanusGroup::Handlers);
    PgConn db = c.database()->connect();
    db.exec(
        "INSERT INTO room_instance (instance_id, public_url, last_heartbeat) VALUES ('contract-other', "
        "'https://other.example/janus', now() + interval '1 day') ON CONFLICT DO NOTHING");
    db.exec(
        "INSERT INTO room_directory (room_id, instance_id, public_url, class) VALUES ('contract-elsewhere', "
        "'contract-other', 'https://other.example/janus', 'default') ON CONFLICT DO NOTHING");
    return c;
}

}  // namespace

void addRoomScenarios(std::vector<Scenario>& out) {
    auto add = [&](int c, std::string what, std::function<int()> run) {
        out.push_back({kRoom, c, std::move(what), std::move(run)});
    };

    // ---- join token ----
    add(401, "a token that is not three base64url parts", [] {
        ClientTab tab(A().janus());
        return code(tab.requestJoin(newRoom(A()), "not-a-token"));
    });
    add(402, "a token over tokens.max_size", [] {
        ClientTab tab(A().janus());
        return code(tab.requestJoin(newRoom(A()), std::string(9000, 'a')));
    });
    add(403, "alg none", [] {
        std::string room = newRoom(A());
        ClientTab tab(A().janus());
        return code(tab.requestJoin(
            room, b64(R"({"alg":"none"})") + "." + b64(jsonDump(claims(room, "patient").get())) + "." + b64("x")));
    });
    add(404, "a kid no key has", [] {
        std::string room = newRoom(A());
        ClientTab tab(A().janus());
        return code(tab.requestJoin(
            room, ContractJanus::tokens().signRaw(R"({"alg":"ES256","kid":"nope"})",
                                                  jsonDump(claims(room, "patient").get()), "ES256", "es")));
    });
    add(405, "a signature that does not verify", [] {
        std::string room = newRoom(A());
        std::string t = token(room, "patient");
        size_t mid = t.rfind('.') + 10;
        t[mid] = t[mid] == 'A' ? 'B' : 'A';
        ClientTab tab(A().janus());
        return code(tab.requestJoin(room, t));
    });
    add(406, "an issuer not in tokens.issuers", [] {
        std::string room = newRoom(A());
        return joinWith(room, [](json_t* c) { jsonSet(c, "iss", "https://idp.evil"); });
    });
    add(407, "another audience", [] {
        std::string room = newRoom(A());
        return joinWith(room, [](json_t* c) { jsonSet(c, "aud", "another-service"); });
    });
    add(408, "expired", [] {
        std::string room = newRoom(A());
        return joinWith(room, [](json_t* c) {
            jsonSet(c, "iat", now() - 700);
            jsonSet(c, "nbf", now() - 700);
            jsonSet(c, "exp", now() - 100);
        });
    });
    add(409, "nbf in the future", [] {
        std::string room = newRoom(A());
        return joinWith(room, [](json_t* c) { jsonSet(c, "nbf", now() + 600); });
    });
    add(410, "longer-lived than tokens.max_lifetime", [] {
        std::string room = newRoom(A());
        return joinWith(room, [](json_t* c) {
            jsonSet(c, "iat", now() - 4000);
            jsonSet(c, "nbf", now() - 4000);
            jsonSet(c, "exp", now() + 100);
        });
    });
    add(411, "a token for another room", [] {
        std::string room = newRoom(A()), other = newRoom(A());
        return joinWith(room, [&](json_t* c) { jsonSet(c, "room", other); });
    });
    add(412, "an unknown role", [] {
        std::string room = newRoom(A());
        return joinWith(room, [](json_t* c) { jsonSet(c, "role", "janitor"); });
    });
    add(413, "a token used twice", [] {
        std::string room = newRoom(A());
        std::string t = token(room, "provider");
        ClientTab first(A().janus()), second(A().janus());
        if (code(first.requestJoin(room, t))) throw std::runtime_error("first use refused");
        return code(second.requestJoin(room, t));
    });
    add(414, "a revoked subject", [] {
        std::string room = newRoom(A());
        A().admin().messagePlugin(kRoom, J(R"({"request":"revoke","sub":"contract-revoked","ttl":600})").get());
        ClientTab tab(A().janus());
        return code(tab.requestJoin(room, token(room, "patient", "contract-revoked")));
    });
    add(415, "a provider without MFA", [] {
        std::string room = newRoom(A());
        JsonPtr c = claims(room, "provider");
        json_object_set_new(c.get(), "amr", json_pack("[s]", "pwd"));
        ClientTab tab(A().janus());
        return code(tab.requestJoin(room, sign(c)));
    });
    add(416, "a dob_check room, a patient token with no date of birth", [] {
        std::string room = newRoom(A(), "checkin");
        ClientTab tab(A().janus());
        return code(tab.requestJoin(room, token(room, "patient"), "1980-02-29"));
    });
    add(417, "lockout.failures wrong dates of birth for one subject in one room", [] {
        std::string room = newRoom(A(), "checkin");
        std::string sub = "contract-locked";
        for (int i = 0; i < 100; ++i) {  // 416 until the subject's lockout starts, then 417
            ClientTab tab(A().janus());
            int c = code(tab.requestJoin(room, token(room, "patient", sub), "1980-02-29"));
            if (c != 416) return c;
        }
        throw std::runtime_error("100 wrong dates of birth never locked the subject out");
    });
    add(418, "no room claim", [] {
        std::string room = newRoom(A());
        return joinWith(room, [](json_t* c) { json_object_del(c, "room"); });
    });

    add(419, "a patient token with the obsolete dob_sha256 claim", [] {
        std::string room = newRoom(A(), "checkin");
        return joinWith(
            room, [](json_t* c) { json_object_set_new(c, "dob_sha256", json_string(std::string(64, 'a').c_str())); });
    });
    add(420, "a patient token carrying a name", [] {
        std::string room = newRoom(A());
        return joinWith(room, [](json_t* c) { json_object_set_new(c, "name", json_string("Contract Patient")); });
    });
    add(421, "lockout.session_failures unverified tokens from one Janus session", [] {
        std::string room = newRoom(A());
        ClientTab tab(A().janus());
        for (int i = 0; i < 100; ++i) {  // 401 until the session's lockout starts, then 421
            int c = code(tab.requestJoin(room, "not.a.token"));
            if (c != 401) return c;
        }
        throw std::runtime_error("100 malformed tokens never rate-limited the session");
    });

    // ---- room ----
    add(430, "join of an unknown room", [] {
        ClientTab tab(A().janus());
        return code(tab.requestJoin("contract-no-such-room", token("contract-no-such-room", "patient")));
    });
    add(431, "join after the visit ended", [] {
        std::string room = newRoom(A());
        ClientTab dr(A().janus()), late(A().janus());
        joinProvider(dr, room);
        if (int c = dr.code(R"({"request":"end"})")) throw std::runtime_error("end refused: " + std::to_string(c));
        return code(late.requestJoin(room, token(room, "patient")));
    });
    add(432, "leave without a join", [] {
        ClientTab tab(A().janus());
        return tab.code(R"({"request":"leave"})");
    });
    add(433, "a second join on the same handle", [] {
        std::string room = newRoom(A());
        ClientTab dr(A().janus());
        joinProvider(dr, room);
        return code(dr.requestJoin(room, token(room, "provider")));
    });
    add(434, "a waiting patient kicks", [] {
        std::string room = newRoom(A());
        ClientTab pt(A().janus());
        JsonPtr w = pt.requestJoin(room, token(room, "patient"));
        return pt.code(R"({"request":"kick","id":")" + std::string(jsonString(w.get(), "id").value_or("")) + R"("})");
    });
    add(435, "admit of nobody", [] {
        std::string room = newRoom(A());
        ClientTab dr(A().janus());
        joinProvider(dr, room);
        return dr.code(R"({"request":"admit","id":"p_nobody"})");
    });
    add(436, "a provider kicks themself", [] {
        std::string room = newRoom(A());
        ClientTab dr(A().janus());
        std::string me = joinProvider(dr, room);
        return dr.code(R"({"request":"kick","id":")" + me + R"("})");
    });
    add(437, "a note while no FHIR handler takes notes", [] {
        std::string room = newRoom(A());
        ClientTab dr(A().janus());
        joinProvider(dr, room);
        return dr.code(R"({"request":"note","text":"Knee improving"})");
    });
    add(438, "create with an id in use", [] {
        std::string room = newRoom(A());
        JsonPtr r = A().admin().messagePlugin(kRoom, J(R"({"request":"create","room":")" + room + R"("})").get());
        return ClientTab::errorCode(r.get());
    });
    add(440, "reload_keys while a key file is broken", [] {
        std::string path = A().reloadablePemPath();
        std::string good = readFile(path);
        { std::ofstream(path, std::ios::trunc) << "not a PEM file\n"; }
        JsonPtr r = A().admin().messagePlugin(kRoom, J(R"({"request":"reload_keys"})").get());
        { std::ofstream(path, std::ios::trunc) << good; }
        return ClientTab::errorCode(r.get());
    });
    add(441, "a join while the audit handler is not loaded", [] {
        ContractJanus& c = ContractJanus::get(JanusGroup::NoAudit);
        std::string room = newRoom(c);
        ClientTab tab(c.janus());
        return code(tab.requestJoin(room, token(room, "provider")));
    });

    // ---- several instances (the Handlers group's room has a room directory) ----
    add(468, "a join for a room not hosted here while the room directory refuses", [] {
        ContractJanus& c = ContractJanus::get(JanusGroup::Handlers);
        PgConn db = c.database()->connect();
        db.exec("REVOKE SELECT ON room_directory FROM janus_room_state");
        int got = 0;
        try {
            ClientTab tab(c.janus());
            got = code(tab.requestJoin("contract-not-here", token("contract-not-here", "provider")));
        } catch (...) {
            db.exec("GRANT SELECT ON room_directory TO janus_room_state");
            throw;
        }
        db.exec("GRANT SELECT ON room_directory TO janus_room_state");
        return got;
    });
    add(468, "create while the room directory refuses", [] {
        ContractJanus& c = ContractJanus::get(JanusGroup::Handlers);
        PgConn db = c.database()->connect();
        db.exec("REVOKE INSERT ON room_directory FROM janus_room_state");
        int got = 0;
        try {
            got =
                code(c.admin().messagePlugin(kRoom, J(R"({"request":"create","room":"contract-no-directory"})").get()));
        } catch (...) {
            db.exec("GRANT INSERT ON room_directory TO janus_room_state");
            throw;
        }
        db.exec("GRANT INSERT ON room_directory TO janus_room_state");
        return got;
    });
    add(469, "a join for a room another instance hosts", [] {
        ContractJanus& c = hostedElsewhere();
        ClientTab tab(c.janus());
        return code(tab.requestJoin("contract-elsewhere", token("contract-elsewhere", "provider")));
    });
    add(471, "create of a room another instance hosts", [] {
        ContractJanus& c = hostedElsewhere();
        return code(c.admin().messagePlugin(kRoom, J(R"({"request":"create","room":"contract-elsewhere"})").get()));
    });
    add(472, "directory without cluster.conninfo",
        [] { return code(A().admin().messagePlugin(kRoom, J(R"({"request":"directory"})").get())); });

    // ---- recording ----
    add(450, "record in an e2ee room", [] {
        std::string room = newRoom(A(), "contract-e2ee");
        ClientTab dr(A().janus());
        joinProvider(dr, room);
        return dr.code(R"({"request":"record"})");
    });
    add(451, "record while consent is pending", [] {
        std::string room = newRoom(A());
        ClientTab dr(A().janus()), pt(A().janus());
        joinProvider(dr, room);
        admitPatient(dr, pt, room);
        if (int c = dr.code(R"({"request":"record"})"))
            throw std::runtime_error("record refused: " + std::to_string(c));
        int c = dr.code(R"({"request":"record"})");
        dr.code(R"({"request":"stop_record"})");
        return c;
    });
    add(452, "record with no patient to consent", [] {
        std::string room = newRoom(A());
        ClientTab dr(A().janus());
        joinProvider(dr, room);
        return dr.code(R"({"request":"record"})");
    });
    add(453, "consent while nothing asks", [] {
        std::string room = newRoom(A());
        ClientTab dr(A().janus()), pt(A().janus());
        joinProvider(dr, room);
        admitPatient(dr, pt, room);
        return pt.code(R"({"request":"consent","consent":true})");
    });
    add(454, "record while the recorder is not loaded", [] {
        ContractJanus& c = ContractJanus::get(JanusGroup::Handlers);
        std::string room = newRoom(c, "contract-noconsent");
        ClientTab dr(c.janus());
        joinProvider(dr, room);
        return dr.code(R"({"request":"record"})");
    });
    add(455, "stop_record with nothing recording", [] {
        std::string room = newRoom(A());
        ClientTab dr(A().janus());
        joinProvider(dr, room);
        return dr.code(R"({"request":"stop_record"})");
    });

    // ---- media ----
    add(460, "publish without a JSEP offer", [] {
        std::string room = newRoom(A());
        ClientTab dr(A().janus());
        joinProvider(dr, room);
        return dr.code(R"({"request":"publish"})");
    });
    add(461, "subscribe to a feed nobody publishes", [] {
        std::string room = newRoom(A());
        ClientTab dr(A().janus());  // the subscriber handle belongs to the provider's Janus session
        JsonPtr joined = dr.requestJoin(room, token(room, "provider"));
        int64_t pid = jsonInt(joined.get(), "private_id").value_or(0);
        return code(dr.requestOn(dr.attach(),
                                 J(R"({"request":"join","ptype":"subscriber","room":")" + room + R"(","private_id":)" +
                                   std::to_string(pid) + R"(,"streams":[{"feed":"p_nobody"}]})")
                                     .get()));
    });
    add(462, "unpublish without a publication", [] {
        std::string room = newRoom(A());
        ClientTab dr(A().janus());
        joinProvider(dr, room);
        return dr.code(R"({"request":"unpublish"})");
    });
    add(463, "an e2ee offer in a plain room", [] {
        std::string room = newRoom(A());
        ClientTab dr(A().janus());
        joinProvider(dr, room);
        return publishWith(dr, audioOffer(), true);
    });
    add(464, "a subscriber join with a private_id nobody has", [] {
        std::string room = newRoom(A());
        ClientTab dr(A().janus()), sub(A().janus());
        JsonPtr joined = dr.requestJoin(room, token(room, "provider"));
        int64_t pid = jsonInt(joined.get(), "private_id").value_or(0);
        return sub.code(R"({"request":"join","ptype":"subscriber","room":")" + room + R"(","private_id":)" +
                        std::to_string(pid == 1 ? 2 : 1) + R"(,"feed":"p_nobody"})");
    });
    add(465, "an offer with no codec the room accepts", [] {
        std::string room = newRoom(A());
        ClientTab dr(A().janus());
        joinProvider(dr, room);
        return publishWith(dr, audioOffer("0 PCMU/8000"));
    });
    add(466, "a subscriber request on a publisher handle", [] {
        std::string room = newRoom(A());
        ClientTab dr(A().janus());
        joinProvider(dr, room);
        return dr.code(R"({"request":"start"})");
    });
    add(467, "a second publisher in a class with publishers = 1", [] {
        std::string room = newRoom(A(), "contract-one");
        ClientTab dr(A().janus()), in(A().janus());
        joinProvider(dr, room);
        if (int c = publishWith(dr, audioOffer()))
            throw std::runtime_error("first publish refused: " + std::to_string(c));
        JsonPtr j = in.requestJoin(room, token(room, "interpreter"));
        if (jsonString(j.get(), "hipaa.room").value_or("") != "joined")
            throw std::runtime_error("interpreter: " + jsonDump(j.get()));
        return publishWith(in, audioOffer());
    });
}

}  // namespace hipaa::test

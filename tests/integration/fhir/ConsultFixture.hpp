// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A real consult through the real Debian Janus with janus.plugin.hipaa.room AND
// janus.eventhandler.hipaa.fhir loaded: a provider and a patient join a room over the Janus HTTP API
// with join tokens minted by scripts/mint-token (the `fhir` claim carries the references), the
// provider admits the patient, writes a note and ends the visit. The room publishes NoteSubmitted and
// VisitEnded on the in-process VisitBus; the FHIR handler in the same process seals them into the
// PostgreSQL outbox and sends them to the FHIR test server (HTTPS, test CA, SMART ES384).
#include "ClientTab.hpp"
#include "FhirTestServer.hpp"
#include "JanusClient.hpp"
#include "JanusProcess.hpp"
#include "Shell.hpp"
#include "TestDatabase.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <thread>

namespace hipaa::fhir::test {

inline constexpr const char* kRoomPlugin = "janus.plugin.hipaa.room";
inline constexpr const char* kFhirHandler = "janus.eventhandler.hipaa.fhir";
inline constexpr const char* kConsultSystem = "urn:janus-hipaa-consult";

inline const json_t* pluginData(const json_t* ev) { return json_object_get(json_object_get(ev, "plugindata"), "data"); }

class FhirConsult : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_EQ(server.put("Patient/pat-1", R"({"resourceType":"Patient","id":"pat-1"})").status, 200);
        ASSERT_EQ(server.put("Practitioner/doc-1", R"({"resourceType":"Practitioner","id":"doc-1"})").status, 200);
        writeFhirConfig("ca.pem");
    }
    void TearDown() override {
        if (!janus.running()) return;
        std::string log = janus.log();
        EXPECT_EQ(janus.stop(), 0);
        // PHI never reaches Janus' log: not the note, not the FHIR references, not the token.
        for (const char* phi : {noteText, "Patient/pat-1", "Practitioner/doc-1", "eyJ"})
            EXPECT_EQ(log.find(phi), std::string::npos) << phi;
    }

    void writeFhirConfig(const std::string& ca) {
        janus.writeConfig(std::string(kFhirHandler) + ".jcfg",
                          server.handlerConfig(db.loginConninfo("janus_fhir_writer"),
                                               janus.configFile("keys/fhir-outbox.key"), kConsultSystem, ca));
    }

    JsonPtr fhir(const std::string& request) {
        hipaa::test::JanusClient c(janus);
        return c.queryHandler(kFhirHandler, hipaa::test::J(request).get());
    }
    int64_t status(const char* key) { return jsonInt(fhir(R"({"request":"status"})").get(), key).value_or(-1); }
    bool waitFor(const std::function<bool()>& pred, int seconds = 30) {
        for (int i = 0; i < seconds * 10; ++i) {
            if (pred()) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return pred();
    }

    std::string mint(const std::string& room, const std::string& role, const std::string& sub,
                     const std::string& fhirArgs) {
        std::string t =
            hipaa::test::Shell::output(std::string("python3 ") + HIPAA_SOURCE_DIR + "/scripts/mint-token --key '" +
                                       janus.configFile("keys/dev-es256.pem") + "' --room " + room + " --role " + role +
                                       " --sub " + sub + " " + fhirArgs);
        EXPECT_EQ(std::count(t.begin(), t.end(), '.'), 2) << t;
        return t;
    }

    std::string createRoom() {
        hipaa::test::JanusClient admin(janus);
        JsonPtr r = admin.messagePlugin(kRoomPlugin, hipaa::test::J(R"({"request":"create"})").get());
        std::string id(jsonString(r.get(), "room").value_or(""));
        EXPECT_FALSE(id.empty()) << jsonDump(r.get());
        return id;
    }

    struct Consult {
        std::string room, note;  // room id, note id the room answered with
    };
    // A whole consult: provider joins, patient waits and is admitted, the provider writes a note
    // (held by the FHIR handler until the visit ends) and ends the visit.
    Consult consult(const std::string& patient = "Patient/pat-1") {
        std::string room = createRoom();
        Consult c{room, ""};
        hipaa::test::ClientTab dr(janus), pt(janus);
        dr.join(room, mint(room, "provider", "dr-1", "--fhir-practitioner Practitioner/doc-1"));
        EXPECT_TRUE(dr.waitKind("joined"));
        pt.join(room, mint(room, "patient", "pt-1", "--fhir-patient " + patient));
        JsonPtr waiting = pt.waitKind("waiting");
        EXPECT_TRUE(waiting);
        if (!waiting) return c;
        std::string id(jsonString(pluginData(waiting.get()), "id").value_or(""));
        dr.send(R"({"request":"admit","id":")" + id + R"("})");
        EXPECT_TRUE(pt.waitKind("joined"));
        int64_t held = status("held_notes");
        JsonPtr note = jsonObject();
        jsonSet(note.get(), "request", "note");
        jsonSet(note.get(), "text", noteText);
        dr.send(note.get());
        JsonPtr accepted = dr.wait([](const json_t* d) {
            return jsonString(d, "result").value_or("") == "note_submitted" || json_object_get(d, "error_code");
        });
        EXPECT_TRUE(accepted);
        if (accepted) {
            EXPECT_EQ(jsonString(pluginData(accepted.get()), "result").value_or(""), "note_submitted")
                << jsonDump(accepted.get());
            c.note = jsonString(pluginData(accepted.get()), "note").value_or("");
        }
        // The room publishes notes and visit ends on separate bus queues: a note written during the
        // visit is held before the visit ends (as it is in real life, minutes earlier).
        EXPECT_TRUE(waitFor([&] { return status("held_notes") == held + 1; }, 10));
        dr.send(R"({"request":"end"})");
        EXPECT_TRUE(dr.waitKind("ended"));
        EXPECT_TRUE(pt.waitKind("ended"));
        return c;
    }

    // Visit ids of the bundles in one outbox state, from the Admin API.
    std::vector<std::string> visits(const std::string& state) {
        JsonPtr p = fhir(R"({"request":"pending","state":")" + state + R"("})");
        std::vector<std::string> out;
        size_t i;
        json_t* b;
        json_array_foreach(json_object_get(p.get(), "bundles"), i, b)
            out.emplace_back(jsonString(b, "visit_id").value_or(""));
        return out;
    }

    std::string byIdentifier(const char* type, const char* kind, const std::string& value) {
        return std::string(type) + "?identifier=" + urlEncode(std::string(kConsultSystem) + "/" + kind + "|" + value);
    }

    static constexpr const char* noteText = "Consult note: knee improving, continue physio. UNIQUE-7731";
    hipaa::test::TestDatabase db;
    FhirTestServer server;
    hipaa::test::JanusProcess janus;
};

}  // namespace hipaa::fhir::test

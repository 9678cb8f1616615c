// SPDX-License-Identifier: GPL-3.0-or-later
// The recorder's Admin API behind actor tokens, without Janus: each role's access narrowed to the
// recording (Own: a participant of its visit; OwnSealed: and sealed; Metadata: no visit, room or
// participants; Any), every decision in the audit trail (a stand-in) before anything is read.
#include "AuditTrailSpy.hpp"
#include "FreePort.hpp"
#include "NullHost.hpp"
#include "RecorderErrors.hpp"
#include "RecorderPlugin.hpp"
#include "TempDir.hpp"
#include "TokenFactory.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/JcfgParser.hpp"
#include "hipaa/Pseudonymizer.hpp"
#include "hipaa/SecureRandom.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

using namespace hipaa;
using namespace hipaa::recorder;
using namespace hipaa::test;
using hipaa::room::test::TokenFactory;

namespace {

constexpr const char* kAudience = "janus-hipaa-admin";

std::string textAt(const json_t* j, const char* k) { return std::string(jsonString(j, k).value_or("")); }

int64_t nowS() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

class RecorderAccess : public ::testing::Test {
protected:
    TempDir dir;
    AuditTrailSpy trail;
    NullHost host;
    TokenFactory factory;
    std::string pseudonymKey = hexEncode(secureRandomBytes(32));
    Pseudonymizer pseudonyms{*hexDecode(pseudonymKey)};
    std::unique_ptr<RecorderPlugin> plugin;
    // Two visits: provider "dr-a" with patient "pat-a" (sealed), "dr-b" with "pat-b" (still recording);
    // and one recording made without a context.
    std::string visitA, visitB, legacy;

    void SetUp() override {
        dir.write("keyring", "1 kek " + hexEncode(secureRandomBytes(32)) + "\n", 0600);
        dir.write("sign.key", hexEncode(secureRandomBytes(32)) + "\n", 0600);
        dir.write("pseudonym.key", pseudonymKey + "\n", 0600);
        dir.write("actors.pem", factory.publicPem("es"), 0600);
        int port = std::min(freeLoopbackPort(), 60000);
        std::string file = dir.write(
            "recorder.jcfg",
            "general: {\n\tdevelopment = false\n\tpseudonym_key_file = \"" + dir.file("pseudonym.key") +
                "\"\n\trecordings_dir = \"" + dir.file("rec") + "\"\n\texport_dir = \"" + dir.file("exp") +
                "\"\n\tkeyring = \"" + dir.file("keyring") + "\"\n\tsigning_key = \"" + dir.file("sign.key") +
                "\"\n\trtp_port_min = " + std::to_string(port) + "\n\trtp_port_max = " + std::to_string(port + 4) +
                "\n\tsweep_seconds = 3600\n}\n" + "actors: {\n\tissuers = \"" + TokenFactory::kIssuer +
                "\"\n\taudience = \"" + kAudience + "\"\n\tpem_files = \"es=" + dir.file("actors.pem") + "\"\n}\n",
            0600);
        plugin = std::make_unique<RecorderPlugin>(Config(JcfgParser::parseFile(file), file), Logger(), host);
        visitA = record({"v_a", "room-a", {person("dr-a")}, {person("pat-a")}}, true);
        visitB = record({"v_b", "room-b", {person("dr-b")}, {person("pat-b")}}, false);
        legacy = textAt(admin(R"({"request":"start","streams":[{"kind":"audio","codec":"opus"}]})").get(), "recording");
        admin(R"({"request":"stop","recording":")" + legacy + "\"}");
        trail.clear();
    }
    std::string person(const std::string& sub) const { return pseudonyms.participant(TokenFactory::kIssuer, sub); }
    std::string record(const RecordingContext& context, bool seal) {
        RecordingSink& sink = *plugin;
        std::string id = sink.start({{false, "opus", "0"}}, "", context);
        Bytes rtp(40, 0);
        rtp[0] = 0x80;
        rtp[1] = 111;
        EXPECT_EQ(sink.write(id, 0, rtp.data(), rtp.size()), RecordingSink::Write::Recorded);
        if (seal) sink.stop(id);
        return id;
    }
    std::string token(const std::string& role, const std::string& sub) const {
        JsonPtr c = factory.claims("unused", role, nowS(), sub, 120);
        json_object_del(c.get(), "room");
        jsonSet(c.get(), "aud", kAudience);
        jsonSet(c.get(), "amr", jsonParse(R"(["pwd","otp"])"));
        return factory.sign(c.get());
    }
    JsonPtr admin(const std::string& text) { return plugin->handleAdmin(jsonParse(text).get()); }
    // `request` on `id` as `role` `sub` (a fresh token each time): the answer, or the error code.
    JsonPtr ask(const std::string& request, const std::string& id, const std::string& role, const std::string& sub,
                const std::string& extra = "") {
        JsonPtr r = jsonParse(R"({"request":")" + request + "\"" + extra + "}");
        if (!id.empty()) jsonSet(r.get(), "recording", id);
        jsonSet(r.get(), "actor_token", token(role, sub));
        return plugin->handleAdmin(r.get());
    }
    int refusal(const std::string& request, const std::string& id, const std::string& role, const std::string& sub,
                const std::string& extra = "") {
        try {
            ask(request, id, role, sub, extra);
        } catch (const Error& e) {
            return e.code();
        }
        return 0;
    }
    std::vector<std::string> listed(const std::string& role, const std::string& sub) {
        std::vector<std::string> ids;
        JsonPtr l = ask("list", "", role, sub);
        size_t i;
        json_t* e;
        json_array_foreach(json_object_get(l.get(), "recordings"), i, e) ids.push_back(textAt(e, "recording"));
        std::sort(ids.begin(), ids.end());
        return ids;
    }
    std::vector<std::string> sorted(std::vector<std::string> v) const {
        std::sort(v.begin(), v.end());
        return v;
    }
};

}  // namespace

TEST_F(RecorderAccess, ProvidersSeeTheirOwnVisitsPatientsTheirOwnSealedOnes) {
    // Own: the provider of visit A, whatever its state; not visit B's, not the one without a context.
    JsonPtr st = ask("status", visitA, "provider", "dr-a");
    EXPECT_EQ(textAt(st.get(), "visit"), "v_a");
    EXPECT_EQ(refusal("status", visitB, "provider", "dr-a"), hipaa::errc::kActorForbidden);
    EXPECT_EQ(refusal("status", legacy, "provider", "dr-a"), hipaa::errc::kActorForbidden) << "no context: Any only";
    EXPECT_EQ(refusal("status", visitB, "provider", "dr-b"), 0) << "Own needs no seal";
    EXPECT_EQ(listed("provider", "dr-a"), std::vector<std::string>{visitA});
    // OwnSealed: the patient of B only once it is sealed.
    EXPECT_EQ(refusal("status", visitB, "patient", "pat-b"), hipaa::errc::kActorForbidden);
    EXPECT_TRUE(listed("patient", "pat-b").empty());
    plugin->stop(visitB);
    EXPECT_EQ(refusal("status", visitB, "patient", "pat-b"), 0);
    EXPECT_EQ(listed("patient", "pat-b"), std::vector<std::string>{visitB});
    // A patient is a participant as patient, never as provider.
    EXPECT_EQ(refusal("verify", visitA, "patient", "pat-a"), hipaa::errc::kActorForbidden)
        << "verify: None for patients";
    EXPECT_EQ(refusal("status", visitA, "provider", "pat-a"), hipaa::errc::kActorForbidden);
}

TEST_F(RecorderAccess, APatientCannotExportAnotherPatientsRecording) {
    EXPECT_EQ(refusal("export", visitA, "patient", "pat-b"), hipaa::errc::kActorForbidden);
    EXPECT_TRUE(std::filesystem::is_empty(dir.file("exp"))) << "nothing was decrypted";
    std::vector<AccessRecord> r = trail.records();
    ASSERT_EQ(r.size(), 1u);
    EXPECT_FALSE(r[0].allowed);
    EXPECT_EQ(r[0].reason, "not_a_participant");
    EXPECT_EQ(r[0].actor, person("pat-b"));
    EXPECT_EQ(r[0].action, "recording.export");
    EXPECT_EQ(textAt(r[0].object.get(), "recording"), visitA);
    // Her own sealed recording she may export.
    JsonPtr x = ask("export", visitA, "patient", "pat-a");
    EXPECT_EQ(json_array_size(json_object_get(x.get(), "files")), 1u);
    r = trail.records();
    ASSERT_EQ(r.size(), 2u);
    EXPECT_TRUE(r[1].allowed);
    EXPECT_EQ(textAt(r[1].object.get(), "visit"), "v_a");
}

TEST_F(RecorderAccess, MetadataRolesSeeEveryRecordingButNotWhoTookPart) {
    for (const char* role : {"support", "admin_staff"}) {
        EXPECT_EQ(listed(role, "staff-1"), sorted({visitA, visitB, legacy})) << role;
        JsonPtr l = ask("list", "", role, "staff-1");
        JsonPtr st = ask("status", visitA, role, "staff-1");
        std::string text = jsonDump(l.get()) + jsonDump(st.get());
        for (const char* hidden : {"\"visit\"", "\"room\"", "\"participants\"", "ps1_"})
            EXPECT_EQ(text.find(hidden), std::string::npos) << role << " saw " << hidden << ": " << text;
        EXPECT_EQ(textAt(st.get(), "status"), "sealed");
        EXPECT_EQ(refusal("export", visitA, role, "staff-1"), hipaa::errc::kActorForbidden);
    }
    // Any: everything, whole.
    EXPECT_EQ(listed("records_officer", "ro-1"), sorted({visitA, visitB, legacy}));
    JsonPtr st = ask("status", visitA, "compliance_officer", "co-1");
    EXPECT_EQ(json_array_size(json_object_get(json_object_get(st.get(), "participants"), "patients")), 1u);
    EXPECT_EQ(refusal("verify", legacy, "compliance_officer", "co-1"), 0);
    EXPECT_EQ(refusal("export", visitA, "compliance_officer", "co-1"), hipaa::errc::kActorForbidden) << "no media";
}

TEST_F(RecorderAccess, OnlyRecordsOfficersChangeRetentionKeysOrHolds) {
    for (const char* role : {"provider", "patient", "admin_staff", "compliance_officer", "support"})
        for (const char* request : {"hold", "release", "delete", "rewrap"})
            EXPECT_EQ(refusal(request, visitA, role, "dr-a", R"(,"reason":"r")"), hipaa::errc::kActorForbidden)
                << role << " " << request;
    EXPECT_EQ(refusal("hold", visitA, "records_officer", "ro-1", R"(,"reason":"litigation")"), 0);
    EXPECT_EQ(refusal("release", visitA, "records_officer", "ro-1", R"(,"reason":"settled")"), 0);
    EXPECT_EQ(refusal("rewrap", visitA, "records_officer", "ro-1"), 0);
    EXPECT_EQ(refusal("delete", visitA, "records_officer", "ro-1", R"(,"reason":"request")"), 0);
}

TEST_F(RecorderAccess, EveryDecisionIsRecordedBeforeAnythingIsRead) {
    EXPECT_EQ(refusal("status", visitA, "provider", "dr-a"), 0);
    EXPECT_EQ(refusal("status", visitA, "provider", "dr-b"), hipaa::errc::kActorForbidden);
    std::vector<AccessRecord> r = trail.records();
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0].plugin, "janus.plugin.hipaa.recorder");
    EXPECT_TRUE(r[0].allowed);
    EXPECT_EQ(r[0].role, "provider");
    EXPECT_EQ(r[1].actor, person("dr-b"));
    EXPECT_FALSE(r[1].allowed);
    // The trail cannot take the record: nothing is read, nothing decrypted (368).
    trail.full = true;
    EXPECT_EQ(refusal("export", visitA, "records_officer", "ro-1"), hipaa::errc::kAccessNotRecorded);
    EXPECT_EQ(refusal("list", "", "records_officer", "ro-1"), hipaa::errc::kAccessNotRecorded);
    EXPECT_TRUE(std::filesystem::is_empty(dir.file("exp")));
    trail.full = false;
}

TEST_F(RecorderAccess, WithoutATokenOnlyTheOperatorsPlumbingAnswers) {
    for (const char* request : {"list", "status", "verify", "export", "hold", "release", "delete", "rewrap"}) {
        try {
            admin(R"({"request":")" + std::string(request) + R"(","reason":"r","recording":")" + visitA + "\"}");
            ADD_FAILURE() << request << " answered without actor_token";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), hipaa::errc::kActorTokenMissing) << request;
        }
    }
    EXPECT_EQ(trail.records().size(), 8u) << "each refusal is on the record";
    EXPECT_NO_THROW(admin(R"({"request":"info"})"));
    std::string id =
        textAt(admin(R"({"request":"start","streams":[{"kind":"audio","codec":"opus"}]})").get(), "recording");
    EXPECT_NO_THROW(admin(R"({"request":"stop","recording":")" + id + "\"}"));
}

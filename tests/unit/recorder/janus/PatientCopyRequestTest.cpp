// SPDX-License-Identifier: GPL-3.0-or-later
// Admin `patient_copy` without Janus: recordings made through the RecordingSink with a context, a
// fake converter in place of janus-pp-rec (a shell script: success, failure, hang), fake notes and
// audit seams; the copy is opened with the patient's key and the recorder's public key only.
#include "Keyring.hpp"
#include "PatientCopyReader.hpp"
#include "RecorderErrors.hpp"
#include "RecorderPlugin.hpp"
#include "SealedPackageReader.hpp"
#include "TempDir.hpp"
#include "hipaa/ChatRecord.hpp"
#include "hipaa/Clock.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/JcfgParser.hpp"
#include "hipaa/SecureRandom.hpp"
#include "hipaa/VisitNotes.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

using namespace hipaa;
using namespace hipaa::recorder;
using namespace hipaa::test;
namespace fs = std::filesystem;

namespace {

class NullHost : public MediaHost {
public:
    bool pushEvent(SessionId, const std::string&, const json_t*, const json_t*) override { return true; }
    void notifyEvent(SessionId, const json_t*) override {}
    bool eventsEnabled() const override { return false; }
    void closePeerConnection(SessionId) override {}
    void endSession(SessionId) override {}
};

// The audit handler: takes every record, answers the disclosures of what it took.
class FakeTrail final : public AuditTrail {
public:
    FakeTrail() { AuditTrail::inProcess().provide(*this); }
    ~FakeTrail() override { AuditTrail::inProcess().withdraw(*this); }
    bool take(const AccessRecord& r) override {
        records.push_back(r);
        return true;
    }
    std::optional<std::vector<Disclosure>> disclosures(const std::vector<std::string>& recordings) override {
        asked = recordings;
        return std::vector<Disclosure>{
            {recordings.at(0), "ps1_provider", "provider", "recording.export", "success", 5}};
    }
    std::vector<AccessRecord> records;
    std::vector<std::string> asked;
};

class FakeNotes final : public VisitNotes {
public:
    FakeNotes() { VisitNotes::inProcess().provide(*this); }
    ~FakeNotes() override { VisitNotes::inProcess().withdraw(*this); }
    std::vector<SentNote> sentNotes(const std::string& visit) override {
        if (visit != "visit-1") return {};
        return {{"n-1", "Patient doing well.", 7}};
    }
};

const std::string kPatient = "ps1_" + std::string(32, 'a');
const std::string kOtherPatient = "ps1_" + std::string(32, 'b');

class PatientCopyRequestTest : public ::testing::Test {
protected:
    TempDir dir;
    NullHost host;
    FakeTrail trail;
    std::unique_ptr<RecorderPlugin> plugin;
    Bytes patientKey = secureRandomBytes(32);

    void SetUp() override {
        dir.write("keyring", "1 kek " + hexEncode(secureRandomBytes(32)) + "\n");
        dir.write("sign.key", hexEncode(secureRandomBytes(32)) + "\n");
        converter("cp \"$1\" \"$2\"");
        start("");
    }
    void converter(const std::string& body) { dir.write("convert.sh", "#!/bin/sh\n" + body + "\n", 0700); }
    void start(const std::string& extraGeneral) {
        plugin.reset();
        dir.write("recorder.jcfg",
                  "general: {\n\trecordings_dir = \"" + dir.file("rec") + "\"\n\texport_dir = \"" + dir.file("exp") +
                      "\"\n\tkeyring = \"" + dir.file("keyring") + "\"\n\tsigning_key = \"" + dir.file("sign.key") +
                      "\"\n\tcopy_converter = \"" + dir.file("convert.sh") +
                      "\"\n\tdevelopment = true\n\tsweep_seconds = 3600\n\trtp_port_min = 40000\n\trtp_port_max = "
                      "40010\n" +
                      extraGeneral + "}\n",
                  0644);
        std::string file = dir.file("recorder.jcfg");
        plugin = std::make_unique<RecorderPlugin>(Config(JcfgParser::parseFile(file), file), Logger(), host);
    }
    // A sealed one-stream opus recording of `patient` in visit-1 (plaintext RTP through the sink).
    std::string record(const std::string& patient) {
        RecordingContext ctx{"visit-1", "room-1", {"ps1_" + std::string(32, 'c')}, {patient}};
        std::string id = plugin->start({{false, "opus", "0"}}, "", ctx);
        for (uint16_t i = 0; i < 20; ++i) {
            Bytes p(12 + 80, 0x5A);
            p[0] = 0x80;
            p[1] = 111;
            p[3] = static_cast<uint8_t>(i);
            EXPECT_EQ(plugin->write(id, 0, p.data(), p.size()), RecordingSink::Write::Recorded);
        }
        EXPECT_TRUE(plugin->stop(id).sealed);
        return id;
    }
    JsonPtr copyRequest(const std::string& patient) {
        return jsonParse(R"({"request":"patient_copy","patient":")" + patient + R"(","recipient":{"x25519":")" +
                         base64Encode(Keyring::x25519PublicFromPrivate(patientKey)) + R"("}})");
    }
    int errorOf(const JsonPtr& request) {
        try {
            plugin->handleAdmin(request.get());
        } catch (const Error& e) {
            return e.code();
        }
        return 0;
    }
    std::vector<std::string> exportDirEntries() {
        std::vector<std::string> out;
        for (const auto& e : fs::directory_iterator(dir.file("exp"))) out.push_back(e.path().filename().string());
        return out;
    }
    OpenedCopy open(const std::string& file, const std::string& outDir) {
        UniqueFd fd(::open(dir.file("exp/" + file).c_str(), O_RDONLY));
        SealedPackageReader r(fd.get());
        r.setKey(r.header().keyFromPrivate(patientKey));
        JsonPtr info = plugin->handleAdmin(jsonParse(R"({"request":"info"})").get());
        Ed25519Verifier recorderKey(*hexDecode(jsonString(info.get(), "signing_public_key").value_or("")));
        fs::create_directories(outDir);
        return PatientCopyReader::open(r, outDir, recorderKey);
    }
};

}  // namespace

TEST_F(PatientCopyRequestTest, OneEncryptedSignedCopyOfThePatientsRecordingsNotesAndDisclosures) {
    FakeNotes notes;
    std::string mine = record(kPatient);
    record(kOtherPatient);
    JsonPtr a = plugin->handleAdmin(copyRequest(kPatient).get());
    EXPECT_EQ(jsonInt(a.get(), "recordings"), 1);
    EXPECT_EQ(jsonInt(a.get(), "notes"), 1);
    EXPECT_EQ(jsonInt(a.get(), "disclosures"), 1);
    EXPECT_GT(jsonInt(a.get(), "expires_ms").value_or(0), 0);
    std::string file(jsonString(a.get(), "file").value_or(""));
    // ONE file, 0600, no decrypted .mjr and no work folder left next to it.
    EXPECT_EQ(exportDirEntries(), std::vector<std::string>{file});
    struct stat st {};
    ASSERT_EQ(::stat(dir.file("exp/" + file).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(static_cast<int64_t>(st.st_size), jsonInt(a.get(), "bytes"));
    EXPECT_EQ(trail.asked, std::vector<std::string>{mine});

    OpenedCopy c = open(file, dir.file("out"));
    std::vector<std::string> expected{"recording-" + mine + "-0-audio.opus", "notes.json", "disclosures.json",
                                      "manifest.json"};
    EXPECT_EQ(c.files, expected);
    std::string notesText = readFile(dir.file("out/notes.json"));
    EXPECT_NE(notesText.find("Patient doing well."), std::string::npos);
    EXPECT_NE(readFile(dir.file("out/disclosures.json")).find("recording.export"), std::string::npos);
    const json_t* recs = json_object_get(c.manifest.get(), "recordings");
    ASSERT_EQ(json_array_size(recs), 1u);
    EXPECT_EQ(jsonString(json_array_get(recs, 0), "id").value_or(""), mine);
}

// A kept chat (stream kind chat) is part of the designated record set: its transcript goes into the
// copy as exported, never through the converter (which fails here).
TEST_F(PatientCopyRequestTest, AKeptChatIsInTheCopyAsItsTranscript) {
    converter("exit 1");
    RecordingContext ctx{"visit-1", "room-1", {"ps1_" + std::string(32, 'c')}, {kPatient}};
    std::string id = plugin->start({{false, "chat", "chat", true}}, "", ctx);
    Bytes m = *ChatRecord{kPatient, "patient", 1000, "CANARY my rash"}.encode();
    EXPECT_EQ(plugin->write(id, 0, m.data(), m.size()), RecordingSink::Write::Recorded);
    EXPECT_TRUE(plugin->stop(id).sealed);
    JsonPtr a = plugin->handleAdmin(copyRequest(kPatient).get());
    std::string file(jsonString(a.get(), "file").value_or(""));
    EXPECT_EQ(exportDirEntries(), std::vector<std::string>{file});  // no transcript left in the clear
    OpenedCopy c = open(file, dir.file("out"));
    ASSERT_FALSE(c.files.empty());
    EXPECT_EQ(c.files[0], "chat-" + id + "-0.jsonl");
    EXPECT_NE(readFile(dir.file("out/" + c.files[0])).find("\"text\":\"CANARY my rash\""), std::string::npos);
}

TEST_F(PatientCopyRequestTest, WithoutTheFhirHandlerTheCopySaysNotesWereUnavailable) {
    record(kPatient);
    JsonPtr a = plugin->handleAdmin(copyRequest(kPatient).get());
    EXPECT_EQ(jsonBool(a.get(), "notes_available"), false);
    OpenedCopy c = open(std::string(jsonString(a.get(), "file").value_or("")), dir.file("out"));
    EXPECT_NE(readFile(dir.file("out/notes.json")).find("fhir_handler_not_loaded"), std::string::npos);
}

TEST_F(PatientCopyRequestTest, AFailedOrHangingConversionFailsTheCopyAndLeavesNothing) {
    record(kPatient);
    converter("echo converter broke >&2; exit 1");
    EXPECT_EQ(errorOf(copyRequest(kPatient)), recorder::errc::kConversionFailed);
    EXPECT_TRUE(exportDirEntries().empty());
    converter("sleep 60");
    start("\tcopy_timeout_seconds = 1\n");
    EXPECT_EQ(errorOf(copyRequest(kPatient)), recorder::errc::kConversionFailed);
    EXPECT_TRUE(exportDirEntries().empty());
}

TEST_F(PatientCopyRequestTest, NothingToCopyBadRecipientsAndThePassphraseIsWiped) {
    record(kPatient);
    EXPECT_EQ(errorOf(copyRequest(kOtherPatient)), recorder::errc::kNothingToCopy);
    JsonPtr bad =
        jsonParse(R"({"request":"patient_copy","patient":")" + kPatient + R"(","recipient":{"x25519":"AAAA"}})");
    EXPECT_EQ(errorOf(bad), hipaa::errc::kInvalidField);
    JsonPtr none = jsonParse(R"({"request":"patient_copy","patient":")" + kPatient + R"("})");
    EXPECT_EQ(errorOf(none), hipaa::errc::kMissingField);
    JsonPtr pass = jsonParse(R"({"request":"patient_copy","patient":")" + kPatient +
                             R"(","recipient":{"passphrase":"correct horse battery staple"}})");
    JsonPtr a = plugin->handleAdmin(pass.get());
    EXPECT_EQ(jsonInt(a.get(), "recordings"), 1);
    std::string left(jsonString(json_object_get(pass.get(), "recipient"), "passphrase").value_or(""));
    EXPECT_EQ(left.find("horse"), std::string::npos);
}

TEST_F(PatientCopyRequestTest, TheExportSweeperRemovesCopiesAfterTheExportTtl) {
    record(kPatient);
    JsonPtr a = plugin->handleAdmin(copyRequest(kPatient).get());
    fs::create_directory(dir.file("exp/patient-copy-work-" + std::string(32, '0')));  // a crash's leftover
    plugin->sweep(Clock::wallMs());
    EXPECT_EQ(exportDirEntries().size(), 2u);
    plugin->sweep(Clock::wallMs() + 2 * 3600 * 1000);
    EXPECT_TRUE(exportDirEntries().empty());
}

// SPDX-License-Identifier: GPL-3.0-or-later
// Kept chat without Janus: the relay offers each data channel message of a `kept` publisher to the
// room's ChatKeeper before relaying it; the keeper seals it into a real RecorderPlugin (in process)
// as one record of a chat stream. What the others saw is exactly what the export holds; nothing is
// relayed that is not kept.
#include "AuditTrailSpy.hpp"
#include "ChatKeeper.hpp"
#include "DocumentFrames.hpp"
#include "MediaRelay.hpp"
#include "RoomHarness.hpp"
#include "ScriptedRecorder.hpp"

#include "FileSizeLimit.hpp"
#include "FreePort.hpp"
#include "RecorderPlugin.hpp"
#include "TempDir.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/JcfgParser.hpp"
#include "hipaa/KeptRecordSource.hpp"
#include "hipaa/SecureRandom.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

using namespace hipaa;
using namespace hipaa::room;
using namespace hipaa::test;
using hipaa::room::test::ScriptedRecorder;

namespace {

const std::string kPatient = "ps1_" + std::string(32, 'b'), kProvider = "ps1_" + std::string(32, 'a');

std::vector<RelayStream> withData() { return {{0, false, "opus", 111}, {1, false, "", 0, true}}; }

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

class ChatKeeperTest : public ::testing::Test {
protected:
    TempDir dir;
    AuditTrailSpy trail;
    hipaa::room::test::MediaLog host;
    std::unique_ptr<recorder::RecorderPlugin> plugin;
    MediaRelay relay{host};

    void SetUp() override {
        dir.write("keyring", "1 kek " + hexEncode(secureRandomBytes(32)) + "\n");
        dir.write("sign.key", hexEncode(secureRandomBytes(32)) + "\n");
        int port = freeLoopbackPort();
        if (port > 65000) port = 40000;
        dir.write("recorder.jcfg",
                  "general: {\n\tdevelopment = true\n\trecordings_dir = \"" + dir.file("rec") +
                      "\"\n\texport_dir = \"" + dir.file("exp") + "\"\n\tkeyring = \"" + dir.file("keyring") +
                      "\"\n\tsigning_key = \"" + dir.file("sign.key") + "\"\n\trtp_port_min = " + std::to_string(port) +
                      "\n\trtp_port_max = " + std::to_string(port + 40) +
                      "\n\tchunk_ms = 50\n\tchunk_bytes = 4096\n\tsweep_seconds = 3600\n}\n",
                  0644);
        std::string file = dir.file("recorder.jcfg");
        plugin = std::make_unique<recorder::RecorderPlugin>(Config(JcfgParser::parseFile(file), file), Logger(), host);
        // The patient (1) and the provider (3) publish a data channel in room r1; each receives the other's.
        relay.publish(1, "r1", 100, withData(), 0, false, {"r1", kPatient, "patient", true});
        relay.publish(3, "r1", 300, withData(), 0, false, {"r1", kProvider, "provider", true});
        EXPECT_TRUE(relay.subscribe(3, 100, 1, 5));
        EXPECT_TRUE(relay.subscribe(1, 300, 1, 5));
    }
    void TearDown() override { relay.setChatSink("r1", nullptr); }
    size_t say(SessionId from, const std::string& text, int64_t nowUs = 1'700'000'000'000'000) {
        return relay.incomingData(from, "chat", false, reinterpret_cast<const uint8_t*>(text.data()), text.size(),
                                  nowUs);
    }
    std::vector<std::string> received(SessionId to) {
        std::lock_guard lock(host.m);
        std::vector<std::string> out;
        for (const auto& [s, text] : host.data)
            if (s == to) out.push_back(text);
        return out;
    }
    JsonPtr recorderAdmin(const std::string& request, const std::string& id) {
        JsonPtr r = jsonObject();
        jsonSet(r.get(), "request", request);
        jsonSet(r.get(), "recording", id);
        return plugin->handleAdmin(r.get());
    }
};

}  // namespace

TEST_F(ChatKeeperTest, KeptChatIsRelayedOnlyOnceTheKeeperTookItAndExportsExactlyWhatWasSeen) {
    // The class keeps chat but nothing keeps it yet: not relayed.
    EXPECT_EQ(say(1, "CANARY-early"), 0u);
    EXPECT_EQ(relay.chatUnkept(), 1u);
    EXPECT_TRUE(received(3).empty());

    ChatKeeperSettings settings;
    settings.context = {"v_0123456789abcdef0123", "r1", {kProvider}, {kPatient}};
    auto keeper = std::make_shared<ChatKeeper>(RecordingSink::inProcess(), settings, Logger());
    keeper->start();
    relay.setChatSink("r1", keeper);
    EXPECT_EQ(say(1, "CANARY-1 the rash spread", 1'700'000'000'001'000), 1u);
    EXPECT_EQ(say(3, "CANARY-2 please share a photo", 1'700'000'000'002'000), 1u);
    EXPECT_EQ(say(1, std::string(20000, 'x')), 0u);  // over the keeper's message limit: not relayed either
    EXPECT_EQ(received(3), std::vector<std::string>{"CANARY-1 the rash spread"});
    EXPECT_EQ(received(1), std::vector<std::string>{"CANARY-2 please share a photo"});

    // A publisher whose class relays only (speaker not kept) is not offered to the keeper.
    relay.publish(1, "r1", 100, withData(), 0, false, {"r1", kPatient, "patient", false});
    EXPECT_TRUE(relay.subscribe(3, 100, 1, 5));
    EXPECT_EQ(say(1, "not kept"), 1u);

    const std::string id = keeper->stop();
    EXPECT_EQ(keeper->stop(), id);  // idempotent
    ChatKeeper::Stats st = keeper->stats();
    EXPECT_EQ(st.kept, 2u);
    EXPECT_EQ(st.refused, 1u);
    EXPECT_EQ(st.lost, 0u);
    EXPECT_FALSE(keeper->keep({"r1", kPatient, "patient", true}, reinterpret_cast<const uint8_t*>("x"), 1, 0));

    JsonPtr status = recorderAdmin("status", id);
    EXPECT_EQ(std::string(jsonString(status.get(), "status").value_or("")), "sealed") << jsonDump(status.get());
    EXPECT_EQ(std::string(jsonString(status.get(), "visit").value_or("")), "v_0123456789abcdef0123");
    for (const auto& f : std::filesystem::directory_iterator(dir.file("rec")))
        EXPECT_EQ(slurp(f.path()).find("CANARY"), std::string::npos) << f.path();
    JsonPtr v = recorderAdmin("verify", id);
    EXPECT_EQ(jsonBool(json_object_get(v.get(), "verification"), "ok"), true) << jsonDump(v.get());
    JsonPtr e = recorderAdmin("export", id);
    const json_t* files = json_object_get(e.get(), "files");
    ASSERT_EQ(json_array_size(files), 1u) << jsonDump(e.get());
    std::istringstream lines(slurp(json_string_value(json_array_get(files, 0))));
    std::vector<std::string> texts, senders;
    for (std::string line; std::getline(lines, line);) {
        JsonPtr j = jsonParse(line);
        texts.emplace_back(jsonString(j.get(), "text").value_or(""));
        senders.emplace_back(jsonString(j.get(), "sender").value_or(""));
        EXPECT_GT(jsonInt(j.get(), "sent_ms").value_or(0), 1'700'000'000'000);
    }
    EXPECT_EQ(texts, (std::vector<std::string>{"CANARY-1 the rash spread", "CANARY-2 please share a photo"}));
    EXPECT_EQ(senders, (std::vector<std::string>{kPatient, kProvider}));
}

TEST_F(ChatKeeperTest, AFullQueueRefusesAndTheMessageIsNotRelayed) {
    ScriptedRecorder rec;
    std::mutex m;
    std::condition_variable cv;
    bool release = false;
    rec.onStart = [](const auto& streams, const auto&) {
        EXPECT_TRUE(streams.at(0).chat);
        EXPECT_EQ(streams.at(0).codec, "chat");
        return std::string(32, 'c');
    };
    rec.onWrite = [&](const auto&, size_t) {  // the recorder is stuck: nothing drains
        std::unique_lock lock(m);
        cv.wait(lock, [&] { return release; });
        return RecordingSink::Write::Recorded;
    };
    ChatKeeperSettings settings;
    settings.capacity = 2;
    auto keeper = std::make_shared<ChatKeeper>(rec.slot(), settings, Logger());
    keeper->start();
    relay.setChatSink("r1", keeper);
    size_t relayed = 0, refused = 0;
    for (int i = 0; i < 100 && refused == 0; ++i) (say(1, "m" + std::to_string(i)) ? relayed : refused)++;
    EXPECT_EQ(refused, 1u);
    EXPECT_LE(relayed, 2u + 64u);  // the queue plus at most one batch the keeper's thread holds
    EXPECT_EQ(received(3).size(), relayed);
    {
        std::lock_guard lock(m);
        release = true;
    }
    cv.notify_all();
    relay.setChatSink("r1", nullptr);
    keeper->stop();
    EXPECT_EQ(keeper->stats().kept, relayed);
}

TEST_F(ChatKeeperTest, WithoutARecorderTheKeeperDoesNotStart) {
    ScriptedRecorder rec;  // refuses start (its default)
    ChatKeeper keeper(rec.slot(), {}, Logger());
    EXPECT_THROW(keeper.start(), Error);
    EXPECT_EQ(keeper.stop(), "");
}

// `documents = "record"`: a document is sealed in the kept chat's recording between the messages (a
// start record and parts, each at most 65535 bytes); verify decodes it, export writes it byte-identical
// beside the transcript, which names it in order with its SHA-256.
TEST_F(ChatKeeperTest, AKeptDocumentIsSealedVerifiedAndExportedByteIdentical) {
    ChatKeeperSettings settings;
    settings.context = {"v_0123456789abcdef0123", "r1", {kProvider}, {kPatient}};
    auto keeper = std::make_shared<ChatKeeper>(RecordingSink::inProcess(), settings, Logger());
    keeper->start();
    relay.setChatSink("r1", keeper);
    EXPECT_EQ(say(1, "CANARY-before", 1'700'000'000'001'000), 1u);
    Bytes doc = hipaa::test::pdfOf(200000);  // four parts
    const ChatSpeaker patient{"r1", kPatient, "patient", true, true, 1 << 20, true};
    EXPECT_TRUE(keeper->keepDocument(patient, "application/pdf", doc, sha256(doc), 1'700'000'000'002'000));
    EXPECT_EQ(say(3, "CANARY-after", 1'700'000'000'003'000), 1u);
    Bytes small = hipaa::test::pdfOf(20);
    EXPECT_TRUE(keeper->keepDocument(patient, "application/pdf", small, sha256(small), 1'700'000'000'004'000));
    const std::string id = keeper->stop();
    EXPECT_FALSE(keeper->keepDocument(patient, "application/pdf", doc, sha256(doc), 0));  // stopped: not kept
    EXPECT_EQ(keeper->stats().kept, 4u);

    for (const auto& f : std::filesystem::directory_iterator(dir.file("rec")))
        EXPECT_EQ(slurp(f.path()).find("CANARY"), std::string::npos) << f.path();
    JsonPtr v = recorderAdmin("verify", id);
    const json_t* verification = json_object_get(v.get(), "verification");
    EXPECT_EQ(jsonBool(verification, "ok"), true) << jsonDump(v.get());
    const json_t* file = json_array_get(json_object_get(verification, "files"), 0);
    EXPECT_EQ(jsonInt(file, "messages").value_or(-1), 2) << jsonDump(v.get());
    EXPECT_EQ(jsonInt(file, "documents").value_or(-1), 2) << jsonDump(v.get());

    JsonPtr e = recorderAdmin("export", id);
    const json_t* files = json_object_get(e.get(), "files");
    ASSERT_EQ(json_array_size(files), 3u) << jsonDump(e.get());
    std::string transcript, doc0, doc1;
    for (size_t i = 0; i < 3; ++i) {
        std::string p = json_string_value(json_array_get(files, i));
        if (p.ends_with("-chat.jsonl")) transcript = p;
        if (p.ends_with("-doc0.pdf")) doc0 = p;
        if (p.ends_with("-doc1.pdf")) doc1 = p;
    }
    ASSERT_FALSE(transcript.empty() || doc0.empty() || doc1.empty()) << jsonDump(e.get());
    EXPECT_EQ(slurp(doc0), std::string(doc.begin(), doc.end()));
    EXPECT_EQ(slurp(doc1), std::string(small.begin(), small.end()));
    EXPECT_EQ(std::filesystem::status(doc0).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    std::istringstream lines(slurp(transcript));
    std::vector<std::string> order;
    for (std::string line; std::getline(lines, line);) {
        JsonPtr j = jsonParse(line);
        if (auto text = jsonString(j.get(), "text")) {
            order.emplace_back(*text);
            continue;
        }
        order.push_back("document " + std::to_string(jsonInt(j.get(), "document").value_or(-1)));
        EXPECT_EQ(jsonString(j.get(), "mime").value_or(""), "application/pdf");
        EXPECT_EQ(jsonString(j.get(), "sender").value_or(""), kPatient);
    }
    EXPECT_EQ(order, (std::vector<std::string>{"CANARY-before", "document 0", "CANARY-after", "document 1"}));
    EXPECT_NE(slurp(transcript).find(hexEncode(sha256(doc))), std::string::npos);
}

// The recorder's KeptRecordSource: a sealed kept chat's messages and documents, decrypted in memory, in
// order; an unknown, open, deleted or altered recording throws and yields nothing; the slot is empty once
// the recorder is gone.
TEST_F(ChatKeeperTest, TheRecorderReadsASealedKeptChatBackWholeOrNotAtAll) {
    ChatKeeperSettings settings;
    settings.context = {"v_0123456789abcdef0123", "r1", {kProvider}, {kPatient}};
    auto keeper = std::make_shared<ChatKeeper>(RecordingSink::inProcess(), settings, Logger());
    keeper->start();
    relay.setChatSink("r1", keeper);
    EXPECT_EQ(say(1, "CANARY-read", 1'700'000'000'001'000), 1u);
    Bytes doc = hipaa::test::pdfOf(100000);
    const ChatSpeaker provider{"r1", kProvider, "provider", true, true, 1 << 20, true};
    EXPECT_TRUE(keeper->keepDocument(provider, "application/pdf", doc, sha256(doc), 1'700'000'000'002'000));
    auto source = KeptRecordSource::inProcess().require();
    EXPECT_THROW(source->read(keeper->recording()), Error);  // still open
    const std::string id = keeper->stop();

    KeptVisitRecords kept = source->read(id);
    EXPECT_EQ(kept.recording, id);
    ASSERT_EQ(kept.messages.size(), 1u);
    EXPECT_EQ(kept.messages[0].text, "CANARY-read");
    EXPECT_EQ(kept.messages[0].sender, kPatient);
    EXPECT_EQ(kept.messages[0].sentMs, 1'700'000'000'001u);
    ASSERT_EQ(kept.documents.size(), 1u);
    EXPECT_EQ(kept.documents[0].content, doc);
    EXPECT_EQ(kept.documents[0].sha256, sha256(doc));
    EXPECT_EQ(kept.documents[0].mime, "application/pdf");
    EXPECT_EQ(kept.documents[0].role, "provider");
    EXPECT_THROW(source->read(std::string(32, 'f')), Error);  // unknown
    EXPECT_THROW(source->read("../" + id), Error);

    // One byte of the sealed file changed: it does not verify, nothing is returned.
    std::string file;
    for (const auto& f : std::filesystem::directory_iterator(dir.file("rec")))
        if (f.path().filename().string().starts_with(id) && f.path().extension() != ".json") file = f.path();
    ASSERT_FALSE(file.empty());
    std::string bytes = slurp(file);
    {
        std::string altered = bytes;
        altered[altered.size() - 40] ^= 1;
        std::ofstream(file, std::ios::binary | std::ios::trunc) << altered;
    }
    EXPECT_THROW(source->read(id), Error);
    std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
    EXPECT_EQ(source->read(id).documents.size(), 1u);

    JsonPtr r = jsonObject();
    jsonSet(r.get(), "request", "delete");
    jsonSet(r.get(), "recording", id);
    jsonSet(r.get(), "reason", "test");
    JsonPtr deleted = plugin->handleAdmin(r.get());
    EXPECT_THROW(source->read(id), Error) << jsonDump(deleted.get());
    {
        auto gone = std::move(source);  // the lease ends before the recorder goes
    }
    relay.setChatSink("r1", nullptr);
    plugin.reset();
    EXPECT_FALSE(KeptRecordSource::inProcess().available());
}

// The disk fills while a document is being sealed: the keeper answers "not kept" (the desk refuses it,
// 487, and relays nothing), takes nothing more (a message after it is not relayed), and participants
// are told. Nothing of the document rests in clear; what was sealed before verifies and exports; no
// part of the cut document is exported, and the EHR's reader refuses the failed recording whole.
TEST_F(ChatKeeperTest, ADiskThatFillsWhileADocumentIsSealedKeepsNoPartOfIt) {
    ChatKeeperSettings settings;
    settings.context = {"v_0123456789abcdef0123", "r1", {kProvider}, {kPatient}};
    std::vector<std::string> failures;
    settings.onFailure = [&](const std::string& reason, const std::string&) { failures.push_back(reason); };
    auto keeper = std::make_shared<ChatKeeper>(RecordingSink::inProcess(), settings, Logger());
    keeper->start();
    relay.setChatSink("r1", keeper);
    EXPECT_EQ(say(1, "CANARY-before-full", 1'700'000'000'001'000), 1u);
    const ChatSpeaker patient{"r1", kPatient, "patient", true, true, 1 << 20, true};
    Bytes small = hipaa::test::pdfOf(3000);
    EXPECT_TRUE(keeper->keepDocument(patient, "application/pdf", small, sha256(small), 1'700'000'000'002'000));
    Bytes doc = hipaa::test::pdfOf(300000);  // five parts; the disk fills after about two
    const std::string marker = "CANARY-DOC-BODY";
    std::copy(marker.begin(), marker.end(), doc.begin() + 200000);
    std::string file;
    for (const auto& f : std::filesystem::directory_iterator(dir.file("rec")))
        if (f.path().extension() == ".jrec") file = f.path();
    ASSERT_FALSE(file.empty());
    {
        FileSizeLimit full(std::filesystem::file_size(file) + 150000);
        EXPECT_FALSE(keeper->keepDocument(patient, "application/pdf", doc, sha256(doc), 1'700'000'000'003'000));
        EXPECT_EQ(say(1, "after the disk filled", 1'700'000'000'004'000), 0u) << "nothing more is kept or relayed";
    }
    EXPECT_EQ(failures, std::vector<std::string>{"write_failed"});
    const std::string id = keeper->stop();
    for (const auto& f : std::filesystem::recursive_directory_iterator(dir.path())) {
        if (!f.is_regular_file()) continue;
        EXPECT_EQ(slurp(f.path()).find("CANARY"), std::string::npos) << f.path();
    }

    JsonPtr v = recorderAdmin("verify", id);
    const json_t* file0 = json_array_get(json_object_get(json_object_get(v.get(), "verification"), "files"), 0);
    EXPECT_EQ(jsonInt(file0, "messages").value_or(-1), 1) << jsonDump(v.get());
    EXPECT_EQ(jsonInt(file0, "documents").value_or(-1), 1) << jsonDump(v.get());
    JsonPtr e = recorderAdmin("export", id);
    for (size_t i = 0; i < json_array_size(json_object_get(e.get(), "files")); ++i) {
        const std::string p = json_string_value(json_array_get(json_object_get(e.get(), "files"), i));
        EXPECT_FALSE(p.ends_with("-doc1.pdf")) << "a part of the document the disk cut was exported";
        if (p.ends_with("-doc0.pdf")) {
            EXPECT_EQ(slurp(p), std::string(small.begin(), small.end()));
        }
    }
    // The recording ended failed: verify and export show its authentic part (above), the EHR's reader
    // refuses it whole (the room does not name a failed segment in VisitEnded either).
    EXPECT_EQ(jsonString(json_object_get(v.get(), "verification"), "status").value_or(""), "failed")
        << jsonDump(v.get());
    EXPECT_THROW(KeptRecordSource::inProcess().require()->read(id), Error);
}

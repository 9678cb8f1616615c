// SPDX-License-Identifier: GPL-3.0-or-later
// Documents through the relay: a publisher's document frames go to the desk, never straight to the
// others; a complete, valid document is relayed re-framed to the subscribers of the sender's data
// stream and reported with its SHA-256; every bad input is refused with its code and nothing of it
// reaches anyone.
#include "DocumentDesk.hpp"
#include "DocumentFrames.hpp"
#include "MediaRelay.hpp"
#include "RoomErrors.hpp"
#include "RoomHarness.hpp"

#include "hipaa/Encoding.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <mutex>

using namespace hipaa;
using namespace hipaa::room;

namespace {

std::vector<RelayStream> withData() { return {{0, false, "opus", 111}, {1, false, "", 0, true}}; }

using hipaa::test::documentFrames;
Bytes pdf(size_t n) { return hipaa::test::pdfOf(n); }
std::vector<Bytes> frames(uint32_t id, DocumentType t, const Bytes& content) { return documentFrames(id, t, content); }

class DocumentDeskTest : public ::testing::Test {
protected:
    hipaa::room::test::MediaLog host;
    MediaRelay relay{host};
    std::mutex m;
    std::vector<DocumentShare> shares;
    std::vector<DocumentRefusal> refusals;
    std::shared_ptr<DocumentDesk> desk;
    std::function<bool(const ChatSpeaker&, const SharedDocument&)> keeper;  // the room's chat keeper

    void SetUp() override {
        DocumentDeskSettings ds;
        ds.keep = [this](const ChatSpeaker& from, const SharedDocument& doc) { return keeper && keeper(from, doc); };
        ds.relay = [this](SessionId from, const std::vector<Bytes>& f) { return relay.relayFrames(from, f); };
        ds.onShared = [this](const DocumentShare& s) {
            std::lock_guard lock(m);
            shares.push_back(s);
        };
        ds.onRefused = [this](const DocumentRefusal& r) {
            std::lock_guard lock(m);
            refusals.push_back(r);
        };
        desk = std::make_shared<DocumentDesk>(std::move(ds), Logger());
        relay.setDocumentDesk(desk);
        // Patient (1) and provider (3) may share; the observer (5) may not. Each gets the others' data.
        relay.publish(1, "r1", 100, withData(), 0, false, {"", "ps1_pat", "patient", false, true, 100000});
        relay.publish(3, "r1", 300, withData(), 0, false, {"", "ps1_dr", "provider", false, true, 100000});
        relay.publish(5, "r1", 500, withData(), 0, false, {"", "ps1_obs", "observer", false, false, 100000});
        EXPECT_TRUE(relay.subscribe(3, 100, 1, 5));
        EXPECT_TRUE(relay.subscribe(1, 300, 1, 5));
        EXPECT_TRUE(relay.subscribe(1, 500, 1, 6));
    }
    void TearDown() override {
        relay.setDocumentDesk(nullptr);
        desk->stop();
    }
    void send(SessionId from, const std::vector<Bytes>& fs) {
        for (const auto& f : fs) EXPECT_EQ(relay.incomingData(from, "document", true, f.data(), f.size(), 0), 0u);
        desk->drain();
    }
    Bytes receivedBy(SessionId to) {
        std::lock_guard lock(host.m);
        Bytes all;
        for (const auto& [s, d] : host.data)
            if (s == to) all.insert(all.end(), d.begin(), d.end());
        return all;
    }
};

}  // namespace

TEST_F(DocumentDeskTest, AValidDocumentIsRelayedWholeAndReportedWithItsHashOnly) {
    Bytes doc = pdf(40000);
    auto fs = frames(77, DocumentType::Pdf, doc);
    // Nothing reaches the provider before the end frame was checked.
    for (size_t i = 0; i + 1 < fs.size(); ++i) relay.incomingData(1, "document", true, fs[i].data(), fs[i].size(), 0);
    desk->drain();
    EXPECT_TRUE(receivedBy(3).empty());
    send(1, {fs.back()});
    Bytes got = receivedBy(3);
    // The provider receives the same content in the same framing (the room's own transfer id).
    std::vector<Bytes> frameList;
    {
        std::lock_guard lock(host.m);
        for (const auto& [s, d] : host.data)
            if (s == 3) frameList.emplace_back(d.begin(), d.end());
    }
    Bytes content;
    for (const auto& f : frameList) {
        auto parsed = DocumentFrame::parse(f);
        ASSERT_TRUE(parsed);
        if (parsed->kind == DocumentFrame::Kind::Chunk)
            content.insert(content.end(), parsed->payload.begin(), parsed->payload.end());
    }
    EXPECT_EQ(content, doc);
    ASSERT_EQ(shares.size(), 1u);
    EXPECT_EQ(shares[0].from.pseudonym, "ps1_pat");
    EXPECT_EQ(shares[0].from.room, "r1");
    EXPECT_EQ(shares[0].type, DocumentType::Pdf);
    EXPECT_EQ(shares[0].bytes, doc.size());
    EXPECT_EQ(shares[0].sha256, sha256(doc));
    EXPECT_EQ(shares[0].recipients, 1u);
    EXPECT_TRUE(refusals.empty());
}

TEST_F(DocumentDeskTest, BadInputIsRefusedWithItsCodeAndNothingReachesAnyone) {
    send(5, frames(1, DocumentType::Pdf, pdf(100)));     // a role that may not share
    send(1, frames(2, DocumentType::Pdf, pdf(100001)));  // over the class' cap
    send(3, frames(3, DocumentType::Png, pdf(500)));     // bytes are not the declared type
    auto half = frames(4, DocumentType::Pdf, pdf(9000));
    send(1, {half[0]});  // stops half-way: the sender unpublishes
    relay.unpublish(1);
    desk->drain();
    const Bytes bogus{'J', 'H', 'D', '1', 9, 9};
    send(3, {bogus});  // not a frame
    ASSERT_EQ(refusals.size(), 5u);
    std::vector<int> codes;
    for (const auto& r : refusals) codes.push_back(r.code);
    EXPECT_EQ(codes,
              (std::vector<int>{room::errc::kDocumentRole, room::errc::kDocumentTooLarge, room::errc::kDocumentType,
                                room::errc::kDocumentIncomplete, room::errc::kDocumentMalformed}));
    EXPECT_EQ(refusals[0].from.pseudonym, "ps1_obs");
    EXPECT_TRUE(shares.empty());
    EXPECT_TRUE(receivedBy(1).empty());
    EXPECT_TRUE(receivedBy(3).empty());
    EXPECT_EQ(desk->refused(), 5u);
}

// A class that keeps documents: the desk hands the complete document to the keeper first and relays it
// only once it is kept; a keeper that cannot take it (or none) means refused 487, nothing relayed.
TEST_F(DocumentDeskTest, AKeptClassRelaysADocumentOnlyOnceItsKeeperSealedIt) {
    relay.publish(1, "r1", 100, withData(), 0, false, {"", "ps1_pat", "patient", false, true, 100000, true});
    EXPECT_TRUE(relay.subscribe(3, 100, 1, 5));
    Bytes doc = pdf(30000);
    send(1, frames(1, DocumentType::Pdf, doc));  // no keeper
    ASSERT_EQ(refusals.size(), 1u);
    EXPECT_EQ(refusals[0].code, room::errc::kDocumentNotKept);
    EXPECT_EQ(refusals[0].reason, "not_kept");
    EXPECT_TRUE(receivedBy(3).empty());

    std::vector<Bytes> kept;
    bool relayedBeforeKept = false;
    keeper = [&](const ChatSpeaker& from, const SharedDocument& d) {
        EXPECT_EQ(from.pseudonym, "ps1_pat");
        relayedBeforeKept = relayedBeforeKept || !receivedBy(3).empty();
        kept.push_back(d.content);
        return true;
    };
    send(1, frames(2, DocumentType::Pdf, doc));
    ASSERT_EQ(kept.size(), 1u);
    EXPECT_EQ(kept[0], doc);
    EXPECT_FALSE(relayedBeforeKept);
    EXPECT_FALSE(receivedBy(3).empty());
    EXPECT_EQ(shares.size(), 1u);

    keeper = [](const ChatSpeaker&, const SharedDocument&) { return false; };  // the recorder failed
    send(1, frames(3, DocumentType::Pdf, doc));
    ASSERT_EQ(refusals.size(), 2u);
    EXPECT_EQ(refusals[1].code, room::errc::kDocumentNotKept);
    EXPECT_EQ(shares.size(), 1u);
}

// In a class that keeps documents, bad input never reaches the keeper: nothing partial is sealed. A
// transfer left without its end is refused when the sender starts the next one, which goes through.
TEST_F(DocumentDeskTest, InAKeptClassBadInputIsNeverHandedToTheKeeper) {
    relay.publish(1, "r1", 100, withData(), 0, false, {"", "ps1_pat", "patient", false, true, 100000, true});
    EXPECT_TRUE(relay.subscribe(3, 100, 1, 5));
    size_t handed = 0;
    keeper = [&](const ChatSpeaker&, const SharedDocument&) { return ++handed > 0; };
    send(1, frames(1, DocumentType::Pdf, pdf(100001)));  // over the cap
    send(1, frames(2, DocumentType::Png, pdf(500)));     // not the declared type
    auto half = frames(3, DocumentType::Pdf, pdf(40000));
    half.pop_back();  // every chunk, no end: the next start abandons it, and is itself taken
    send(1, half);
    send(1, frames(4, DocumentType::Pdf, pdf(900)));
    std::vector<int> codes;
    for (const auto& r : refusals) codes.push_back(r.code);
    EXPECT_EQ(codes, (std::vector<int>{room::errc::kDocumentTooLarge, room::errc::kDocumentType,
                                       room::errc::kDocumentIncomplete}));
    EXPECT_EQ(handed, 1u) << "only the whole document that came last";
    EXPECT_EQ(shares.size(), 1u);
}

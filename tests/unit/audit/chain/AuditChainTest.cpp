// SPDX-License-Identifier: GPL-3.0-or-later
// Canonical encoding and the hash chain.
#include "AuditChain.hpp"

#include "hipaa/Encoding.hpp"

#include <gtest/gtest.h>

using namespace hipaa;
using namespace hipaa::audit;

namespace {
AuditRecord sample() {
    AuditRecord r;
    r.eventTimeUs = 1795382881891879;
    r.janusType = 64;
    r.emitter = "gw1";
    r.plugin = "janus.plugin.videoroom";
    r.sessionId = 12;
    r.room = "1234";
    r.action = "plugin.videoroom.joined";
    r.outcome = "success";
    r.event = R"({"type":64})";
    return r;
}

// Every column set, in its extremes: negative and 64-bit numbers, quotes, backslashes, UTF-8.
AuditRecord full() {
    AuditRecord r = sample();
    r.instanceId = "gw-\xc3\xa9\"1\"";
    r.seq = 9007199254740993;
    r.eventTimeUs = -1;
    r.janusType = 0;
    r.subtype = -2;
    r.handleId = INT64_MIN;
    r.sessionId = INT64_MAX;
    r.actor = "ps1_\\x00";
    r.event = R"({"a":[1,"\u0001"],"b":"t\"q\""})";
    r.prevHash.fill(0xA5);
    return r;
}
}  // namespace

TEST(AuditChain, LinksRecordsAndStartsFromTheGivenHead) {
    AuditChain chain("gw1", 0, Digest256{});
    AuditRecord a = sample(), b = sample();
    chain.append(a);
    chain.append(b);
    EXPECT_EQ(a.seq, 1);
    EXPECT_EQ(b.seq, 2);
    EXPECT_EQ(a.prevHash, Digest256{});
    EXPECT_EQ(b.prevHash, a.hash);
    EXPECT_NE(a.hash, b.hash) << "seq and prev_hash are hashed";
    EXPECT_EQ(AuditChain::hashOf(b), b.hash);
    EXPECT_EQ(chain.seq(), 2);
    EXPECT_EQ(chain.head(), b.hash);
}

TEST(AuditChain, EveryColumnChangesTheHash) {
    AuditChain chain("gw1", 41, Digest256{1});
    AuditRecord r = sample();
    chain.append(r);
    EXPECT_EQ(r.seq, 42);
    std::vector<void (*)(AuditRecord&)> edits = {
        [](AuditRecord& x) { x.instanceId = "gw2"; },  [](AuditRecord& x) { x.seq++; },
        [](AuditRecord& x) { x.eventTimeUs++; },       [](AuditRecord& x) { x.janusType = 2; },
        [](AuditRecord& x) { x.subtype = 1; },         [](AuditRecord& x) { x.emitter.reset(); },
        [](AuditRecord& x) { x.plugin = "p"; },        [](AuditRecord& x) { x.sessionId = 13; },
        [](AuditRecord& x) { x.handleId = 0; },        [](AuditRecord& x) { x.room = "12345"; },
        [](AuditRecord& x) { x.actor = ""; },          [](AuditRecord& x) { x.action += "x"; },
        [](AuditRecord& x) { x.outcome = "failure"; }, [](AuditRecord& x) { x.event = R"({"type":65})"; },
        [](AuditRecord& x) { x.prevHash[0] ^= 1; },
    };
    for (size_t i = 0; i < edits.size(); ++i) {
        AuditRecord x = r;
        edits[i](x);
        EXPECT_NE(AuditChain::hashOf(x), r.hash) << "edit " << i;
    }
}

TEST(AuditChain, NullAndEmptyAndFieldBoundariesAreDistinct) {
    AuditRecord a = sample(), b = sample();
    a.room.reset();
    b.room = "";
    EXPECT_NE(AuditChain::hashOf(a), AuditChain::hashOf(b));
    a = sample();
    b = sample();
    a.room = "12";
    a.actor = "34";
    b.room = "1";
    b.actor = "234";
    EXPECT_NE(AuditChain::hashOf(a), AuditChain::hashOf(b));
}

TEST(AuditChain, CanonicalEncodingIsStable) {
    // A fixed vector: changing the encoding breaks every stored chain, so it must be deliberate.
    AuditRecord r = sample();
    r.instanceId = "gw1";
    r.seq = 1;
    EXPECT_EQ(hexEncode(AuditChain::hashOf(r)), hexEncode(sha256(AuditChain::canonical(r))));
    Bytes c = AuditChain::canonical(r);
    ASSERT_GE(c.size(), 24u);
    EXPECT_EQ(std::string(c.begin() + 4, c.begin() + 24), "janus-hipaa-audit/v1");
    // 24 prefix + instance 7 + seq 5 + time 20 + type 6 + null 4 + emitter 7 + plugin 26 + session 6 +
    // null 4 + room 8 + null 4 + action 27 + outcome 11 + event 15 + prev_hash 32
    EXPECT_EQ(c.size(), 206u);
}

TEST(AuditChain, CanonicalBytesOfStoredChainsNeverChange) {
    // Fixed vectors: the hashes of every trail already written depend on these bytes.
    AuditRecord r = sample();
    r.instanceId = "gw1";
    r.seq = 1;
    EXPECT_EQ(hexEncode(AuditChain::canonical(r)),
              "000000146a616e75732d68697061612d61756469742f7631000000036777310000000131000000103137393533383238"
              "3831383931383739000000023634ffffffff00000003677731000000166a616e75732e706c7567696e2e766964656f72"
              "6f6f6d000000023132ffffffff0000000431323334ffffffff00000017706c7567696e2e766964656f726f6f6d2e6a6f"
              "696e656400000007737563636573730000000b7b2274797065223a36347d000000000000000000000000000000000000"
              "0000000000000000000000000000");
    EXPECT_EQ(hexEncode(AuditChain::hashOf(r)), "ce64d425002b95a64eac9f13ab0475a7a7a729ab8e1b758bec226f2267499707");
    EXPECT_EQ(hexEncode(AuditChain::canonical(full())),
              "000000146a616e75732d68697061612d61756469742f76310000000867772dc3a9223122000000103930303731393932"
              "3534373430393933000000022d310000000130000000022d3200000003677731000000166a616e75732e706c7567696e"
              "2e766964656f726f6f6d0000001339323233333732303336383534373735383037000000142d39323233333732303336"
              "3835343737353830380000000431323334000000087073315f5c78303000000017706c7567696e2e766964656f726f6f"
              "6d2e6a6f696e656400000007737563636573730000001f7b2261223a5b312c225c7530303031225d2c2262223a22745c"
              "22715c22227da5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5");
    EXPECT_EQ(hexEncode(AuditChain::hashOf(full())),
              "e7051fb723b70af22b7bf3cffec3bef63cd6461a95d0ec15031f498285d3a538");
}

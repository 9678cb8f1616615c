// SPDX-License-Identifier: GPL-3.0-or-later
// The client request parser: each request becomes its own struct with only its fields, and every
// refusal names the first bad field with its code (the order of checks is part of the contract).
#include "RoomRequest.hpp"

#include "hipaa/Errors.hpp"

#include <gtest/gtest.h>

using namespace hipaa;
using namespace hipaa::room;

namespace {

RoomRequest parse(const std::string& text) { return parseRoomRequest(jsonParse(text).get()); }

// The code and message of the refusal, or {0, ""} when the request parses.
std::pair<int, std::string> refusal(const std::string& text) {
    try {
        parse(text);
    } catch (const Error& e) {
        return {e.code(), e.what()};
    }
    return {0, ""};
}

}  // namespace

TEST(RoomRequest, EachRequestBecomesItsOwnStructWithItsFields) {
    auto join = std::get<JoinRequest>(parse(R"({"request":"join","room":"r1","token":"a.b.c","dob":"1980-02-29"})"));
    EXPECT_EQ(join.room, "r1");
    EXPECT_EQ(join.token, "a.b.c");
    EXPECT_EQ(join.dob, "1980-02-29");
    EXPECT_EQ(join.display, "");

    auto sub = std::get<SubscriberJoinRequest>(parse(
        R"({"request":"join","ptype":"subscriber","room":"r1","private_id":7,"streams":[{"feed":"p_1","mid":"0"}]})"));
    EXPECT_EQ(sub.privateId, 7u);
    ASSERT_EQ(sub.streams.size(), 1u);
    EXPECT_EQ(sub.streams[0].feed, "p_1");
    EXPECT_EQ(sub.streams[0].mid, "0");
    // The legacy single-feed form, and a numeric feed (VideoRoom clients) read as its decimal string.
    auto legacy = std::get<SubscriberJoinRequest>(
        parse(R"({"request":"join","ptype":"subscriber","room":"r1","private_id":7,"feed":42})"));
    ASSERT_EQ(legacy.streams.size(), 1u);
    EXPECT_EQ(legacy.streams[0].feed, "42");

    EXPECT_EQ(std::get<KickRequest>(parse(R"({"request":"kick","id":"p_2"})")).id, "p_2");
    // ICE restart: VideoRoom's `restart` on configure, and alone on update.
    EXPECT_EQ(std::get<ConfigureRequest>(parse(R"({"request":"configure","restart":true})")).restart, 1);
    EXPECT_EQ(std::get<ConfigureRequest>(parse(R"({"request":"configure"})")).restart, -1);
    EXPECT_EQ(std::get<UpdateRequest>(parse(R"({"request":"update","restart":true})")).restart, 1);
    auto note = std::get<NoteRequest>(parse(R"({"request":"note","text":"better"})"));
    EXPECT_EQ(note.type, "11506-3");  // the default LOINC code
    EXPECT_TRUE(std::get<ConsentRequest>(parse(R"({"request":"consent","consent":true})")).consent);
    auto conf = std::get<ConfigureRequest>(
        parse(R"({"request":"configure","audio":false,"streams":[{"mid":"1","send":true}]})"));
    EXPECT_EQ(conf.audio, 0);
    EXPECT_EQ(conf.video, -1);
    EXPECT_EQ(conf.streams.at(0).send, 1);
    auto mod = std::get<ModerateRequest>(parse(R"({"request":"moderate","id":"p_3","mute":true,"mid":"0"})"));
    EXPECT_TRUE(mod.mute);
    EXPECT_EQ(mod.mid, "0");
    auto upd = std::get<UpdateRequest>(parse(R"({"request":"update","unsubscribe":[{"sub_mid":"2"}]})"));
    EXPECT_TRUE(upd.subscribe.empty());
    EXPECT_EQ(upd.unsubscribe.at(0).subMid, "2");

    for (const char* name : {"leave", "participants", "end", "record", "stop_record", "unpublish", "start", "pause"}) {
        RoomRequest r = parse(std::string(R"({"request":")") + name + R"(","extra":[1]})");
        EXPECT_STREQ(requestName(r), name);
    }
    EXPECT_STREQ(requestName(sub), "join");
}

TEST(RoomRequest, RefusalsNameTheFirstBadFieldWithItsCode) {
    using R = std::pair<int, std::string>;
    EXPECT_EQ(refusal("[1]"), R(301, "message must be a JSON object"));
    EXPECT_EQ(refusal(R"({"room":"r"})"), R(302, "missing field: request"));
    EXPECT_EQ(refusal(R"({"request":7})"), R(303, "field must be a string: request"));
    EXPECT_EQ(refusal(R"({"request":"dance"})"), R(304, "unknown request"));
    // Checked in order: room before ptype before token.
    EXPECT_EQ(refusal(R"({"request":"join","ptype":"x"})"), R(302, "missing field: room"));
    EXPECT_EQ(refusal(R"({"request":"join","room":"r","ptype":"x"})"), R(303, "ptype must be publisher or subscriber"));
    EXPECT_EQ(refusal(R"({"request":"join","room":"r"})"), R(302, "missing field: token"));
    EXPECT_EQ(refusal(R"({"request":"join","room":"r","token":"t","display":"a\u0007b"})"),
              R(303, "display has control characters"));
    EXPECT_EQ(refusal(R"({"request":"join","room":"r","token":"t","dob":"1980-02-290"})"),
              R(303, "field too long: dob"));
    EXPECT_EQ(refusal(R"({"request":"join","ptype":"subscriber","room":"r"})"), R(302, "missing field: private_id"));
    EXPECT_EQ(refusal(R"({"request":"join","ptype":"subscriber","room":"r","private_id":0,"feed":"p"})"),
              R(303, "private_id must be a positive integer"));
    EXPECT_EQ(refusal(R"({"request":"join","ptype":"subscriber","room":"r","private_id":1,"streams":[]})"),
              R(302, "missing field: feed"));
    EXPECT_EQ(refusal(R"({"request":"join","ptype":"subscriber","room":"r","private_id":1,"streams":[{"mid":"0"}]})"),
              R(302, "missing field: feed"));
    EXPECT_EQ(refusal(R"({"request":"update","subscribe":[{"feed":"p","mid":"0123456789012345678901234567890123"}]})"),
              R(303, "field too long: mid"));
    EXPECT_EQ(refusal(R"({"request":"update","subscribe":[]})"),
              R(302, "update needs subscribe, unsubscribe or restart"));
    EXPECT_EQ(refusal(R"({"request":"update","subscribe":[1]})"), R(303, "entries must be objects: subscribe"));
    EXPECT_EQ(refusal(R"({"request":"configure","streams":{}})"), R(303, "field must be an array: streams"));
    EXPECT_EQ(refusal(R"({"request":"publish","descriptions":[{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}]})"),
              R(303, "too many entries: descriptions"));
    EXPECT_EQ(refusal(R"({"request":"configure","video":"off"})"), R(303, "field must be a boolean: video"));
    EXPECT_EQ(refusal(R"({"request":"configure","restart":1})"), R(303, "field must be a boolean: restart"));
    EXPECT_EQ(refusal(R"({"request":"update","restart":false})"),
              R(302, "update needs subscribe, unsubscribe or restart"));
    EXPECT_EQ(refusal(R"({"request":"admit"})"), R(302, "missing field: id"));
    EXPECT_EQ(refusal(R"({"request":"note","text":""})"), R(303, "field must not be empty: text"));
    EXPECT_EQ(refusal(R"({"request":"note","text":"x","type":"LOINC"})"), R(303, "type must be a LOINC code"));
    EXPECT_EQ(refusal(R"({"request":"consent"})"), R(302, "missing field: consent"));
    EXPECT_EQ(refusal(R"({"request":"moderate","id":"p","mute":"yes"})"), R(303, "field must be a boolean: mute"));
}

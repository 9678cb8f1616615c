// SPDX-License-Identifier: GPL-3.0-or-later
// AuditRecord <-> JSON (spool frames, exports): every field both ways, in a fixed form.
#include <gtest/gtest.h>

#include "AuditChain.hpp"
#include "AuditRecordCodec.hpp"
#include "AuditRecordFields.hpp"
#include "hipaa/Errors.hpp"

using namespace hipaa;
using namespace hipaa::audit;

namespace {

AuditRecord everyColumn() {
    AuditRecord r;
    r.instanceId = "gw-\xc3\xa9";
    r.seq = 9007199254740993;
    r.eventTimeUs = 1795382881891879;
    r.janusType = 64;
    r.subtype = -2;
    r.emitter = "gw1";
    r.plugin = "janus.plugin.videoroom";
    r.sessionId = INT64_MAX;
    r.handleId = INT64_MIN;
    r.room = "1234";
    r.actor = "ps1_\"q\"\\";
    r.action = "plugin.videoroom.joined";
    r.outcome = "success";
    r.event = R"({"a":[1,"\u0001"],"type":64})";
    r.prevHash.fill(0xA5);
    r.hash = AuditChain::hashOf(r);
    return r;
}

}  // namespace

TEST(AuditRecordCodec, JsonFormOfARecordNeverChanges) {
    EXPECT_EQ(jsonDump(AuditRecordCodec::toJson(everyColumn()).get()),
              R"({"action":"plugin.videoroom.joined","actor":"ps1_\"q\"\\","emitter":"gw1",)"
              R"("event":{"a":[1,"\u0001"],"type":64},"handle_id":-9223372036854775808,)"
              R"("hash":"699ed7e4f2351d048b597030bbd685f39ec5b8bc7dc0bb5858b7690738136b3a",)"
              "\"instance_id\":\"gw-\xc3\xa9\","
              R"("janus_type":64,"outcome":"success","plugin":"janus.plugin.videoroom",)"
              R"("prev_hash":"a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5","room":"1234",)"
              R"("seq":9007199254740993,"session_id":9223372036854775807,"subtype":-2,)"
              R"("time":"2026-11-22T21:28:01.891879Z","time_us":1795382881891879})");
    AuditRecord nulls;
    nulls.instanceId = "gw1";
    nulls.seq = 1;
    nulls.action = "a";
    nulls.outcome = "success";
    nulls.event = "{}";
    EXPECT_EQ(jsonDump(AuditRecordCodec::toJson(nulls).get()),
              R"({"action":"a","event":{},"hash":"0000000000000000000000000000000000000000000000000000000000000000",)"
              R"("instance_id":"gw1","janus_type":0,"outcome":"success",)"
              R"("prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","seq":1,)"
              R"("time":"1970-01-01T00:00:00.000000Z","time_us":0})");
}

TEST(AuditRecordCodec, EveryFieldSurvivesTheRoundTrip) {
    AuditRecord r = everyColumn();
    AuditRecord back = AuditRecordCodec::fromJson(AuditRecordCodec::toJson(r).get());
    EXPECT_EQ(AuditChain::canonical(back), AuditChain::canonical(r));
    EXPECT_EQ(back.hash, r.hash);
    AuditRecord nulls;
    nulls.action = "a";
    nulls.outcome = "b";
    nulls.event = "{}";
    back = AuditRecordCodec::fromJson(AuditRecordCodec::toJson(nulls).get());
    EXPECT_FALSE(back.subtype || back.emitter || back.plugin || back.sessionId || back.handleId || back.room ||
                 back.actor);
    EXPECT_EQ(AuditChain::canonical(back), AuditChain::canonical(nulls));
}

TEST(AuditRecordCodec, AMissingRequiredFieldIsNamed) {
    for (const char* key :
         {"instance_id", "seq", "time_us", "janus_type", "action", "outcome", "event", "prev_hash", "hash"}) {
        JsonPtr j = AuditRecordCodec::toJson(everyColumn());
        json_object_del(j.get(), key);
        try {
            AuditRecordCodec::fromJson(j.get());
            ADD_FAILURE() << key << " accepted";
        } catch (const RequestError& e) {
            EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
        }
    }
}

TEST(AuditRecordFields, ColumnsInTableOrder) {
    EXPECT_EQ(AuditRecordFields::columnList(),
              "instance_id, seq, event_time, janus_type, subtype, emitter, plugin, session_id, handle_id, room, actor, "
              "action, outcome, event, prev_hash, hash");
    int n = 0;
    AuditRecord r;
    AuditRecordFields::forEach(r, [&](const AuditRecordFields::Field&, const auto&) { ++n; });
    EXPECT_EQ(n, AuditRecordFields::kCount);
}

// SPDX-License-Identifier: GPL-3.0-or-later
// The shipped policy (conf/) on real Janus 1.1.2 events (tests/support/audit-events, see README there):
// no planted identifier survives, the columns are derived, unknown fields are dropped and counted.
#include "AuditPolicy.hpp"
#include "EventScrubber.hpp"

#include "hipaa/Errors.hpp"
#include "hipaa/Json.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

using namespace hipaa;
using namespace hipaa::audit;

namespace {

const std::string kSamples = std::string(HIPAA_SOURCE_DIR) + "/tests/support/audit-events";
const std::string kPolicy = std::string(HIPAA_SOURCE_DIR) + "/conf/janus.eventhandler.hipaa.audit.policy.jcfg";

// Everything planted in the samples; compared case-insensitively against the scrubbed output.
const char* kPhi[] = {"jane",       "patient",           "john",        "caller",      "867-5309", "5309",
                      "tok-secret", "secrethandletoken", "example.com", "192.168.77",  "mrn",      "1980",
                      "v=0",        "typ host",          "udp 2",       "fingerprint", "50000",    "54321",
                      "cname"};

std::vector<std::pair<std::string, JsonPtr>> samples() {
    std::vector<std::pair<std::string, JsonPtr>> out;
    for (const auto& e : std::filesystem::directory_iterator(kSamples)) {
        if (e.path().extension() != ".json") continue;
        std::ifstream in(e.path());
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        out.emplace_back(e.path().filename().string(), jsonParse(text));
    }
    std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.first < b.first; });
    return out;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

Pseudonymizer testKey() { return Pseudonymizer(Bytes(32, 0x42)); }

std::string dumpRecord(const AuditRecord& r) {
    return r.event + "|" + r.action + "|" + r.room.value_or("") + "|" + r.actor.value_or("") + "|" +
           r.plugin.value_or("") + "|" + r.emitter.value_or("");
}

}  // namespace

TEST(EventScrubber, NoPlantedIdentifierSurvivesAnyRealSample) {
    AuditPolicy policy = AuditPolicy::fromFile(kPolicy);
    Pseudonymizer ps = testKey();
    EventScrubber scrubber(policy, ps);
    auto all = samples();
    ASSERT_GE(all.size(), 20u);
    // The samples really contain the PHI (else this test could not fail).
    size_t planted = 0;
    for (auto& [name, ev] : all)
        for (const char* phi : kPhi)
            if (lower(jsonDump(ev.get())).find(phi) != std::string::npos) ++planted;
    EXPECT_GT(planted, 20u);
    for (auto& [name, ev] : all) {
        AuditRecord r = scrubber.scrub(ev.get());
        std::string text = lower(dumpRecord(r));
        for (const char* phi : kPhi)
            EXPECT_EQ(text.find(phi), std::string::npos) << name << " kept '" << phi << "': " << text;
        EXPECT_FALSE(r.action.empty()) << name;
        EXPECT_GT(r.eventTimeUs, 1700000000000000) << name;
    }
}

TEST(EventScrubber, DerivesColumnsAndPseudonymizesTheDisplayName) {
    AuditPolicy policy = AuditPolicy::fromFile(kPolicy);
    Pseudonymizer ps = testKey();
    EventScrubber scrubber(policy, ps);
    std::map<std::string, AuditRecord> by;
    for (auto& [name, ev] : samples()) by.emplace(name, scrubber.scrub(ev.get()));

    const AuditRecord& joined = by.at("06-plugin-videoroom-joined.json");
    EXPECT_EQ(joined.action, "plugin.videoroom.joined");
    EXPECT_EQ(joined.room, "1234");
    std::string display = ps.value("display", "Jane Q. Patient");
    EXPECT_EQ(joined.actor, display);
    JsonPtr ev = jsonParse(joined.event);
    EXPECT_EQ(jsonString(json_object_get(json_object_get(ev.get(), "event"), "data"), "display"), display);
    EXPECT_EQ(jsonString(ev.get(), "opaque_id"), ps.value("opaque_id", "videoroomtest-patient-jane.doe@example.com"));
    EXPECT_EQ(joined.plugin, "janus.plugin.videoroom");
    EXPECT_EQ(joined.sessionId, 322427162715521);

    EXPECT_EQ(by.at("07-jsep-remote-offer.json").action, "jsep.remote.offer");
    EXPECT_EQ(by.at("08-webrtc-ice.json").action, "webrtc.ice.gathering");
    EXPECT_EQ(by.at("09-webrtc-remote-candidate.json").action, "webrtc.remote-candidate");
    EXPECT_EQ(by.at("21-media.json").action, "media.stats");
    EXPECT_NE(by.at("21-media.json").event.find("\"packets-received\":0"), std::string::npos);
    EXPECT_EQ(by.at("23-session-destroyed.json").action, "session.destroyed");
    EXPECT_EQ(by.at("26-core-shutdown.json").action, "core.shutdown");
    const AuditRecord& transport = by.at("02-transport.json");
    EXPECT_EQ(transport.action, "transport.request");
    EXPECT_NE(transport.event.find("\"ip\":\"127.0.0.0/24\""), std::string::npos) << transport.event;
    EXPECT_EQ(transport.event.find("\"port\""), std::string::npos);
    // The AudioBridge participant's display (name + phone) is one pseudonym, not pattern-scrubbed text.
    EXPECT_EQ(by.at("16-plugin-audiobridge-joined.json").actor, ps.value("display", "John Caller 555-867-5309"));
    EXPECT_GT(scrubber.counters().pseudonymized, 0u);
    EXPECT_GT(scrubber.counters().coarsened, 0u);
}

TEST(EventScrubber, UnknownFieldsAreDroppedAndCounted) {
    AuditPolicy policy = AuditPolicy::fromFile(kPolicy);
    Pseudonymizer ps = testKey();
    EventScrubber scrubber(policy, ps);
    JsonPtr ev = jsonParse(R"({"emitter":"x","type":64,"timestamp":1795382881891879,"session_id":1,"handle_id":2,
        "new_envelope_field":"Jane Doe",
        "event":{"plugin":"janus.plugin.videoroom","data":{"event":"joined","room":7,"new_field":"Jane Doe",
        "nested":{"a":"b","c":[1,2]}}}})");
    AuditRecord r = scrubber.scrub(ev.get());
    EXPECT_EQ(r.event.find("Jane"), std::string::npos) << r.event;
    EXPECT_EQ(r.event.find("nested"), std::string::npos);
    EXPECT_EQ(scrubber.counters().droppedUnknown, 3u);  // new_envelope_field, new_field, nested
    EXPECT_EQ(r.room, "7");

    // A plugin with no rule of its own: only plugin, event and room survive.
    JsonPtr other = jsonParse(R"({"type":64,"timestamp":1,"event":{"plugin":"janus.plugin.sip",
        "data":{"event":"registered","username":"sip:jane@example.com","room":"r1"}}})");
    AuditRecord o = scrubber.scrub(other.get());
    EXPECT_EQ(o.action, "plugin.sip.registered");
    EXPECT_EQ(o.event.find("jane"), std::string::npos);
    EXPECT_EQ(o.room, "r1");
}

TEST(EventScrubber, ActionsOfDottedPluginPackagesKeepTheirName) {
    AuditPolicy policy = AuditPolicy::fromFile(kPolicy);
    Pseudonymizer ps = testKey();
    EventScrubber scrubber(policy, ps);
    auto action = [&](const std::string& plugin) {
        JsonPtr ev = jsonParse(R"({"type":64,"timestamp":1,"event":{"plugin":")" + plugin +
                               R"(","data":{"event":"admitted"}}})");
        return scrubber.scrub(ev.get()).action;
    };
    EXPECT_EQ(action("janus.plugin.hipaa.room"), "plugin.hipaa.room.admitted");
    EXPECT_EQ(action("janus.plugin.hipaa.recorder"), "plugin.hipaa.recorder.admitted");
    EXPECT_EQ(action("janus.plugin.videoroom"), "plugin.videoroom.admitted");
    for (const char* odd :
         {"janus.plugin.hipaa..room", "janus.plugin.hipaa.room.", "janus.plugin.a b", "janus.plugin.x'y"})
        EXPECT_EQ(action(odd), "plugin.other.admitted") << odd;
}

TEST(EventScrubber, KeptStringsGoThroughThePatternPass) {
    AuditPolicy policy = AuditPolicy::fromText(R"(x: { type = 64  keep = ["event.plugin", "event.data.**"] })");
    Pseudonymizer ps = testKey();
    EventScrubber scrubber(policy, ps);
    JsonPtr ev = jsonParse(R"({"type":64,"timestamp":1,"event":{"plugin":"p","data":{"note":"call 555-123-4567",
        "list":["jane@example.com", 3]}}})");
    JsonPtr out = scrubber.scrubTree(ev.get());
    std::string text = jsonDump(out.get());
    EXPECT_NE(text.find("call [phone]"), std::string::npos) << text;
    EXPECT_NE(text.find("[\"[email]\",3]"), std::string::npos) << text;
    EXPECT_EQ(text.find("type"), std::string::npos) << "no envelope group: type is not kept";
    EXPECT_EQ(scrubber.counters().patternHits, 2u);
}

TEST(EventScrubber, CoarsensIpv4To24AndIpv6To48) {
    EXPECT_EQ(EventScrubber::coarsenIp("192.168.77.41"), "192.168.77.0/24");
    EXPECT_EQ(EventScrubber::coarsenIp("2001:db8:85a3:1234::1"), "2001:db8:85a3::/48");
    EXPECT_EQ(EventScrubber::coarsenIp("not-an-ip"), std::nullopt);
}

TEST(AuditPolicy, RejectsMalformedRulesNamingThem) {
    EXPECT_THROW(AuditPolicy::fromText(R"(r: { keep = ["a"] })"), ConfigError);            // no type
    EXPECT_THROW(AuditPolicy::fromText(R"(r: { type = 1 keeps = ["a"] })"), ConfigError);  // unknown key
    EXPECT_THROW(AuditPolicy::fromText(R"(r: { type = 1 keep = ["a"] drop = ["a"] })"), ConfigError);
    EXPECT_THROW(AuditPolicy::fromText(R"(r: { type = 1 keep = ["**.a"] })"), ConfigError);
    EXPECT_THROW(AuditPolicy::fromText(R"(r: { type = 1 plugin = "x" })"), ConfigError);
    try {
        AuditPolicy::fromText(R"(myrule: { type = 1 keep = ["a..b"] })");
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("myrule"), std::string::npos);
    }
}

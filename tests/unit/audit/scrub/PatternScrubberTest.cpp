// SPDX-License-Identifier: GPL-3.0-or-later
// The pattern pass over kept strings: a table of identifiers that must go and near-misses that stay.
#include "PatternScrubber.hpp"

#include <gtest/gtest.h>

using hipaa::audit::PatternScrubber;

namespace {
struct Case {
    const char* in;
    const char* out;
};

const Case kIdentifiers[] = {
    {"mail jane.doe@example.com now", "mail [email] now"},
    {"J.Q+tag@clinic-1.health.org", "[email]"},
    {"see https://ehr.example.org/patient/123?x=1 ok", "see [url] ok"},
    {"www.example.com/jane", "[url]"},
    {"sip:alice@pbx.example.com", "[url]"},
    {"from 192.168.77.41 port", "from [ip] port"},
    {"10.0.0.1", "[ip]"},
    {"fe80::1ff:fe23:4567:890a%eth0", "[ip]%eth0"},
    {"2001:db8:85a3::8a2e:370:7334", "[ip]"},
    {"SSN 123-45-6789", "SSN [ssn]"},
    {"ssn:123456789", "[ssn]"},
    {"dob 04/12/1980", "dob [date]"},
    {"born 1980-04-12", "born [date]"},
    {"April 12, 1980", "[date]"},
    {"12 Apr 1980", "[date]"},
    {"call (555) 123-4567", "call [phone]"},
    {"555-867-5309", "[phone]"},
    {"+1 555 867 5309", "[phone]"},
    {"fax 555.123.4567", "fax [phone]"},
    {"+44 20 7946 0958", "[phone]"},
    {"MRN: A1234567", "[id]"},
    {"mrn 00123456", "[id]"},
    {"record 12345678", "record [id]"},
    {"MR0012345678", "[id]"},
};

const Case kNearMisses[] = {
    {"joined", "joined"},
    {"janus.plugin.videoroom", "janus.plugin.videoroom"},
    {"1.1.2", "1.1.2"},
    {"room 1234", "room 1234"},
    {"999.1.2.3", "999.1.2.3"},
    {"1.2.3", "1.2.3"},
    {"123-45-678", "123-45-678"},
    {"12:30", "12:30"},
    {"opus/48000/2", "opus/48000/2"},
    {"ps1_0123456789abcdef0123456789abcdef", "ps1_0123456789abcdef0123456789abcdef"},
    {"webrtcup", "webrtcup"},
    {"SRTP_AES128_CM_SHA1_80", "SRTP_AES128_CM_SHA1_80"},
    {"bitrate 128000", "bitrate 128000"},
    {"user at example dot com", "user at example dot com"},
    {"year 2023", "year 2023"},
    {"sha-256", "sha-256"},
};
}  // namespace

TEST(PatternScrubber, ReplacesEveryIdentifierInTheTable) {
    PatternScrubber p;
    for (const auto& c : kIdentifiers) {
        std::string s = c.in;
        size_t hits = 0;
        EXPECT_TRUE(p.scrub(s, &hits)) << c.in;
        EXPECT_EQ(s, c.out) << c.in;
        EXPECT_GE(hits, 1u);
    }
}

TEST(PatternScrubber, LeavesNearMissesAlone) {
    PatternScrubber p;
    for (const auto& c : kNearMisses) {
        std::string s = c.in;
        EXPECT_FALSE(p.scrub(s)) << c.in << " -> " << s;
        EXPECT_EQ(s, c.out);
    }
}

TEST(PatternScrubber, ReplacesSeveralInOneString) {
    PatternScrubber p;
    std::string s = "Dr. Smith: call jane.doe@example.com at (555) 123-4567, SSN 123-45-6789";
    size_t hits = 0;
    ASSERT_TRUE(p.scrub(s, &hits));
    EXPECT_EQ(s, "Dr. Smith: call [email] at [phone], SSN [ssn]");
    EXPECT_EQ(hits, 3u);
}

// SPDX-License-Identifier: GPL-3.0-or-later
// Query filters: every instance by default, paged with a cursor; one instance paged with after_seq;
// the two paging fields are not mixed up.
#include "AuditErrors.hpp"
#include "AuditQuery.hpp"

#include "hipaa/Errors.hpp"

#include <gtest/gtest.h>

using namespace hipaa;
using namespace hipaa::audit;

namespace {

int refusal(const std::string& request) {
    try {
        AuditQuery::parse(jsonParse(request).get());
    } catch (const RequestError& e) {
        return e.code();
    }
    return 0;
}

}  // namespace

TEST(AuditQuery, SpansEveryInstanceByDefaultAndPagesWithACursor) {
    AuditQuery::Filter all = AuditQuery::parse(jsonParse(R"({"limit":5})").get());
    EXPECT_FALSE(all.instanceId) << "no instance filter unless asked";
    AuditRecord last;
    last.eventTimeUs = 1795382881891999;
    last.seq = 42;
    last.instanceId = "gw:2";
    std::string text = AuditQuery::Cursor::after(last).text();
    AuditQuery::Filter next = AuditQuery::parse(jsonParse(R"({"cursor":")" + text + "\"}").get());
    ASSERT_TRUE(next.cursor);
    EXPECT_EQ(next.cursor->eventTimeUs, 1795382881891999);
    EXPECT_EQ(next.cursor->seq, 42);
    EXPECT_EQ(next.cursor->instanceId, "gw:2");
    AuditQuery::Filter one = AuditQuery::parse(jsonParse(R"({"instance_id":"gw-1","after_seq":7})").get());
    EXPECT_EQ(one.instanceId, "gw-1");
    EXPECT_EQ(one.afterSeq, 7);
}

TEST(AuditQuery, RefusesMixedOrMalformedPaging) {
    EXPECT_EQ(refusal(R"({"after_seq":3})"), audit::errc::kBadFilter) << "after_seq needs one instance";
    EXPECT_EQ(refusal(R"({"instance_id":"gw-1","cursor":"c1:1:1:gw-1"})"), audit::errc::kBadFilter);
    for (const char* bad : {"c1:x", "c1:1:1:", "c2:1:1:gw", "c1::1:gw", "c1:1:-1:gw", "c1:99999999999999999999:1:gw"})
        EXPECT_EQ(refusal(std::string(R"({"cursor":")") + bad + "\"}"), audit::errc::kBadFilter) << bad;
    EXPECT_EQ(refusal(R"({"cursor":7})"), audit::errc::kInvalidField);
}

// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/Logger.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace hipaa;

TEST(Logger, PrefixesAndForwardsToItsSink) {
    std::vector<std::pair<LogLevel, std::string>> lines;
    Logger log("hipaa.test", [&](LogLevel l, std::string_view m) { lines.emplace_back(l, std::string(m)); });
    log.warn("disk almost full");
    log.error("boom");
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].first, LogLevel::Warn);
    EXPECT_EQ(lines[0].second, "[hipaa.test] disk almost full");
    EXPECT_EQ(lines[1].first, LogLevel::Error);
    Logger silent;
    EXPECT_NO_THROW(silent.info("nobody listens"));
}

// SPDX-License-Identifier: GPL-3.0-or-later
// Empties the answer log (HIPAA_ANSWER_LOG) before the first test: this run's answers only. Stops the
// contract's Janus processes after the last test; each must exit cleanly.
#include <gtest/gtest.h>

#include "AnswerLog.hpp"
#include "ContractJanus.hpp"

namespace {

class ContractRun : public ::testing::Environment {
public:
    void SetUp() override { hipaa::test::AnswerLog::restart(); }
    void TearDown() override {
        std::string problems = hipaa::test::ContractJanus::stopAll();
        EXPECT_TRUE(problems.empty()) << problems;
    }
};

[[maybe_unused]] ::testing::Environment* const kEnvironment = ::testing::AddGlobalTestEnvironment(new ContractRun);

}  // namespace

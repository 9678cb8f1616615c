// Stops the contract's Janus processes after the last test; each must exit cleanly.
#include <gtest/gtest.h>

#include "ContractJanus.hpp"

namespace {

class StopContractJanus : public ::testing::Environment {
public:
    void TearDown() override {
        std::string problems = hipaa::test::ContractJanus::stopAll();
        EXPECT_TRUE(problems.empty()) << problems;
    }
};

[[maybe_unused]] ::testing::Environment* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new StopContractJanus);

}  // namespace

// SPDX-License-Identifier: GPL-3.0-or-later
// Janus' core calls srtp_init() once per process; a test binary without Janus does it here, in a gtest
// Environment (an object library: linked into each binary whose tests run libsrtp; a second init fails).
#include <gtest/gtest.h>
#include <srtp2/srtp.h>

namespace {

struct SrtpLibrary : ::testing::Environment {
    void SetUp() override { ASSERT_EQ(srtp_init(), srtp_err_status_ok); }
    void TearDown() override { srtp_shutdown(); }
};
[[maybe_unused]] auto* const kSrtpLibrary = ::testing::AddGlobalTestEnvironment(new SrtpLibrary);

}  // namespace

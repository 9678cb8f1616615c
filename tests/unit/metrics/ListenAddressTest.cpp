// SPDX-License-Identifier: GPL-3.0-or-later
#include "ListenAddress.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

using hipaa::metrics::ListenAddress;

TEST(ListenAddress, LoopbackIsRecognised) {
    for (const char* a : {"127.0.0.1:9464", "127.1.2.3:0", "localhost:9464", "[::1]:9464", "[::ffff:127.0.0.1]:1"})
        EXPECT_TRUE(ListenAddress::parse(a).loopback()) << a;
    for (const char* a :
         {"0.0.0.0:9464", "10.0.0.5:9464", "128.0.0.1:9464", "[::]:9464", "[fe80::1]:9464", "[::ffff:10.0.0.1]:1"})
        EXPECT_FALSE(ListenAddress::parse(a).loopback()) << a;
}

TEST(ListenAddress, OnlyNumericHostsAndPortsAreAccepted) {
    for (const char* a : {"9464", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:9x",
                          "example.org:9464", "::1:9464", "[::1:9464", "[127.0.0.1]:9464", ":9464", "127.0.0.1:9464 "})
        EXPECT_THROW(ListenAddress::parse(a), std::invalid_argument) << a;
    EXPECT_EQ(ListenAddress::parse("127.0.0.1:9464").family(), AF_INET);
    EXPECT_EQ(ListenAddress::parse("[::1]:9464").family(), AF_INET6);
}

// SPDX-License-Identifier: GPL-3.0-or-later
#include "HttpRequestHead.hpp"

#include <gtest/gtest.h>

using hipaa::metrics::HttpRequestHead;

TEST(HttpRequestHead, OnlyGetMetricsIsServed) {
    EXPECT_EQ(HttpRequestHead::status("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    EXPECT_EQ(HttpRequestHead::status("GET /metrics HTTP/1.0\r\n\r\n"), 200);
    EXPECT_EQ(HttpRequestHead::status("GET /metrics?name[]=up HTTP/1.1\r\n\r\n"), 200);
    EXPECT_EQ(HttpRequestHead::status("GET /metrics HTTP/1.1\n\n"), 200);
    EXPECT_EQ(HttpRequestHead::status("GET / HTTP/1.1\r\n\r\n"), 404);
    EXPECT_EQ(HttpRequestHead::status("GET /metrics/ HTTP/1.1\r\n\r\n"), 404);
    EXPECT_EQ(HttpRequestHead::status("GET /metricsx HTTP/1.1\r\n\r\n"), 404);
    EXPECT_EQ(HttpRequestHead::status("POST /metrics HTTP/1.1\r\n\r\n"), 405);
    EXPECT_EQ(HttpRequestHead::status("HEAD /metrics HTTP/1.1\r\n\r\n"), 405);
    EXPECT_EQ(HttpRequestHead::status("get /metrics HTTP/1.1\r\n\r\n"), 405);
    EXPECT_EQ(HttpRequestHead::status("GET /metrics HTTP/2.0\r\n\r\n"), 505);
}

TEST(HttpRequestHead, AnythingElseIsABadRequest) {
    for (const char* bad :
         {"", "\r\n\r\n", "GET\r\n\r\n", "GET /metrics\r\n\r\n", "GET  /metrics HTTP/1.1\r\n\r\n",
          "GET metrics HTTP/1.1\r\n\r\n", "GET /metrics HTTP/1.1 \r\n\r\n", "GET /met rics HTTP/1.1\r\n\r\n",
          "GET /metrics http/1.1\r\n\r\n", "G(T /metrics HTTP/1.1\r\n\r\n", "GET /metrics\x01 HTTP/1.1\r\n\r\n",
          "GET /metrics HTTP/1.12\r\n\r\n", "\x16\x03\x01\x02\x00\x01"})
        EXPECT_EQ(HttpRequestHead::status(bad), 400) << bad;
}

TEST(HttpRequestHead, CompleteAtTheEmptyLine) {
    EXPECT_FALSE(HttpRequestHead::complete("GET /metrics HTTP/1.1\r\nHost: x\r\n"));
    EXPECT_TRUE(HttpRequestHead::complete("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
    EXPECT_TRUE(HttpRequestHead::complete("GET /metrics HTTP/1.1\n\n"));
}

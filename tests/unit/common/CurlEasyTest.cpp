#include "FreePort.hpp"
#include "hipaa/CurlEasy.hpp"
#include "hipaa/Errors.hpp"

#include <gtest/gtest.h>

using namespace hipaa;

TEST(CurlEasy, TransportFailureIsAnHttpErrorWithStatusZero) {
    CurlGlobal g;
    CurlEasy c;
    HttpRequest r;
    r.url = "https://127.0.0.1:" + std::to_string(test::freeLoopbackPort()) + "/";
    r.connectTimeoutMs = 500;
    r.timeoutMs = 1000;
    try {
        c.perform(r);
        FAIL();
    } catch (const HttpError& e) {
        EXPECT_EQ(e.status(), 0);
    }
}

TEST(CurlEasy, RefusesNonHttpSchemes) {
    CurlGlobal g;
    CurlEasy c;
    HttpRequest r;
    r.url = "file:///etc/passwd";
    EXPECT_THROW(c.perform(r), HttpError);
}

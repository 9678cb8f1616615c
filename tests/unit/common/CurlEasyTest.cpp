// SPDX-License-Identifier: GPL-3.0-or-later
#include "FreePort.hpp"
#include "LocalHttpServer.hpp"
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

// Real local servers (tests/support/LocalHttpServer): the client side of what an EHR could answer.
namespace {

HttpRequest get(const std::string& url, const std::string& ca = {}) {
    HttpRequest r;
    r.url = url;
    r.caBundle = ca;
    r.connectTimeoutMs = 2000;
    r.timeoutMs = 10000;
    return r;
}

std::string transportError(CurlEasy& c, const HttpRequest& r) {
    try {
        c.perform(r);
        return {};
    } catch (const HttpError& e) {
        EXPECT_EQ(e.status(), 0);
        return e.what();
    }
}

}  // namespace

TEST(CurlEasy, HttpsWorksWithTheServersCa) {
    CurlGlobal g;
    test::LocalHttpServer server(true, test::LocalHttpServer::response("200 OK", "hello"));
    CurlEasy c;
    HttpResponse r = c.perform(get(server.url(), server.caFile()));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "hello");
}

// PHI travels in the requests: a plain http:// URL is refused before any connection is made.
TEST(CurlEasy, RefusesPlainHttpWithoutConnecting) {
    CurlGlobal g;
    test::LocalHttpServer plain(false, test::LocalHttpServer::response("200 OK", "hello"));
    CurlEasy c;
    std::string m = transportError(c, get(plain.url()));
    EXPECT_NE(m.find("HTTP transport error"), std::string::npos) << m;
    EXPECT_EQ(plain.connections(), 0);
    // Only tests and tools talking to Janus' own HTTP API on loopback ask for plain http.
    CurlEasy loopback(CurlEasy::Schemes::HttpAndHttps);
    EXPECT_EQ(loopback.perform(get(plain.url())).status, 200);
}

TEST(CurlEasy, DoesNotFollowARedirectToHttp) {
    CurlGlobal g;
    test::LocalHttpServer plain(false, test::LocalHttpServer::response("200 OK", "hello"));
    test::LocalHttpServer tls(
        true, test::LocalHttpServer::response("307 Temporary Redirect", "", "Location: " + plain.url() + "\r\n"));
    CurlEasy c;
    EXPECT_EQ(c.perform(get(tls.url(), tls.caFile())).status, 307);  // the answer, not where it points
    EXPECT_EQ(plain.connections(), 0);
}

// An endless or huge answer must not grow Janus' memory: the transfer stops at the cap.
TEST(CurlEasy, CapsTheResponseBody) {
    CurlGlobal g;
    const std::string big(kHttpMaxResponseBytes + 1, 'x');
    CurlEasy c;
    {  // with Content-Length
        test::LocalHttpServer server(true, test::LocalHttpServer::response("200 OK", big));
        std::string m = transportError(c, get(server.url(), server.caFile()));
        EXPECT_NE(m.find("response body larger than " + std::to_string(kHttpMaxResponseBytes) + " bytes"),
                  std::string::npos)
            << m;
    }
    {  // without (the body ends when the connection closes)
        test::LocalHttpServer server(true, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + big);
        std::string m = transportError(c, get(server.url(), server.caFile()));
        EXPECT_NE(m.find("response body larger than"), std::string::npos) << m;
    }
    {  // a smaller cap per request; a body of exactly the cap is fine
        test::LocalHttpServer server(true, test::LocalHttpServer::response("200 OK", std::string(1000, 'y')));
        HttpRequest r = get(server.url(), server.caFile());
        r.maxResponseBytes = 1000;
        EXPECT_EQ(c.perform(r).body.size(), 1000u);
        r.maxResponseBytes = 999;
        EXPECT_NE(transportError(c, r).find("response body larger than 999 bytes"), std::string::npos);
    }
}

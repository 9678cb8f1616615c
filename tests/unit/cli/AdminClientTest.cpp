// SPDX-License-Identifier: GPL-3.0-or-later
// AdminClient's refusals before and after sending (the real Janus answers it in
// tests/integration/cli), AdminUrl's loopback rule and the admin secret file's rules.
#include "AdminClient.hpp"
#include "AdminError.hpp"
#include "AdminSecretFile.hpp"
#include "AdminUrl.hpp"
#include "LocalHttpServer.hpp"
#include "TempDir.hpp"

#include "hipaa/Errors.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace hipaa;
using namespace hipaa::cli;
using hipaa::test::LocalHttpServer;
using hipaa::test::TempDir;

namespace {

const std::string kSecret = "3f9c2b7e1d4a5f608172a3b4c5d6e7f8";

// The AdminError `call` throws; fails the test when it throws nothing.
AdminError errorOf(const std::function<void()>& call) {
    try {
        call();
    } catch (const AdminError& e) {
        EXPECT_EQ(std::string(e.what()).find(kSecret), std::string::npos) << "secret in: " << e.what();
        return e;
    }
    ADD_FAILURE() << "no AdminError";
    return {AdminError::Kind::Transport, -1, ""};
}

JsonPtr infoRequest() { return jsonParse(R"({"request":"info"})"); }

}  // namespace

TEST(AdminUrl, PlainHttpOnlyToLoopbackHttpsAnywhere) {
    for (const char* ok : {"http://127.0.0.1:7088/admin", "http://127.9.8.7/admin", "http://localhost:7088/admin",
                           "http://LocalHost/admin", "http://[::1]:7088/admin", "https://janus.example.org/admin",
                           "https://10.0.0.5:7889/admin"})
        EXPECT_NO_THROW(AdminUrl::parse(ok)) << ok;
    EXPECT_TRUE(AdminUrl::parse("https://janus.example.org/admin").https());
    for (const char* bad :
         {"http://10.0.0.5:7088/admin", "http://janus.example.org/admin", "http://127.0.0.1.evil.example/admin",
          "http://0.0.0.0:7088/admin", "http://[::ffff:10.0.0.1]/admin", "ftp://127.0.0.1/admin", "file:///etc/passwd",
          "127.0.0.1:7088/admin", "not a url"}) {
        AdminError e = errorOf([&] { AdminUrl::parse(bad); });
        EXPECT_EQ(e.kind(), AdminError::Kind::Transport) << bad;
        EXPECT_NE(std::string(e.what()).find("--admin-url"), std::string::npos) << e.what();
    }
    // Credentials in the URL are refused without being echoed.
    AdminError e = errorOf([] { AdminUrl::parse("http://admin:" + kSecret + "@127.0.0.1:7088/admin"); });
    EXPECT_NE(std::string(e.what()).find("password"), std::string::npos) << e.what();
}

TEST(AdminClient, RefusesBeforeSendingWhenTheUrlOrSecretIsUnfit) {
    EXPECT_EQ(errorOf([] { AdminClient("http://192.0.2.1:7088/admin", kSecret); }).kind(), AdminError::Kind::Transport);
    EXPECT_NE(std::string(errorOf([] { AdminClient("http://127.0.0.1:7088/admin", ""); }).what()).find("empty"),
              std::string::npos);
    EXPECT_NE(std::string(errorOf([] { AdminClient("http://127.0.0.1:7088/admin", "\xff\xfe"); }).what()).find("UTF-8"),
              std::string::npos);
}

TEST(AdminClient, AnAnswerThatIsNotJanusForThisRequestIsRefused) {
    // A canned answer cannot know the random transaction: it is someone else's answer.
    LocalHttpServer other(
        false, LocalHttpServer::response("200 OK", R"({"janus":"success","transaction":"x","response":{"ok":true}})"));
    AdminClient a(other.url("/admin"), kSecret);
    AdminError e = errorOf([&] { a.plugin("janus.plugin.hipaa.room", infoRequest().get()); });
    EXPECT_EQ(e.kind(), AdminError::Kind::Transport);
    EXPECT_NE(std::string(e.what()).find("not for this request"), std::string::npos) << e.what();

    LocalHttpServer notFound(false, LocalHttpServer::response("404 Not Found", "nope"));
    AdminClient b(notFound.url("/admin"), kSecret);
    e = errorOf([&] { b.handler("janus.eventhandler.hipaa.audit", infoRequest().get()); });
    EXPECT_EQ(e.code(), 404);

    LocalHttpServer junk(false, LocalHttpServer::response("200 OK", "<html>"));
    AdminClient c(junk.url("/admin"), kSecret);
    EXPECT_NE(std::string(errorOf([&] { c.plugin("p", infoRequest().get()); }).what()).find("not JSON"),
              std::string::npos);
}

TEST(AdminClient, AnAnswerOverTheCapIsRefused) {
    LocalHttpServer huge(false,
                         LocalHttpServer::response("200 OK", std::string(AdminClient::kMaxAnswerBytes + 1, 'x')));
    AdminClient a(huge.url("/admin"), kSecret);
    AdminError e = errorOf([&] { a.plugin("janus.plugin.hipaa.room", infoRequest().get()); });
    EXPECT_EQ(e.kind(), AdminError::Kind::Transport);
    EXPECT_NE(std::string(e.what()).find("larger than"), std::string::npos) << e.what();
}

TEST(AdminClient, HttpsIsVerifiedAndNothingAnswersInTime) {
    // A self-signed certificate nobody trusts: refused, whatever it would have answered.
    LocalHttpServer tls(true, LocalHttpServer::response("200 OK", "{}"));
    AdminClient a(tls.url("/admin"), kSecret);
    EXPECT_EQ(errorOf([&] { a.plugin("p", infoRequest().get()); }).kind(), AdminError::Kind::Transport);
    // Nobody listens: a transport error, quickly.
    AdminClient b("http://127.0.0.1:1/admin", kSecret);
    b.setTimeouts(500, 1000);
    EXPECT_EQ(errorOf([&] { b.plugin("p", infoRequest().get()); }).kind(), AdminError::Kind::Transport);
}

TEST(AdminSecretFile, TheSameRulesAsEveryOtherSecretFile) {
    TempDir dir;
    EXPECT_EQ(AdminSecretFile::read(dir.write("ok", kSecret + "\n", 0600)), kSecret);
    EXPECT_EQ(AdminSecretFile::read(dir.write("ro", kSecret, 0400)), kSecret);
    auto refused = [](const std::string& path, const std::string& what) {
        try {
            AdminSecretFile::read(path);
            ADD_FAILURE() << path << " accepted";
        } catch (const ConfigError& e) {
            EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
            EXPECT_EQ(std::string(e.what()).find(kSecret), std::string::npos) << e.what();
        }
    };
    refused(dir.write("open", kSecret, 0644), "mode 0644");
    refused(dir.write("group", kSecret, 0640), "mode 0640");
    refused(dir.write("empty", "\n", 0600), "empty");
    refused(dir.write("two", kSecret + "\nmore\n", 0600), "one line");
    refused(dir.file("missing"), "cannot open");
    ASSERT_EQ(::symlink(dir.file("ok").c_str(), dir.file("link").c_str()), 0);
    refused(dir.file("link"), "symlink");
}

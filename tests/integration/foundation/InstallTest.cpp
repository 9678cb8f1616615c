// SPDX-License-Identifier: GPL-3.0-or-later
// `cmake --install` lays files out the way Debian's Janus expects, and the installed plugins load.
#include "JanusClient.hpp"
#include "JanusProcess.hpp"
#include "Shell.hpp"
#include "TempDir.hpp"

#include <gtest/gtest.h>

#include <filesystem>

using namespace hipaa;
using namespace hipaa::test;
namespace fs = std::filesystem;

TEST(Install, DebianLayoutLoadsInTheRealJanus) {
    TempDir prefix;
    std::string cmd =
        "cmake --install '" + std::string(HIPAA_BUILD_DIR) + "' --prefix '" + prefix.path() + "' >/dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0);

    std::string lib = prefix.path() + "/lib";
    std::string multiarch;
    for (const auto& e : fs::directory_iterator(lib))
        if (fs::exists(e.path() / "janus")) multiarch = e.path().string();
    if (multiarch.empty()) multiarch = lib;  // non-Debian GNUInstallDirs: plain lib/
    for (const char* f : {"janus/plugins/libjanus_hipaa_room.so", "janus/plugins/libjanus_hipaa_recorder.so",
                          "janus/events/libjanus_hipaa_audit.so", "janus/events/libjanus_hipaa_fhir.so",
                          "janus-hipaa/libhipaa_common.so.0"})
        EXPECT_TRUE(fs::exists(multiarch + "/" + f)) << f;
    // common/ must not sit in a folder Janus scans (it would try to load it as a plugin).
    for (const auto& e : fs::recursive_directory_iterator(multiarch + "/janus"))
        EXPECT_EQ(e.path().filename().string().find("hipaa_common"), std::string::npos) << e.path();
    for (const char* f :
         {"janus.plugin.hipaa.room.jcfg.sample", "janus.eventhandler.hipaa.audit.jcfg.sample", "janus.jcfg.fragment"})
        EXPECT_TRUE(fs::exists(prefix.path() + "/etc/janus/" + f)) << f;

    ::setenv("HIPAA_BUILD_DIR", prefix.path().c_str(), 1);
    JanusProcess janus;
    ::unsetenv("HIPAA_BUILD_DIR");
    janus.start();
    JanusClient client(janus);
    JsonPtr info = client.adminInfo();
    EXPECT_TRUE(json_object_get(json_object_get(info.get(), "plugins"), "janus.plugin.hipaa.room"));
    EXPECT_TRUE(json_object_get(json_object_get(info.get(), "plugins"), "janus.plugin.hipaa.recorder"));
    JsonPtr audit = client.queryHandler("janus.eventhandler.hipaa.audit", J(R"({"request":"info"})").get());
    EXPECT_EQ(jsonString(audit.get(), "version").value_or(""), "0.1.0") << jsonDump(audit.get());
    // The installed tools find libhipaa_common.so through their RPATH (127: the loader did not).
    std::string bin = prefix.path() + "/bin/";
    EXPECT_EQ(Shell::run(bin + "hipaa-recorder-tool >/dev/null 2>&1").status, 2);
    EXPECT_EQ(Shell::run(bin + "audit-verify >/dev/null 2>&1").status, 2);
    Shell::Result rooms = Shell::run(bin + "janus-hipaa rooms --admin-url " + janus.adminUrl() + " --secret-file " +
                                     janus.configFile("admin_secret") + " 2>&1");
    EXPECT_EQ(rooms.status, 0) << rooms.out;
    EXPECT_EQ(rooms.out.rfind("ROOM ", 0), 0u) << rooms.out;
    EXPECT_EQ(janus.stop(), 0);
}

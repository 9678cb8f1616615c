// SPDX-License-Identifier: GPL-3.0-or-later
// The encrypted spool: group append, order, crash leftovers, tampering, the size limit.
#include "AuditSpool.hpp"
#include "TempDir.hpp"

#include "hipaa/Errors.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <iterator>

using namespace hipaa;
using namespace hipaa::audit;
using hipaa::test::TempDir;

namespace {
const Bytes kKey(32, 0x5a);

std::vector<std::string> all(const AuditSpool& s) {
    std::vector<std::string> out;
    s.forEach([&](std::string&& p) {
        out.push_back(std::move(p));
        return true;
    });
    return out;
}
std::string fileText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
}  // namespace

TEST(AuditSpool, KeepsGroupsInOrderAcrossReopenEncryptedAt0600) {
    TempDir dir;
    std::string path = dir.file("s.spool");
    {
        AuditSpool s(path, kKey, 1 << 20);
        ASSERT_TRUE(s.append({"one ps1_secret-ish", "two"}));
        ASSERT_TRUE(s.append({"three"}));
        EXPECT_EQ(s.frames(), 3u);
    }
    AuditSpool s(path, kKey, 1 << 20);
    EXPECT_EQ(all(s), (std::vector<std::string>{"one ps1_secret-ish", "two", "three"}));
    EXPECT_EQ(fileText(path).find("ps1_secret"), std::string::npos) << "encrypted at rest";
    struct stat st {};
    ::stat(path.c_str(), &st);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    s.clear();
    EXPECT_TRUE(s.empty());
    EXPECT_TRUE(all(s).empty());
}

TEST(AuditSpool, CutsATornTailLeftByACrash) {
    TempDir dir;
    std::string path = dir.file("s.spool");
    {
        AuditSpool s(path, kKey, 1 << 20);
        ASSERT_TRUE(s.append({"a", "b"}));
    }
    uint64_t good = fileText(path).size();
    {
        std::ofstream out(path, std::ios::binary | std::ios::app);
        out << "AUS1\x00\x00\x01\x00partial";
    }
    AuditSpool s(path, kKey, 1 << 20);
    EXPECT_EQ(all(s), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(fileText(path).size(), good);
    ASSERT_TRUE(s.append({"c"}));
    EXPECT_EQ(all(AuditSpool(path, kKey, 1 << 20)), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(AuditSpool, RefusesATamperedOrForeignSpool) {
    TempDir dir;
    std::string path = dir.file("s.spool");
    {
        AuditSpool s(path, kKey, 1 << 20);
        ASSERT_TRUE(s.append({"record"}));
    }
    EXPECT_THROW(AuditSpool(path, Bytes(32, 0x5b), 1 << 20), CryptoError);
    int fd = ::open(path.c_str(), O_RDWR);
    char c;
    ASSERT_EQ(pread(fd, &c, 1, 25), 1);
    c ^= 1;
    ASSERT_EQ(pwrite(fd, &c, 1, 25), 1);
    ::close(fd);
    EXPECT_THROW(AuditSpool(path, kKey, 1 << 20), CryptoError);
}

TEST(AuditSpool, AGroupThatWouldExceedTheLimitIsRefusedWhole) {
    TempDir dir;
    AuditSpool s(dir.file("s.spool"), kKey, 200);
    ASSERT_TRUE(s.append({std::string(100, 'x')}));
    EXPECT_FALSE(s.append({"y", std::string(100, 'z')}));
    EXPECT_EQ(all(s).size(), 1u);
}

// SPDX-License-Identifier: GPL-3.0-or-later
#include "Keyring.hpp"
#include "PackageHeader.hpp"
#include "SealedPackageReader.hpp"
#include "SealedPackageWriter.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/SecureRandom.hpp"
#include "hipaa/UniqueFd.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <string>

using namespace hipaa;
using namespace hipaa::recorder;

namespace {

// Fast scrypt parameters: the format, not the cost, is under test here.
constexpr ScryptParams kQuick{10, 8, 1};

struct TempFile {
    std::string path;
    TempFile() {
        char tmpl[] = "/tmp/sealed-package-XXXXXX";
        int fd = ::mkstemp(tmpl);
        ::close(fd);
        path = tmpl;
    }
    ~TempFile() { ::unlink(path.c_str()); }
};

Bytes pattern(size_t n) {
    Bytes b(n);
    for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i * 7 + 3);
    return b;
}

void seal(const std::string& path, const PackageHeader& h, const SecretBytes& key, const Bytes& data,
          size_t pieces = 3) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_TRUNC));
    SealedPackageWriter w(fd.get(), h, key);
    size_t step = data.size() / pieces + 1;
    for (size_t off = 0; off < data.size(); off += step)
        w.write(ByteView(data.data() + off, std::min(step, data.size() - off)));
    w.finish();
}

Bytes openWith(const std::string& path, const std::function<SecretBytes(const PackageHeader&)>& key) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY));
    SealedPackageReader r(fd.get());
    r.setKey(key(r.header()));
    Bytes out;
    uint8_t buf[1000];
    for (size_t n; (n = r.read(buf, sizeof buf)) > 0;) out.insert(out.end(), buf, buf + n);
    return out;
}

Bytes fileBytes(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY));
    Bytes b(1 << 20);
    ssize_t n = ::read(fd.get(), b.data(), b.size());
    b.resize(static_cast<size_t>(n));
    return b;
}

void writeBytes(const std::string& path, const Bytes& b) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_TRUNC));
    ASSERT_EQ(::write(fd.get(), b.data(), b.size()), static_cast<ssize_t>(b.size()));
}

}  // namespace

TEST(SealedPackage, X25519RecipientRoundTripsAcrossChunks) {
    Bytes priv = secureRandomBytes(32), pub = Keyring::x25519PublicFromPrivate(priv);
    TempFile f;
    Bytes data = pattern(10 * 1024 + 17);
    for (size_t size : {size_t{0}, size_t{1024}, size_t{4096}, data.size()}) {
        auto [h, key] = PackageHeader::forX25519(pub, 1024);  // exactly full chunks at 1024 and 4096
        Bytes part(data.begin(), data.begin() + static_cast<long>(size));
        seal(f.path, h, key, part);
        EXPECT_EQ(openWith(f.path, [&](const PackageHeader& hh) { return hh.keyFromPrivate(priv); }), part) << size;
    }
}

TEST(SealedPackage, PassphraseRecipientRoundTripsWithItsParametersInTheHeader) {
    TempFile f;
    Bytes data = pattern(5000);
    auto [h, key] = PackageHeader::forPassphrase("correct horse battery staple", kQuick, 1024);
    seal(f.path, h, key, data);
    Bytes raw = fileBytes(f.path);
    size_t used = 0;
    PackageHeader parsed = PackageHeader::parse(raw, used);
    EXPECT_EQ(parsed.kind, PackageHeader::Kind::Passphrase);
    EXPECT_EQ(parsed.scrypt.log2N, 10);
    EXPECT_EQ(parsed.scrypt.r, 8u);
    EXPECT_EQ(parsed.salt, h.salt);
    EXPECT_EQ(
        openWith(f.path, [](const PackageHeader& hh) { return hh.keyFromPassphrase("correct horse battery staple"); }),
        data);
}

TEST(SealedPackage, AWrongKeyOrPassphraseIsRefused) {
    TempFile f;
    Bytes priv = secureRandomBytes(32), pub = Keyring::x25519PublicFromPrivate(priv);
    auto [h, key] = PackageHeader::forX25519(pub);
    seal(f.path, h, key, pattern(100));
    Bytes other = secureRandomBytes(32);
    EXPECT_THROW(openWith(f.path, [&](const PackageHeader& hh) { return hh.keyFromPrivate(other); }), Error);
    // A passphrase for a key-addressed copy: refused by kind, not tried.
    EXPECT_THROW(openWith(f.path, [](const PackageHeader& hh) { return hh.keyFromPassphrase("x"); }), CryptoError);

    auto [hp, kp] = PackageHeader::forPassphrase("right", kQuick);
    seal(f.path, hp, kp, pattern(100));
    EXPECT_THROW(openWith(f.path, [](const PackageHeader& hh) { return hh.keyFromPassphrase("wrong"); }), Error);
}

TEST(SealedPackage, EveryTamperedByteIsRefused) {
    TempFile f;
    Bytes priv = secureRandomBytes(32), pub = Keyring::x25519PublicFromPrivate(priv);
    auto [h, key] = PackageHeader::forX25519(pub, 256);
    seal(f.path, h, key, pattern(700));
    Bytes good = fileBytes(f.path);
    auto open = [&] { return openWith(f.path, [&](const PackageHeader& hh) { return hh.keyFromPrivate(priv); }); };
    // Each byte of the header (ephemeral key, chunk size), a length prefix, a ciphertext and a tag.
    for (size_t i = 0; i < good.size(); i += 13) {
        Bytes bad = good;
        bad[i] ^= 0x01;
        writeBytes(f.path, bad);
        EXPECT_ANY_THROW(open()) << "byte " << i;
    }
}

TEST(SealedPackage, TruncatedOrExtendedCopiesAreRefused) {
    TempFile f;
    Bytes priv = secureRandomBytes(32), pub = Keyring::x25519PublicFromPrivate(priv);
    auto [h, key] = PackageHeader::forX25519(pub, 256);
    seal(f.path, h, key, pattern(1000));
    Bytes good = fileBytes(f.path);
    auto open = [&] { return openWith(f.path, [&](const PackageHeader& hh) { return hh.keyFromPrivate(priv); }); };
    // Cut after a whole non-final chunk: every remaining chunk authenticates, the final flag is missing.
    size_t firstChunks = h.encode().size() + 3 * (4 + 256 + 16);
    writeBytes(f.path, Bytes(good.begin(), good.begin() + static_cast<long>(firstChunks)));
    EXPECT_THROW(open(), Error);
    Bytes longer = good;
    longer.push_back(0);
    writeBytes(f.path, longer);
    EXPECT_THROW(open(), Error);
    writeBytes(f.path, good);
    EXPECT_EQ(open(), pattern(1000));
}

TEST(SealedPackage, HeadersOutOfBoundsAreRefusedBeforeAnyKeyIsDerived) {
    auto [h, key] = PackageHeader::forPassphrase("p", kQuick);
    Bytes raw = h.encode();
    size_t used;
    Bytes huge = raw;
    huge[16] = 40;  // 2^40 scrypt cost
    EXPECT_THROW(PackageHeader::parse(huge, used), Error);
    Bytes notCopy = raw;
    notCopy[0] = 'X';
    EXPECT_THROW(PackageHeader::parse(notCopy, used), Error);
    EXPECT_THROW(PackageHeader::forPassphrase("", kQuick), Error);
    EXPECT_THROW(PackageHeader::forX25519(Bytes(32, 0)), CryptoError);  // low-order key: all-zero secret
}

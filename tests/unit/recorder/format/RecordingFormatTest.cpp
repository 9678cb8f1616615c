// SPDX-License-Identifier: GPL-3.0-or-later
// The sealed container: round trip, every tamper, wrong keys, rewrap, shredding, crash tails.
#include "ByteOrder.hpp"
#include "KeySlotEditor.hpp"
#include "Keyring.hpp"
#include "RecorderErrors.hpp"
#include "RecordingReader.hpp"
#include "RecordingWriter.hpp"
#include "TempDir.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/SecureRandom.hpp"

#include "hipaa/OpenSsl.hpp"

#include <gtest/gtest.h>
#include <openssl/x509.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

using namespace hipaa;
using namespace hipaa::recorder;
using hipaa::test::TempDir;

namespace {

struct Pkt {
    uint64_t t;
    Bytes data;
    bool operator==(const Pkt&) const = default;
};

Keyring kekRing(uint32_t version = 1) {
    Keyring k;
    k.add(version, Keyring::Type::Kek, secureRandomBytes(32));
    return k;
}

RecordingHeader header(uint32_t chunkSize = 200) {
    RecordingHeader h;
    h.recordingId = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    h.kind = StreamKind::Audio;
    h.codec = "opus";
    h.mid = "0";
    h.chunkSize = chunkSize;
    return h;
}

std::vector<Pkt> packets(size_t n) {
    std::vector<Pkt> v;
    for (size_t i = 0; i < n; ++i) {
        Bytes d(40 + i % 30);
        for (size_t j = 0; j < d.size(); ++j) d[j] = static_cast<uint8_t>(0xA5 ^ (i + j));
        v.push_back({1'700'000'000'000'000ull + i * 20'000, d});
    }
    return v;
}

Bytes writeRecording(const std::string& path, const Keyring& ring, const Bytes& dataKey, const std::vector<Pkt>& pkts,
                     FileSummary* summary = nullptr) {
    RecordingWriter w(path, header(), dataKey, ring);
    for (const auto& p : pkts) EXPECT_TRUE(w.append(p.t, p.data));
    FileSummary s = w.finish();
    if (summary) *summary = s;
    std::ifstream in(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), {});
}

std::vector<Pkt> readAll(ByteView file, const Keyring& ring, ReadReport& report) {
    std::vector<Pkt> out;
    report = RecordingReader::read(file, ring, [&](uint64_t t, ByteView d) {
        out.push_back({t, Bytes(d.begin(), d.end())});
    });
    return out;
}

// Offsets of every chunk frame (length prefix) and the end of the header.
std::vector<size_t> chunkOffsets(ByteView file, size_t& headerEnd) {
    std::string err;
    auto p = RecordingHeader::parse(file, err);
    headerEnd = p->totalLength;
    std::vector<size_t> offs;
    for (size_t off = headerEnd; off < file.size(); off += 4 + getU32(file.data() + off)) offs.push_back(off);
    return offs;
}

class RecordingFileTest : public ::testing::Test {
protected:
    TempDir dir;
    Keyring ring = kekRing();
    Bytes dataKey = secureRandomBytes(32);
    std::vector<Pkt> pkts = packets(40);
    std::string path = dir.file("r.jrec");
    Bytes file;
    void SetUp() override { file = writeRecording(path, ring, dataKey, pkts); }
};

}  // namespace

TEST_F(RecordingFileTest, RoundTripKeepsEveryPacketAndArrivalTime) {
    ReadReport r;
    auto got = readAll(file, ring, r);
    EXPECT_TRUE(r.complete) << r.damage;
    EXPECT_EQ(r.damage, "");
    EXPECT_EQ(got, pkts);
    EXPECT_EQ(r.packets, pkts.size());
    EXPECT_GT(r.chunks, 5u);  // 200-byte chunks: many seals
    EXPECT_EQ(r.header.codec, "opus");
    EXPECT_EQ(r.header.mid, "0");
    EXPECT_EQ(r.verifiedBytes, file.size());
    EXPECT_EQ(r.sha256, sha256(file));
}

TEST_F(RecordingFileTest, WriterSummaryMatchesFileAndFileIsPrivate) {
    std::string p2 = dir.file("s.jrec");
    FileSummary s;
    Bytes f2 = writeRecording(p2, ring, dataKey, pkts, &s);
    EXPECT_EQ(s.sha256, sha256(f2));
    EXPECT_EQ(s.bytes, f2.size());
    EXPECT_EQ(s.packets, pkts.size());
    struct stat st {};
    ASSERT_EQ(::stat(p2.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_THROW(RecordingWriter(p2, header(), dataKey, ring), Error);  // never overwrites
}

TEST_F(RecordingFileTest, NoPlaintextPayloadOnDisk) {
    // Every packet's first 8 bytes are distinctive; none may appear in the file.
    for (const auto& p : pkts) {
        auto it = std::search(file.begin(), file.end(), p.data.begin(), p.data.begin() + 8);
        EXPECT_EQ(it, file.end());
    }
}

TEST_F(RecordingFileTest, EveryBitFlipAnywhereIsDetected) {
    // One flipped bit in each byte (magic, header, key slot, chunk lengths, ciphertexts, tags).
    for (size_t i = 0; i < file.size(); ++i) {
        for (uint8_t bit : {uint8_t{0x01}, uint8_t{0x80}}) {
            Bytes t = file;
            t[i] ^= bit;
            ReadReport r = RecordingReader::read(t, ring);
            ASSERT_FALSE(r.complete) << "byte " << i;
            ASSERT_FALSE(r.damage.empty()) << "byte " << i;
        }
    }
}

TEST_F(RecordingFileTest, DroppedReorderedAndDuplicatedChunksAreDetected) {
    size_t headerEnd = 0;
    auto offs = chunkOffsets(file, headerEnd);
    ASSERT_GE(offs.size(), 4u);
    auto frame = [&](size_t i) {
        size_t end = i + 1 < offs.size() ? offs[i + 1] : file.size();
        return Bytes(file.begin() + static_cast<long>(offs[i]), file.begin() + static_cast<long>(end));
    };
    auto build = [&](const std::vector<size_t>& order) {
        Bytes out(file.begin(), file.begin() + static_cast<long>(headerEnd));
        for (size_t i : order) {
            Bytes f = frame(i);
            out.insert(out.end(), f.begin(), f.end());
        }
        return out;
    };
    std::vector<size_t> all;
    for (size_t i = 0; i < offs.size(); ++i) all.push_back(i);
    EXPECT_TRUE(RecordingReader::read(build(all), ring).complete);  // the builder itself is faithful
    for (size_t drop = 0; drop < offs.size(); ++drop) {
        auto o = all;
        o.erase(o.begin() + static_cast<long>(drop));
        EXPECT_FALSE(RecordingReader::read(build(o), ring).complete) << "dropped " << drop;
    }
    for (size_t i = 0; i + 1 < offs.size(); ++i) {
        auto o = all;
        std::swap(o[i], o[i + 1]);
        EXPECT_FALSE(RecordingReader::read(build(o), ring).complete) << "swapped " << i;
        auto d = all;
        d.insert(d.begin() + static_cast<long>(i), i);
        EXPECT_FALSE(RecordingReader::read(build(d), ring).complete) << "duplicated " << i;
    }
    auto lastTwice = all;
    lastTwice.push_back(all.back());
    ReadReport r = RecordingReader::read(build(lastTwice), ring);
    EXPECT_FALSE(r.complete);
    EXPECT_EQ(r.damage, "data after the final chunk");
}

TEST_F(RecordingFileTest, TruncationAtEveryLengthIsDetectedAndPrefixStaysReadable) {
    size_t headerEnd = 0;
    auto offs = chunkOffsets(file, headerEnd);
    for (size_t len = 0; len < file.size(); ++len) {
        ReadReport r = RecordingReader::read(ByteView(file).first(len), ring);
        ASSERT_FALSE(r.complete) << len;
        ASSERT_FALSE(r.damage.empty()) << len;
    }
    // Cut exactly at a chunk boundary (what a crash leaves): all chunks before it verify.
    for (size_t i = 1; i < offs.size(); ++i) {
        ReadReport r = RecordingReader::read(ByteView(file).first(offs[i]), ring);
        EXPECT_EQ(r.chunks, i);
        EXPECT_EQ(r.verifiedBytes, offs[i]);
        EXPECT_NE(r.damage.find("final chunk missing"), std::string::npos) << r.damage;
    }
}

TEST_F(RecordingFileTest, AppendedBytesAreDetected) {
    for (Bytes extra : {Bytes{0}, Bytes{0, 0, 0, 16}, secureRandomBytes(100)}) {
        Bytes t = file;
        t.insert(t.end(), extra.begin(), extra.end());
        ReadReport r = RecordingReader::read(t, ring);
        EXPECT_FALSE(r.complete);
        EXPECT_EQ(r.damage, "data after the final chunk");
    }
}

TEST_F(RecordingFileTest, WrongKeysAreRefused) {
    ReadReport r = RecordingReader::read(file, kekRing(1));  // same version, other key: damaged, not "no key"
    EXPECT_FALSE(r.keyValid);
    EXPECT_FALSE(r.keyUnavailable);
    EXPECT_NE(r.damage.find("does not authenticate"), std::string::npos);
    r = RecordingReader::read(file, kekRing(2));  // version unknown
    EXPECT_FALSE(r.keyValid);
    EXPECT_TRUE(r.keyUnavailable);
    EXPECT_NE(r.damage.find("not in keyring"), std::string::npos);
    r = RecordingReader::readWithKey(file, secureRandomBytes(32));  // wrong data key
    EXPECT_FALSE(r.complete);
    EXPECT_EQ(r.chunks, 0u);
}

TEST_F(RecordingFileTest, ChunksFromAnotherFileWithTheSameDataKeyDoNotFit) {
    // Same data key, same id: the per-file salt still separates them.
    std::string other = dir.file("other.jrec");
    Bytes f2 = writeRecording(other, ring, dataKey, pkts);
    size_t h1 = 0, h2 = 0;
    chunkOffsets(file, h1);
    chunkOffsets(f2, h2);
    Bytes spliced(file.begin(), file.begin() + static_cast<long>(h1));
    spliced.insert(spliced.end(), f2.begin() + static_cast<long>(h2), f2.end());
    EXPECT_FALSE(RecordingReader::read(spliced, ring).complete);
}

TEST_F(RecordingFileTest, RewrapMovesToTheNewestKeyWithoutTouchingChunks) {
    Keyring both;
    const Keyring::Key* old = ring.find(1);
    both.add(1, Keyring::Type::Kek, old->material);
    Bytes newKek = secureRandomBytes(32);
    both.add(2, Keyring::Type::Kek, newKek);
    FileSummary s = KeySlotEditor::rewrap(path, both);
    Bytes after = readWholeFile(path);
    EXPECT_EQ(s.sha256, sha256(after));
    size_t h1 = 0, h2 = 0;
    chunkOffsets(file, h1);
    chunkOffsets(after, h2);
    EXPECT_TRUE(std::equal(file.begin() + static_cast<long>(h1), file.end(), after.begin() + static_cast<long>(h2),
                           after.end()));
    Keyring onlyNew;
    onlyNew.add(2, Keyring::Type::Kek, newKek);
    ReadReport r;
    EXPECT_EQ(readAll(after, onlyNew, r), pkts);
    EXPECT_TRUE(r.complete) << r.damage;
    EXPECT_EQ(r.header.slot.keyId, 2u);
    EXPECT_FALSE(RecordingReader::read(after, ring).keyValid);           // retired key no longer opens it
    EXPECT_THROW(KeySlotEditor::rewrap(path, kekRing(3)), CryptoError);  // this keyring lacks version 2
    try {
        KeySlotEditor::rewrap(path, kekRing(2));  // version 2, but not the key that wrapped the slot
        ADD_FAILURE() << "rewrap with the wrong key";
    } catch (const CryptoError&) {
        ADD_FAILURE() << "a slot that does not open with the key it names is damaged, not a missing key";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), recorder::errc::kDamaged);
    }
}

TEST_F(RecordingFileTest, ShreddingDestroysTheKeySlot) {
    ASSERT_TRUE(KeySlotEditor::shred(path));
    Bytes after = readWholeFile(path);
    EXPECT_EQ(after.size(), file.size());
    ReadReport r = RecordingReader::read(after, ring);
    EXPECT_TRUE(r.headerValid);
    EXPECT_FALSE(r.keyValid);
    EXPECT_EQ(r.header.slot.algorithm, WrapAlgorithm::None);
    EXPECT_TRUE(
        std::all_of(r.header.slot.wrapped.begin(), r.header.slot.wrapped.end(), [](uint8_t b) { return b == 0; }));
}

TEST(Keyring, X25519RecipientKeyMeansTheHostCannotDecrypt) {
    TempDir dir;
    Bytes priv = secureRandomBytes(32);
    Keyring host, offline;
    host.add(3, Keyring::Type::X25519Public, Keyring::x25519PublicFromPrivate(priv));
    offline.add(3, Keyring::Type::X25519Private, priv);
    auto pk = packets(10);
    Bytes file = writeRecording(dir.file("x.jrec"), host, secureRandomBytes(32), pk);
    ReadReport r = RecordingReader::read(file, host);
    EXPECT_FALSE(r.keyValid);
    std::vector<Pkt> got;
    r = RecordingReader::read(file, offline, [&](uint64_t t, ByteView d) {
        got.push_back({t, Bytes(d.begin(), d.end())});
    });
    EXPECT_TRUE(r.complete) << r.damage;
    EXPECT_EQ(got, pk);
    EXPECT_EQ(r.header.slot.algorithm, WrapAlgorithm::X25519);
    // A flipped bit in the ephemeral key, nonce or sealed key is refused.
    for (size_t i : {size_t{0}, size_t{33}, size_t{50}}) {
        Bytes t = file;
        std::string err;
        auto p = RecordingHeader::parse(t, err);
        t[p->fixedLength + 7 + i] ^= 0x04;
        EXPECT_FALSE(RecordingReader::read(t, offline).keyValid) << i;
    }
}

TEST(Keyring, RsaOaepRecipientKeyMeansTheHostCannotDecrypt) {
    TempDir dir;
    auto [priv, pub] = Keyring::rsaGenerate(2048);
    Keyring host = Keyring::fromText("4 rsa-oaep " + hexEncode(pub) + "\n", "host-ring");
    Keyring offline = Keyring::fromText("4 rsa-oaep-private " + hexEncode(priv) + "\n", "offline-ring");
    EXPECT_TRUE(Keyring::publicOnly(host.find(4)->type));
    EXPECT_FALSE(Keyring::publicOnly(offline.find(4)->type));
    auto pk = packets(10);
    Bytes file = writeRecording(dir.file("r.jrec"), host, secureRandomBytes(32), pk);
    ReadReport r = RecordingReader::read(file, host);
    EXPECT_FALSE(r.keyValid);
    EXPECT_NE(r.damage.find("recipient public key"), std::string::npos) << r.damage;
    std::vector<Pkt> got;
    r = RecordingReader::read(file, offline, [&](uint64_t t, ByteView d) {
        got.push_back({t, Bytes(d.begin(), d.end())});
    });
    EXPECT_TRUE(r.complete) << r.damage;
    EXPECT_EQ(got, pk);
    EXPECT_EQ(r.header.slot.algorithm, WrapAlgorithm::RsaOaep);
    EXPECT_EQ(r.header.slot.wrapped.size(), 256u);  // one RSA-2048 block
    std::string err;
    auto parsed = RecordingHeader::parse(file, err);
    ASSERT_TRUE(parsed) << err;
    // A flipped bit anywhere in the RSA block is refused (OAEP padding check).
    for (size_t i : {size_t{0}, size_t{100}, size_t{255}}) {
        Bytes t = file;
        t[parsed->fixedLength + 7 + i] ^= 0x10;
        EXPECT_FALSE(RecordingReader::read(t, offline).keyValid) << i;
    }
    // The OAEP label binds the slot to this file's fixed header and key id: a slot moved into
    // another file (same key) does not open there.
    Bytes other = writeRecording(dir.file("o.jrec"), host, secureRandomBytes(32), pk);
    auto otherParsed = RecordingHeader::parse(other, err);
    ASSERT_TRUE(otherParsed);
    Bytes spliced(other.begin(), other.begin() + static_cast<long>(otherParsed->fixedLength));
    spliced.insert(spliced.end(), file.begin() + static_cast<long>(parsed->fixedLength),
                   file.begin() + static_cast<long>(parsed->totalLength));
    spliced.insert(spliced.end(), other.begin() + static_cast<long>(otherParsed->totalLength), other.end());
    EXPECT_FALSE(RecordingReader::read(spliced, offline).keyValid);
    // Another RSA key cannot open it.
    auto [priv2, pub2] = Keyring::rsaGenerate(2048);
    Keyring wrong = Keyring::fromText("4 rsa-oaep-private " + hexEncode(priv2) + "\n", "wrong");
    EXPECT_FALSE(RecordingReader::read(file, wrong).keyValid);
    // Rewrap from the offline keyring onto a new KEK version works like for other algorithms.
    Keyring both = Keyring::fromText("4 rsa-oaep-private " + hexEncode(priv) + "\n", "both");
    both.add(5, Keyring::Type::Kek, secureRandomBytes(32));
    FileSummary s = KeySlotEditor::rewrap(dir.file("r.jrec"), both);
    Bytes after = readWholeFile(dir.file("r.jrec"));
    EXPECT_EQ(s.sha256, sha256(after));
    EXPECT_TRUE(RecordingReader::read(after, both).complete);
}

TEST(Keyring, RsaOaepKeysMustBeRsaOfAtLeast2048Bits) {
    auto [priv, pub] = Keyring::rsaGenerate(2048);
    EXPECT_THROW(Keyring::rsaGenerate(1024), CryptoError);
    // 1024-bit RSA from OpenSSL directly, and an X25519 key's DER, are refused.
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, nullptr));
    EVP_PKEY* raw = nullptr;
    ASSERT_EQ(EVP_PKEY_keygen_init(ctx.get()), 1);
    ASSERT_EQ(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), 1024), 1);
    ASSERT_EQ(EVP_PKEY_keygen(ctx.get(), &raw), 1);
    EvpPkeyPtr small(raw);
    int n = i2d_PUBKEY(small.get(), nullptr);
    Bytes der(static_cast<size_t>(n));
    unsigned char* p = der.data();
    i2d_PUBKEY(small.get(), &p);
    EXPECT_THROW(Keyring::fromText("1 rsa-oaep " + hexEncode(der) + "\n", "ring"), ConfigError);
    EvpPkeyPtr x(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, secureRandomBytes(32).data(), 32));
    n = i2d_PUBKEY(x.get(), nullptr);
    Bytes xder(static_cast<size_t>(n));
    p = xder.data();
    i2d_PUBKEY(x.get(), &p);
    EXPECT_THROW(Keyring::fromText("1 rsa-oaep " + hexEncode(xder) + "\n", "ring"), ConfigError);
    Bytes truncated(pub.begin(), pub.end() - 1);
    EXPECT_THROW(Keyring::fromText("1 rsa-oaep " + hexEncode(truncated) + "\n", "ring"), ConfigError);
    EXPECT_THROW(Keyring::fromText("1 rsa-oaep-private " + hexEncode(pub) + "\n", "ring"), ConfigError);
    EXPECT_NO_THROW(Keyring::fromText("1 rsa-oaep " + hexEncode(pub) + "\n", "ring"));
}

TEST(Keyring, ParsesVersionedFileAndRejectsBadLines) {
    std::string a(64, 'a'), b(64, 'b');
    Keyring k = Keyring::fromText("# comment\n1 kek " + a + "\n\n7 kek " + b + "  # newest\n", "ring");
    EXPECT_EQ(k.newest(), 7u);
    EXPECT_NE(k.find(1), nullptr);
    for (std::string bad : std::vector<std::string>{"", "1 kek", "x kek " + a, "0 kek " + a, "1 aes " + a, "1 kek abcd",
                                                    "1 kek " + a + " extra", "1 kek " + a + "\n1 kek " + b}) {
        EXPECT_THROW(Keyring::fromText(bad, "ring"), ConfigError) << bad;
    }
    try {
        Keyring::fromText("1 kek " + a + "\n2 kek zz", "ring");
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos);
        EXPECT_EQ(std::string(e.what()).find(a), std::string::npos);  // never echoes key material
    }
}

TEST(Keyring, FileMustBePrivate) {
    TempDir dir;
    std::string p = dir.write("ring", "1 kek " + std::string(64, 'c') + "\n", 0644);
    EXPECT_THROW(Keyring::fromFile(p), ConfigError);
    ::chmod(p.c_str(), 0600);
    EXPECT_EQ(Keyring::fromFile(p).newest(), 1u);
}

TEST(RecordingWriter, KillNineMidRecordingLeavesAVerifiablePrefix) {
    TempDir dir;
    Keyring ring = kekRing();
    Bytes dataKey = secureRandomBytes(32);
    std::string path = dir.file("crash.jrec");
    auto pk = packets(100);
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        RecordingWriter w(path, header(1 << 20), dataKey, ring);  // large chunks: only flush() seals
        for (size_t i = 0; i < pk.size(); ++i) {
            w.append(pk[i].t, pk[i].data);
            if (i == 59) w.flush();
        }
        ::kill(::getpid(), SIGKILL);  // 40 packets buffered, never sealed
        ::_exit(3);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status));
    Bytes file = readWholeFile(path);
    std::vector<Pkt> got;
    ReadReport r = RecordingReader::read(file, ring, [&](uint64_t t, ByteView d) {
        got.push_back({t, Bytes(d.begin(), d.end())});
    });
    EXPECT_FALSE(r.complete);
    EXPECT_NE(r.damage.find("final chunk missing"), std::string::npos) << r.damage;
    ASSERT_EQ(got.size(), 60u);
    EXPECT_TRUE(std::equal(got.begin(), got.end(), pk.begin()));
}

TEST(RecordingHeader, RejectsInvalidFields) {
    RecordingHeader h = header();
    h.codec = "OPUS";
    EXPECT_THROW(h.fixedBytes(), Error);
    h.codec = "opus";
    h.mid = std::string(33, 'm');
    EXPECT_THROW(h.fixedBytes(), Error);
    std::string err;
    EXPECT_FALSE(RecordingHeader::parse(asBytes("JHREC"), err));
    EXPECT_FALSE(RecordingHeader::parse(Bytes(200, 0), err));
    EXPECT_EQ(err, "not a recording (bad magic)");
}

// A file whose stream kind and codec disagree (an audio stream named "chat", or a chat stream that
// is not) is refused by the parser with a reason; before, it parsed and the reader then threw from
// deep inside (libFuzzer found it: an exception where a report was due).
TEST(RecordingHeader, AKindAndCodecThatDisagreeAreRefusedWhenParsed) {
    RecordingHeader h = header();
    Bytes audio = h.fixedBytes();
    audio[28] = static_cast<uint8_t>(StreamKind::Chat);  // "opus" in a chat stream
    audio.insert(audio.end(), 7, 0);                     // an empty key slot: the parser's minimum
    std::string err;
    EXPECT_FALSE(RecordingHeader::parse(audio, err));
    EXPECT_EQ(err, "the codec \"chat\" is the chat stream's, and only its");
    EXPECT_NO_THROW((void)RecordingReader::readWithKey(audio, Bytes(32, 0x42)));
}

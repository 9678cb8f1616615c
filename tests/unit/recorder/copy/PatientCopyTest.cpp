// SPDX-License-Identifier: GPL-3.0-or-later
#include "Keyring.hpp"
#include "Manifest.hpp"
#include "PackageHeader.hpp"
#include "PatientCopyReader.hpp"
#include "PatientCopyWriter.hpp"
#include "SealedPackageReader.hpp"
#include "SealedPackageWriter.hpp"
#include "hipaa/Ed25519Signer.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/JsonBuilder.hpp"
#include "hipaa/SecureRandom.hpp"
#include "hipaa/UniqueFd.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace hipaa;
using namespace hipaa::recorder;
namespace fs = std::filesystem;

namespace {

struct Dir {
    fs::path path;
    Dir() {
        char tmpl[] = "/tmp/patient-copy-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~Dir() { fs::remove_all(path); }
};

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

struct Fixture {
    Dir dir;
    Ed25519Signer recorder = Ed25519Signer::generate();
    Bytes priv = secureRandomBytes(32), pub = Keyring::x25519PublicFromPrivate(priv);
    std::string package = (dir.path / "copy.jhcopy").string();

    // A copy with one media file, a notes file and a recording manifest signed by `manifestSigner`.
    void build(const Ed25519Signer& manifestSigner) {
        fs::path media = dir.path / "media.opus";
        std::ofstream(media) << std::string(200000, 'm');
        JsonPtr recBody = JsonBuilder().set("recording", "ab").set("files", jsonArray()).build();
        Ed25519Signer::Signature sig =
            manifestSigner.sign(SignedDocument::signedBytes("recording-manifest", recBody.get()));
        JsonPtr recManifest = JsonBuilder().set("body", std::move(recBody)).set("signature", base64Encode(sig)).build();
        JsonPtr rec = jsonArray();
        json_array_append_new(
            rec.get(), jsonRelease(JsonBuilder().set("id", "ab").set("manifest", std::move(recManifest)).build()));

        auto [h, key] = PackageHeader::forX25519(pub);
        UniqueFd fd(::open(package.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600));
        SealedPackageWriter out(fd.get(), h, key);
        PatientCopyWriter w(out);
        w.addFile("recording-ab-0-audio.opus", media.string());
        w.addBytes("notes.json", asBytes(std::string("{\"notes\":[]}")));
        w.finish(JsonBuilder().set("recordings", std::move(rec)).build(), recorder);
    }

    OpenedCopy open(const fs::path& outDir, const Bytes& recorderPublic) {
        UniqueFd fd(::open(package.c_str(), O_RDONLY));
        SealedPackageReader r(fd.get());
        r.setKey(r.header().keyFromPrivate(priv));
        return PatientCopyReader::open(r, outDir.string(), Ed25519Verifier(recorderPublic));
    }
};

}  // namespace

TEST(PatientCopy, OpensAndVerifiesWithOnlyTheRecorderPublicKey) {
    Fixture f;
    f.build(f.recorder);
    fs::path out = f.dir.path / "out";
    fs::create_directory(out);
    OpenedCopy c = f.open(out, f.recorder.publicKey());
    ASSERT_EQ(c.files.size(), 3u);
    EXPECT_EQ(c.files.back(), "manifest.json");
    EXPECT_EQ(slurp(out / "recording-ab-0-audio.opus"), std::string(200000, 'm'));
    EXPECT_EQ(slurp(out / "notes.json"), "{\"notes\":[]}");
    EXPECT_EQ(fs::status(out / "notes.json").permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);
    const json_t* files = json_object_get(c.manifest.get(), "files");
    ASSERT_EQ(json_array_size(files), 2u);
}

TEST(PatientCopy, AnotherRecorderKeyIsRefusedAndLeavesNoFile) {
    Fixture f;
    f.build(f.recorder);
    fs::path out = f.dir.path / "out";
    fs::create_directory(out);
    EXPECT_THROW(f.open(out, Ed25519Signer::generate().publicKey()), Error);
    EXPECT_TRUE(fs::is_empty(out));
}

TEST(PatientCopy, ARecordingManifestNotSignedByTheRecorderIsRefused) {
    Fixture f;
    f.build(Ed25519Signer::generate());
    fs::path out = f.dir.path / "out";
    fs::create_directory(out);
    EXPECT_THROW(f.open(out, f.recorder.publicKey()), Error);
    EXPECT_TRUE(fs::is_empty(out));
}

TEST(PatientCopy, UnsafeOrRepeatedNamesAreRefusedWhenWriting) {
    EXPECT_FALSE(PatientCopyWriter::validName("../x"));
    EXPECT_FALSE(PatientCopyWriter::validName(".hidden"));
    EXPECT_FALSE(PatientCopyWriter::validName("a/b"));
    EXPECT_FALSE(PatientCopyWriter::validName(""));
    EXPECT_TRUE(PatientCopyWriter::validName("recording-0.webm"));
    Dir d;
    auto [h, key] = PackageHeader::forX25519(Keyring::x25519PublicFromPrivate(secureRandomBytes(32)));
    UniqueFd fd(::open((d.path / "c").c_str(), O_WRONLY | O_CREAT, 0600));
    SealedPackageWriter out(fd.get(), h, key);
    PatientCopyWriter w(out);
    w.addBytes("a.json", asBytes(std::string("{}")));
    EXPECT_THROW(w.addBytes("a.json", asBytes(std::string("{}"))), Error);
    EXPECT_THROW(w.addBytes("manifest.json", asBytes(std::string("{}"))), Error);
}

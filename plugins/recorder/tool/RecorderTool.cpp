// SPDX-License-Identifier: GPL-3.0-or-later
// hipaa-recorder-tool: offline operations on sealed recordings, for a host that holds the private
// key (the recording host may hold only the public half).
//   hipaa-recorder-tool keygen VERSION PRIVATE_KEYRING_OUT [x25519|rsa]   prints the public keyring line
//   hipaa-recorder-tool verify KEYRING FILE.jrec...
//   hipaa-recorder-tool export KEYRING OUT_DIR FILE.jrec...     writes OUT_DIR/<name>.mjr (0600)
//   hipaa-recorder-tool copy-keygen PRIVATE_KEY_OUT              prints the public key (base64) a
//                                                                patient_copy request takes
//   hipaa-recorder-tool open-copy COPY OUT_DIR RECORDER_PUBLIC_KEY (--key FILE | --passphrase-file FILE)
//       decrypts a patient copy into OUT_DIR and verifies it with the recorder's signing public key
//       (hex, as `info` shows it, or a file holding it): nothing unverified is left in OUT_DIR.
// Exit status: 0 ok, 1 a file failed verification or export, 2 usage or key error.
#include "Keyring.hpp"
#include "MjrWriter.hpp"
#include "PatientCopyReader.hpp"
#include "RecordingReader.hpp"
#include "SealedPackageReader.hpp"
#include "UniqueFd.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/SecretFile.hpp"
#include "hipaa/SecureRandom.hpp"
#include "hipaa/Zeroize.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <tuple>

using namespace hipaa;
using namespace hipaa::recorder;

namespace {

int usage() {
    std::fprintf(stderr,
                 "usage: hipaa-recorder-tool keygen VERSION PRIVATE_KEYRING_OUT [x25519|rsa]\n"
                 "       hipaa-recorder-tool verify KEYRING FILE.jrec...\n"
                 "       hipaa-recorder-tool export KEYRING OUT_DIR FILE.jrec...\n"
                 "       hipaa-recorder-tool copy-keygen PRIVATE_KEY_OUT\n"
                 "       hipaa-recorder-tool open-copy COPY OUT_DIR RECORDER_PUBLIC_KEY (--key FILE | "
                 "--passphrase-file FILE)\n");
    return 2;
}

int keygen(const std::string& version, const std::string& out, const std::string& kind) {
    if (version.empty() || version.find_first_not_of("0123456789") != std::string::npos) return usage();
    if (kind != "x25519" && kind != "rsa") return usage();
    Bytes priv, pub;
    if (kind == "rsa") {
        std::tie(priv, pub) = Keyring::rsaGenerate(3072);
    } else {
        priv = secureRandomBytes(32);
        pub = Keyring::x25519PublicFromPrivate(priv);
    }
    // The private key and its hex line are wiped before their memory is freed (no temporaries).
    std::string hex = hexEncode(priv);
    zeroize(priv.data(), priv.size());
    std::string line;
    line.reserve(version.size() + 24 + hex.size());
    line.append(version).append(kind == "rsa" ? " rsa-oaep-private " : " x25519-private ").append(hex).append("\n");
    zeroize(hex.data(), hex.size());
    UniqueFd fd(::open(out.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd) {
        zeroize(line.data(), line.size());
        std::fprintf(stderr, "cannot create %s (it must not exist)\n", out.c_str());
        return 2;
    }
    writeAll(fd.get(), asBytes(line), "private keyring");
    zeroize(line.data(), line.size());
    std::printf("%s %s %s\n", version.c_str(), kind == "rsa" ? "rsa-oaep" : "x25519", hexEncode(pub).c_str());
    return 0;
}

int verifyOrExport(const Keyring& ring, const std::optional<std::string>& outDir, int argc, char** argv, int first) {
    int status = 0;
    for (int i = first; i < argc; ++i) {
        std::string path = argv[i];
        std::string name = std::filesystem::path(path).stem().string();
        std::optional<MjrWriter> mjr;
        std::string outPath = outDir ? *outDir + "/" + name + ".mjr" : "";
        ReadReport r;
        try {
            // Streamed: the header first (for the export's info), then chunk by chunk.
            Bytes head(RecordingReader::kMaxHeaderBytes);
            {
                UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
                ssize_t n = fd ? ::pread(fd.get(), head.data(), head.size(), 0) : -1;
                head.resize(n > 0 ? static_cast<size_t>(n) : 0);
            }
            std::string err;
            auto header = RecordingHeader::parse(head, err);
            r = RecordingReader::readFile(path, ring, [&](uint64_t t, ByteView pkt) {
                if (!outDir) return;
                if (!mjr)
                    mjr.emplace(outPath, header->header.kind, header->header.codec, header->header.createdMs * 1000);
                mjr->write(t, pkt);
            });
            if (mjr) mjr->finish();
        } catch (const std::exception& e) {
            std::printf("%s: error: %s\n", path.c_str(), e.what());
            if (mjr) ::unlink(outPath.c_str());
            status = 1;
            continue;
        }
        std::printf("%s: %s, %s/%s, %llu chunks, %llu packets, sha256 %s%s%s\n", path.c_str(),
                    r.complete ? "ok" : "DAMAGED", r.header.kind == StreamKind::Audio ? "audio" : "video",
                    r.header.codec.c_str(), static_cast<unsigned long long>(r.chunks),
                    static_cast<unsigned long long>(r.packets), hexEncode(r.sha256).c_str(), r.complete ? "" : ": ",
                    r.damage.c_str());
        if (!r.complete) {
            status = 1;
            if (mjr) ::unlink(outPath.c_str());  // never hand out a partial export silently
        } else if (mjr) {
            std::printf("  -> %s\n", outPath.c_str());
        }
    }
    return status;
}

int copyKeygen(const std::string& out) {
    Bytes priv = secureRandomBytes(32);
    Bytes pub = Keyring::x25519PublicFromPrivate(priv);
    std::string hex = hexEncode(priv);
    zeroize(priv.data(), priv.size());
    hex.push_back('\n');
    UniqueFd fd(::open(out.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd) {
        zeroize(hex.data(), hex.size());
        std::fprintf(stderr, "cannot create %s (it must not exist)\n", out.c_str());
        return 2;
    }
    writeAll(fd.get(), asBytes(hex), "private key");
    zeroize(hex.data(), hex.size());
    std::printf("%s\n", base64Encode(pub).c_str());
    return 0;
}

int openCopy(const std::string& copy, const std::string& outDir, const std::string& recorderKey, const std::string& how,
             const std::string& secretFile) {
    if (how != "--key" && how != "--passphrase-file") return usage();
    auto hex = hexDecode(recorderKey);
    Ed25519Verifier verifier =
        hex && hex->size() == 32 ? Ed25519Verifier(*hex) : Ed25519Verifier::fromKeyFile(recorderKey);
    UniqueFd fd(::open(copy.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        std::fprintf(stderr, "cannot open %s\n", copy.c_str());
        return 2;
    }
    try {
        SealedPackageReader reader(fd.get());
        if (how == "--key") {
            Bytes priv = readSecretKeyFile(secretFile, 32);
            SecretBytes key = reader.header().keyFromPrivate(priv);
            zeroize(priv.data(), priv.size());
            reader.setKey(key);
        } else {
            Bytes pass = readSecretFile(secretFile);
            while (!pass.empty() && (pass.back() == '\n' || pass.back() == '\r')) pass.pop_back();
            SecretBytes key = reader.header().keyFromPassphrase(asChars(pass));
            zeroize(pass.data(), pass.size());
            reader.setKey(key);
        }
        OpenedCopy opened = PatientCopyReader::open(reader, outDir, verifier);
        for (const auto& f : opened.files) std::printf("%s/%s\n", outDir.c_str(), f.c_str());
        std::printf("verified: %zu files, manifest signed by recorder key %s\n", opened.files.size(),
                    verifier.keyId().c_str());
        return 0;
    } catch (const Error& e) {
        std::fprintf(stderr, "%s: %s\n", copy.c_str(), e.what());
        return 1;
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return usage();
    std::string cmd = argv[1];
    try {
        if (cmd == "keygen" && (argc == 4 || argc == 5))
            return keygen(argv[2], argv[3], argc == 5 ? argv[4] : "x25519");
        if (cmd == "verify" && argc >= 4)
            return verifyOrExport(Keyring::fromFile(argv[2]), std::nullopt, argc, argv, 3);
        if (cmd == "copy-keygen" && argc == 3) return copyKeygen(argv[2]);
        if (cmd == "open-copy" && argc == 7) return openCopy(argv[2], argv[3], argv[4], argv[5], argv[6]);
        if (cmd == "export" && argc >= 5)
            return verifyOrExport(Keyring::fromFile(argv[2]), std::string(argv[3]), argc, argv, 4);
    } catch (const Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 2;
    }
    return usage();
}

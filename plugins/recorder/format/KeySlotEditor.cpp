// SPDX-License-Identifier: GPL-3.0-or-later
#include "KeySlotEditor.hpp"

#include "RecorderErrors.hpp"
#include "RecordingReader.hpp"
#include "hipaa/Errors.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>

#include <cerrno>
#include <filesystem>

namespace hipaa::recorder {
namespace {

// Reads up to `n` bytes at the current offset; fewer only at the end of the file.
size_t readSome(int fd, uint8_t* dst, size_t n) {
    size_t done = 0;
    while (done < n) {
        ssize_t got = ::read(fd, dst + done, n - done);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) throw Error(errc::kInternal, "cannot read recording file");
        if (got == 0) break;
        done += static_cast<size_t>(got);
    }
    return done;
}

}  // namespace

FileSummary KeySlotEditor::rewrap(const std::string& path, const Keyring& keyring, std::optional<uint32_t> version,
                                  const std::function<void()>& progress) {
    UniqueFd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!in) throw Error(errc::kInternal, "cannot open recording file");
    Bytes head(RecordingReader::kMaxHeaderBytes);
    head.resize(readSome(in.get(), head.data(), head.size()));
    std::string error;
    auto parsed = RecordingHeader::parse(head, error);
    if (!parsed) throw Error(errc::kDamaged, "cannot rewrap: " + error);
    ByteView fixed = ByteView(head).first(parsed->fixedLength);
    Digest256 fixedHash = sha256(fixed);
    auto key = keyring.unwrap(parsed->header.slot, fixedHash);
    if (!key) {
        // Holding the private key (or KEK) that should open the slot: the header was changed.
        const Keyring::Key* own = keyring.find(parsed->header.slot.keyId);
        if (own && !Keyring::publicOnly(own->type))
            throw Error(errc::kDamaged, "cannot rewrap: the key slot does not authenticate");
        throw CryptoError("cannot rewrap: data key does not unwrap with this keyring");
    }
    RecordingHeader h = parsed->header;
    h.slot = keyring.wrap(*key, fixedHash, version);  // the key (SecretBytes) is wiped when freed

    // The new header, then the chunks copied byte for byte: temp file, fsync, rename.
    std::string tmp = path + ".tmp";
    UniqueFd out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!out) throw Error(errc::kInternal, "cannot create file");
    FileSummary s;
    try {
        ::fchmod(out.get(), 0600);
        Sha256 hash;
        auto put = [&](ByteView piece) {
            writeAll(out.get(), piece, "rewrapped recording");
            hash.update(piece);
            s.bytes += piece.size();
        };
        put(fixed);
        put(h.slotBytes());
        put(ByteView(head).subspan(parsed->totalLength));
        Bytes buf(1 << 20);
        while (size_t got = readSome(in.get(), buf.data(), buf.size())) {
            put(ByteView(buf.data(), got));
            if (progress) progress();
        }
        if (::fsync(out.get()) != 0) throw Error(errc::kInternal, "fsync failed");
        out.reset();
        if (::rename(tmp.c_str(), path.c_str()) != 0) throw Error(errc::kInternal, "rename failed");
        s.sha256 = hash.finish();
    } catch (...) {
        ::unlink(tmp.c_str());
        throw;
    }
    s.file = std::filesystem::path(path).filename().string();
    return s;
}

bool KeySlotEditor::shred(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
    if (!fd) return false;
    Bytes head(kFixedHeaderMin + 64 + 7 + kMaxWrappedKey);
    ssize_t n = ::pread(fd.get(), head.data(), head.size(), 0);
    if (n <= 0) return false;
    head.resize(static_cast<size_t>(n));
    std::string error;
    auto parsed = RecordingHeader::parse(head, error);
    if (!parsed) return false;
    // Same length as before, so the chunks do not move: key id kept, algorithm None, zeros.
    RecordingHeader h = parsed->header;
    h.slot.algorithm = WrapAlgorithm::None;
    std::fill(h.slot.wrapped.begin(), h.slot.wrapped.end(), uint8_t{0});
    Bytes slot = h.slotBytes();
    off_t at = static_cast<off_t>(parsed->fixedLength);
    if (::pwrite(fd.get(), slot.data(), slot.size(), at) != static_cast<ssize_t>(slot.size())) return false;
    return ::fsync(fd.get()) == 0;
}

}  // namespace hipaa::recorder

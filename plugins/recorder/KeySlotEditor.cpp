#include "KeySlotEditor.hpp"

#include "RecorderErrors.hpp"
#include "hipaa/Errors.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>

#include <filesystem>

namespace hipaa::recorder {

FileSummary KeySlotEditor::rewrap(const std::string& path, const Keyring& keyring, std::optional<uint32_t> version) {
    Bytes file = readWholeFile(path);
    std::string error;
    auto parsed = RecordingHeader::parse(file, error);
    if (!parsed) throw Error(kRecorderDamaged, "cannot rewrap: " + error);
    ByteView fixed = ByteView(file).first(parsed->fixedLength);
    Digest256 fixedHash = sha256(fixed);
    auto key = keyring.unwrap(parsed->header.slot, fixedHash);
    if (!key) {
        // Holding the private key (or KEK) that should open the slot: the header was changed.
        const Keyring::Key* own = keyring.find(parsed->header.slot.keyId);
        if (own && !Keyring::publicOnly(own->type)) throw Error(kRecorderDamaged, "cannot rewrap: the key slot does not authenticate");
        throw CryptoError("cannot rewrap: data key does not unwrap with this keyring");
    }
    RecordingHeader h = parsed->header;
    h.slot = keyring.wrap(*key, fixedHash, version);  // the key (SecretBytes) is wiped when freed
    Bytes out(fixed.begin(), fixed.end());
    Bytes slot = h.slotBytes();
    out.insert(out.end(), slot.begin(), slot.end());
    out.insert(out.end(), file.begin() + static_cast<std::ptrdiff_t>(parsed->totalLength), file.end());
    writeFileAtomic(path, out, 0600);
    FileSummary s;
    s.file = std::filesystem::path(path).filename().string();
    s.sha256 = sha256(out);
    s.bytes = out.size();
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

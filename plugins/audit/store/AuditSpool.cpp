// SPDX-License-Identifier: GPL-3.0-or-later
#include "AuditSpool.hpp"

#include "hipaa/ErrnoText.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/SecureRandom.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hipaa::audit {
namespace {

constexpr char kMagic[4] = {'A', 'U', 'S', '1'};
constexpr size_t kHeader = 4 + 4 + AesGcm::kNonceSize;
constexpr std::string_view kAad = "janus-hipaa-audit-spool/v1";

bool readFull(int fd, uint8_t* p, size_t n, off_t off) {
    while (n > 0) {
        ssize_t r = pread(fd, p, n, off);
        if (r <= 0) return false;
        p += r;
        n -= static_cast<size_t>(r);
        off += r;
    }
    return true;
}

}  // namespace

AuditSpool::AuditSpool(std::string path, ByteView key, uint64_t maxBytes)
    : path_(std::move(path)), aead_(key), max_(maxBytes) {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) throw ConfigError("audit spool " + path_ + ": cannot open (" + errnoText(errno) + ")");
    fchmod(fd_, 0600);
    try {
        scan();
    } catch (...) {
        ::close(fd_);
        throw;
    }
}

AuditSpool::~AuditSpool() {
    if (fd_ >= 0) ::close(fd_);
}

void AuditSpool::scan() {
    struct stat st {};
    fstat(fd_, &st);
    uint64_t fileSize = static_cast<uint64_t>(st.st_size), off = 0;
    frames_ = 0;
    uint8_t hdr[kHeader];
    while (off + kHeader <= fileSize) {
        if (!readFull(fd_, hdr, kHeader, static_cast<off_t>(off)) || std::memcmp(hdr, kMagic, 4) != 0) break;
        uint32_t len = (uint32_t(hdr[4]) << 24) | (uint32_t(hdr[5]) << 16) | (uint32_t(hdr[6]) << 8) | hdr[7];
        if (off + kHeader + len > fileSize) break;  // torn tail
        off += kHeader + len;
        ++frames_;
    }
    if (off != fileSize) {
        // Only a crash mid-append leaves a partial frame; it was never acknowledged.
        if (ftruncate(fd_, static_cast<off_t>(off)) != 0)
            throw ConfigError("audit spool " + path_ + ": cannot truncate torn tail");
        fsync(fd_);
    }
    size_ = off;
    // Authenticate everything now: a tampered spool is refused at start, not mid-replay.
    forEach([](std::string&&) { return true; });
}

bool AuditSpool::append(const std::vector<std::string>& payloads) {
    Bytes buf;
    for (const auto& p : payloads) {
        Bytes nonce = secureRandomBytes(AesGcm::kNonceSize);
        Bytes sealed = aead_.seal(nonce, asBytes(kAad), asBytes(p));
        uint32_t len = static_cast<uint32_t>(sealed.size());
        buf.insert(buf.end(), kMagic, kMagic + 4);
        for (int s = 24; s >= 0; s -= 8) buf.push_back(static_cast<uint8_t>(len >> s));
        buf.insert(buf.end(), nonce.begin(), nonce.end());
        buf.insert(buf.end(), sealed.begin(), sealed.end());
    }
    if (size_ + buf.size() > max_) return false;
    size_t done = 0;
    while (done < buf.size()) {
        ssize_t w = pwrite(fd_, buf.data() + done, buf.size() - done, static_cast<off_t>(size_ + done));
        if (w <= 0) {
            if (ftruncate(fd_, static_cast<off_t>(size_)) != 0) {
            }
            return false;
        }
        done += static_cast<size_t>(w);
    }
    if (fdatasync(fd_) != 0) {
        if (ftruncate(fd_, static_cast<off_t>(size_)) != 0) {
        }
        return false;
    }
    size_ += buf.size();
    frames_ += payloads.size();
    return true;
}

void AuditSpool::forEach(const std::function<bool(std::string&&)>& fn) const {
    uint64_t off = 0;
    uint8_t hdr[kHeader];
    while (off + kHeader <= size_) {
        if (!readFull(fd_, hdr, kHeader, static_cast<off_t>(off))) throw CryptoError("audit spool: read failed");
        uint32_t len = (uint32_t(hdr[4]) << 24) | (uint32_t(hdr[5]) << 16) | (uint32_t(hdr[6]) << 8) | hdr[7];
        Bytes sealed(len);
        if (!readFull(fd_, sealed.data(), len, static_cast<off_t>(off + kHeader)))
            throw CryptoError("audit spool: read failed");
        auto plain = aead_.open(ByteView(hdr + 8, AesGcm::kNonceSize), asBytes(kAad), sealed);
        if (!plain)
            throw CryptoError("audit spool " + path_ + ": frame at offset " + std::to_string(off) +
                              " fails authentication");
        off += kHeader + len;
        if (!fn(std::string(asChars(*plain)))) return;
    }
}

void AuditSpool::clear() {
    if (ftruncate(fd_, 0) != 0) throw CryptoError("audit spool: cannot truncate");
    fsync(fd_);
    size_ = 0;
    frames_ = 0;
}

}  // namespace hipaa::audit

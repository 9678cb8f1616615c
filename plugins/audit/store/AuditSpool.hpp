// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The local spool: where records go while PostgreSQL is unreachable. An append-only file of frames
//   "AUS1" | u32 BE length | 12-byte random nonce | AES-256-GCM(payload) with its 16-byte tag
// (AAD "janus-hipaa-audit-spool/v1"). append() writes a whole group and fsyncs once (group commit):
// what append() returned true for survives a crash. A torn last frame (crash mid-write) is cut off
// on open. Writer thread only.
#include "hipaa/AesGcm.hpp"
#include "hipaa/Bytes.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace hipaa::audit {

class AuditSpool {
public:
    // Opens (creating 0600) `path`; throws CryptoError/ConfigError if it cannot, or if a frame
    // before the end fails authentication (tampered spool: refuse rather than replay garbage).
    AuditSpool(std::string path, ByteView key, uint64_t maxBytes);
    ~AuditSpool();
    AuditSpool(const AuditSpool&) = delete;
    AuditSpool& operator=(const AuditSpool&) = delete;

    // false (nothing written) when the group would exceed max bytes or the write failed.
    bool append(const std::vector<std::string>& payloads);
    // Calls `fn` for every payload in order; stops early when it returns false.
    void forEach(const std::function<bool(std::string&&)>& fn) const;
    // Empties the file (after a complete replay).
    void clear();

    uint64_t bytes() const { return size_; }
    uint64_t frames() const { return frames_; }
    bool empty() const { return frames_ == 0; }
    uint64_t maxBytes() const { return max_; }

private:
    void scan();  // counts frames, truncates a torn tail

    std::string path_;
    AesGcm aead_;
    uint64_t max_;
    int fd_ = -1;
    uint64_t size_ = 0, frames_ = 0;
};

}  // namespace hipaa::audit

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// `<spool.dir>/<instance>.head`: the newest record the committer made durable (seq, hash), saved with
// fdatasync after every database commit, so that a restart while PostgreSQL is unreachable continues
// the same chain.
//
// Two fixed-size 128-byte slots, written alternately in place (one pwrite + one fdatasync: the file's
// size and its directory entry never change, so no metadata is journalled per commit; the previous
// open/write/fdatasync/rename cost ~4 ms per commit on ext4, the in-place write ~0.1 ms). Each slot
// carries a checksum; a torn write can only damage the slot being written, and the reader takes the
// valid slot with the larger seq, so a crash mid-write leaves the previous head (as a crash just
// before the write would). The single-line format of earlier versions ("<seq> <hex>\n") is still read
// and is replaced, atomically (temporary file + rename), by the first save.
#include "hipaa/Hash.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace hipaa::audit {

class AuditHeadFile {
public:
    static constexpr size_t kSlot = 128;

    explicit AuditHeadFile(std::string path) : path_(std::move(path)) {}
    ~AuditHeadFile();
    AuditHeadFile(const AuditHeadFile&) = delete;
    AuditHeadFile& operator=(const AuditHeadFile&) = delete;

    // The newest valid head in the file (either format); nullopt when there is none.
    static std::optional<std::pair<int64_t, Digest256>> read(const std::string& path);
    // Durably records the head. False on an I/O error (the caller carries on: the database and the
    // spool remain the primary copies).
    bool save(int64_t seq, const Digest256& hash);

    static std::string slotText(int64_t seq, const Digest256& hash);  // exactly kSlot bytes
    const std::string& path() const { return path_; }

private:
    bool create(int64_t seq, const Digest256& hash);
    std::string path_;
    int fd_ = -1;
    int next_ = 0;  // slot the next save overwrites
};

}  // namespace hipaa::audit

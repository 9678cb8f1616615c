// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Reads what SealedPackageWriter wrote, one authenticated chunk at a time. Any tampered, reordered,
// truncated or appended byte, and a wrong key, throws Error(kInvalidField) "the copy does not
// authenticate" before any of that chunk is returned.
#include "PackageHeader.hpp"
#include "hipaa/AesGcm.hpp"

#include <optional>

namespace hipaa::recorder {

class SealedPackageReader {
public:
    // Reads and parses the header from `fd` (owned by the caller); key() follows from it.
    explicit SealedPackageReader(int fd);
    const PackageHeader& header() const { return header_; }
    // Must be called once, before read().
    void setKey(const SecretBytes& key);
    // Fills `out` with up to `n` bytes; fewer only at the authenticated end of the stream.
    size_t read(uint8_t* out, size_t n);

private:
    bool nextChunk();

    int fd_;
    PackageHeader header_;
    Bytes headerBytes_;
    std::optional<AesGcm> aead_;
    SecretBytes chunk_;
    size_t offset_ = 0;
    uint64_t index_ = 0;
    bool final_ = false;
};

}  // namespace hipaa::recorder

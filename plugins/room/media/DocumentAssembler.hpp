// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One sender's document transfer (DocumentFrame), checked as it arrives: a size cap, chunks in order,
// the type told by the bytes, the sender's SHA-256. A refusal discards (and wipes) everything received
// of the transfer: nothing partial is relayed or kept. One transfer at a time per sender. Not
// thread-safe: the room's document thread owns it.
#include "DocumentFrame.hpp"
#include "DocumentType.hpp"

#include "hipaa/Hash.hpp"

#include <optional>
#include <string>

namespace hipaa::room {

struct SharedDocument {
    DocumentType type = DocumentType::Pdf;
    Bytes content;
    Digest256 sha256{};
};

class DocumentAssembler {
public:
    struct Result {
        enum class Status { Continue, Complete, Refused } status = Status::Continue;
        std::optional<SharedDocument> document;  // Complete
        int code = 0;                            // Refused: RoomErrors' kDocument*
        std::string reason;                      // Refused: its slug (docs/error-codes.md)
    };

    explicit DocumentAssembler(uint64_t maxBytes) : maxBytes_(maxBytes) {}
    ~DocumentAssembler() { discard(); }
    DocumentAssembler(const DocumentAssembler&) = delete;
    DocumentAssembler& operator=(const DocumentAssembler&) = delete;

    Result take(ByteView message);
    // The sender left or unpublished: a transfer in flight is refused as incomplete (nullopt: none).
    std::optional<Result> abandon();
    bool inFlight() const { return active_; }
    uint64_t received() const { return content_.size(); }

private:
    Result refuse(int code, const char* reason);
    void discard();

    const uint64_t maxBytes_;
    bool active_ = false;
    uint32_t transfer_ = 0, nextIndex_ = 0;
    DocumentType type_ = DocumentType::Pdf;
    uint64_t size_ = 0;
    Bytes content_;
};

}  // namespace hipaa::room

// SPDX-License-Identifier: GPL-3.0-or-later
#include "DocumentAssembler.hpp"

#include "RoomErrors.hpp"

#include <openssl/crypto.h>

#include <algorithm>

namespace hipaa::room {

void DocumentAssembler::discard() {
    OPENSSL_cleanse(content_.data(), content_.size());
    content_.clear();
    content_.shrink_to_fit();
    active_ = false;
    nextIndex_ = 0;
    size_ = 0;
}

DocumentAssembler::Result DocumentAssembler::refuse(int code, const char* reason) {
    discard();
    Result r;
    r.status = Result::Status::Refused;
    r.code = code;
    r.reason = reason;
    return r;
}

std::optional<DocumentAssembler::Result> DocumentAssembler::abandon() {
    if (!active_) return std::nullopt;
    return refuse(errc::kDocumentIncomplete, "incomplete");
}

DocumentAssembler::Result DocumentAssembler::take(ByteView message) {
    std::optional<DocumentFrame> f = DocumentFrame::parse(message);
    if (!f) return refuse(errc::kDocumentMalformed, "malformed");
    switch (f->kind) {
        case DocumentFrame::Kind::Start: {
            if (active_) return refuse(errc::kDocumentIncomplete, "incomplete");  // the one in flight stopped
            std::optional<DocumentType> t = DocumentTypes::fromCode(f->type);
            if (!t) return refuse(errc::kDocumentType, "wrong_type");
            if (f->size == 0 || f->size > maxBytes_) return refuse(errc::kDocumentTooLarge, "too_large");
            active_ = true;
            transfer_ = f->transfer;
            type_ = *t;
            size_ = f->size;
            nextIndex_ = 0;
            // Reserved once: the content is never reallocated, so no stale copy is left to wipe.
            content_.reserve(static_cast<size_t>(size_));
            return {};
        }
        case DocumentFrame::Kind::Chunk: {
            if (!active_ || f->transfer != transfer_ || f->index != nextIndex_)
                return refuse(errc::kDocumentIncomplete, "incomplete");
            if (content_.size() + f->payload.size() > size_) return refuse(errc::kDocumentTooLarge, "too_large");
            content_.insert(content_.end(), f->payload.begin(), f->payload.end());
            ++nextIndex_;
            // The signature is in the first bytes: a file of another type is refused before it is all sent.
            constexpr size_t kSniff = 8;
            if (content_.size() >= std::min<uint64_t>(kSniff, size_) && content_.size() - f->payload.size() < kSniff &&
                DocumentTypes::sniff(content_) != type_)
                return refuse(errc::kDocumentType, "wrong_type");
            return {};
        }
        case DocumentFrame::Kind::End: {
            if (!active_ || f->transfer != transfer_ || content_.size() != size_)
                return refuse(errc::kDocumentIncomplete, "incomplete");
            Digest256 digest = sha256(content_);
            if (digest != f->sha256) return refuse(errc::kDocumentIncomplete, "incomplete");
            if (!DocumentTypes::matches(type_, content_)) return refuse(errc::kDocumentType, "wrong_type");
            Result r;
            r.status = Result::Status::Complete;
            r.document = SharedDocument{type_, std::move(content_), digest};
            content_ = {};
            active_ = false;
            nextIndex_ = 0;
            size_ = 0;
            return r;
        }
        case DocumentFrame::Kind::Abort:  // the sender gave up: nothing of it is kept
            return refuse(errc::kDocumentIncomplete, "incomplete");
    }
    return refuse(errc::kDocumentMalformed, "malformed");
}

}  // namespace hipaa::room

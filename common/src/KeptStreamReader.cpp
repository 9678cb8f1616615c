// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/KeptStreamReader.hpp"

#include "hipaa/ChatRecord.hpp"
#include "hipaa/ConstantTime.hpp"
#include "hipaa/DocumentRecord.hpp"
#include "hipaa/Errors.hpp"

#include <openssl/crypto.h>

namespace hipaa {

KeptStreamReader::KeptStreamReader(OnMessage onMessage, OnDocument onDocument)
    : onMessage_(std::move(onMessage)), onDocument_(std::move(onDocument)) {}

KeptStreamReader::~KeptStreamReader() { discard(); }

void KeptStreamReader::discard() {
    if (doc_) OPENSSL_cleanse(doc_->content.data(), doc_->content.size());
    doc_.reset();
}

void KeptStreamReader::take(ByteView record) {
    if (record.empty()) throw Error(errc::kInternal, "an empty kept record");
    switch (record[0]) {
        case ChatRecord::kVersion: {
            if (doc_) throw Error(errc::kInternal, "a message inside a kept document");
            std::optional<ChatRecord> m = ChatRecord::decode(record);
            if (!m) throw Error(errc::kInternal, "a chat record does not decode");
            KeptMessage k{std::move(m->sender), std::move(m->role), m->sentMs, std::move(m->text)};
            try {
                if (onMessage_) onMessage_(k);
            } catch (...) {
                OPENSSL_cleanse(k.text.data(), k.text.size());
                throw;
            }
            OPENSSL_cleanse(k.text.data(), k.text.size());
            return;
        }
        case DocumentRecord::kStartVersion: {
            if (doc_) throw Error(errc::kInternal, "a kept document starts inside another");
            std::optional<DocumentRecord> s = DocumentRecord::decodeStart(record);
            if (!s || s->number != next_) throw Error(errc::kInternal, "a document record does not decode");
            ++next_;
            number_ = s->number;
            size_ = s->size;
            doc_.emplace(
                KeptDocument{std::move(s->sender), std::move(s->role), s->sentMs, std::move(s->mime), {}, s->sha256});
            hash_ = Sha256();
            break;
        }
        case DocumentRecord::kPartVersion: {
            std::optional<DocumentRecord::Part> p = DocumentRecord::decodePart(record);
            if (!p || !doc_ || p->number != number_ || p->offset != doc_->content.size() ||
                p->bytes.size() > size_ - doc_->content.size())
                throw Error(errc::kInternal, "a document part is out of order");
            if (doc_->content.capacity() < size_) {
                // Reserved once (never reallocated: no stale copies of the content).
                Bytes reserved;
                reserved.reserve(static_cast<size_t>(size_));
                reserved.assign(doc_->content.begin(), doc_->content.end());
                OPENSSL_cleanse(doc_->content.data(), doc_->content.size());
                doc_->content.swap(reserved);
            }
            doc_->content.insert(doc_->content.end(), p->bytes.begin(), p->bytes.end());
            hash_.update(p->bytes);
            break;
        }
        default:
            throw Error(errc::kInternal, "a kept record of an unknown version");
    }
    if (!doc_ || doc_->content.size() != size_) return;
    Digest256 got = hash_.finish();
    if (!constantTimeEqual(ByteView(got), ByteView(doc_->sha256))) {
        discard();
        throw Error(errc::kInternal, "a kept document does not match its SHA-256");
    }
    KeptDocument d = std::move(*doc_);
    doc_.reset();
    try {
        if (onDocument_) onDocument_(d);
    } catch (...) {
        OPENSSL_cleanse(d.content.data(), d.content.size());
        throw;
    }
    OPENSSL_cleanse(d.content.data(), d.content.size());
}

bool KeptStreamReader::finish() {
    const bool dropped = doc_.has_value();
    discard();
    return dropped;
}

}  // namespace hipaa

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Reads the decrypted records of a kept-chat stream (stream kind 3) in order: message records
// (ChatRecord, version 1) and documents (DocumentRecord: a start, then its parts in order). A
// document is handed on only once every part arrived and its SHA-256 matches; a record that is
// neither, a part out of order or a mismatching hash throws (the stream is damaged). A document whose
// parts stop at the end of the stream (an interrupted recording) is dropped and counted, never handed
// on partly. Wipes what it buffers.
#include "hipaa/Hash.hpp"
#include "hipaa/KeptRecordSource.hpp"

#include <functional>
#include <optional>

namespace hipaa {

class KeptStreamReader {
public:
    using OnMessage = std::function<void(KeptMessage&)>;
    using OnDocument = std::function<void(KeptDocument&)>;

    KeptStreamReader(OnMessage onMessage, OnDocument onDocument);
    ~KeptStreamReader();
    KeptStreamReader(const KeptStreamReader&) = delete;
    KeptStreamReader& operator=(const KeptStreamReader&) = delete;

    // One record; throws Error(kInternal) for one that does not decode or does not fit.
    void take(ByteView record);
    // The stream ended: true when a document was in progress (dropped, its bytes wiped).
    bool finish();

private:
    void discard();

    OnMessage onMessage_;
    OnDocument onDocument_;
    std::optional<KeptDocument> doc_;
    uint32_t number_ = 0;
    uint64_t size_ = 0;
    uint32_t next_ = 0;  // the number the next document must carry
    Sha256 hash_;
};

}  // namespace hipaa

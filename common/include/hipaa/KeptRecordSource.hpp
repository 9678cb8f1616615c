// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The recorder's in-process reader of what a visit kept besides media (janus.plugin.hipaa.recorder
// provides it, the FHIR handler uses it): the chat messages and shared documents sealed in a kept-chat
// recording (stream kind 3), decrypted in memory for the EHR export. Nothing here leaves the process
// in clear; the caller seals what it keeps (the FHIR outbox). Reached only through a lease of
// inProcess(), never from a media thread.
#include "hipaa/Bytes.hpp"
#include "hipaa/Hash.hpp"
#include "hipaa/InProcessSlot.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace hipaa {

struct KeptMessage {
    std::string sender, role;  // the participant's pseudonym and role
    uint64_t sentMs = 0;       // when the room received it, Unix milliseconds
    std::string text;          // exactly as sent (may not be UTF-8)
};

struct KeptDocument {
    std::string sender, role;
    uint64_t sentMs = 0;
    std::string mime;  // "application/pdf", "image/png", "image/jpeg"
    Bytes content;
    Digest256 sha256{};
};

struct KeptVisitRecords {
    std::string recording;  // the recorder's id
    std::vector<KeptMessage> messages;
    std::vector<KeptDocument> documents;
};

class KeptRecordSource {
public:
    virtual ~KeptRecordSource() = default;
    // Decrypts and authenticates the kept chat and documents of a sealed recording. Throws the
    // recorder's Error for an unknown, open, deleted or failed recording and for one that does not
    // verify (nothing partial is returned).
    virtual KeptVisitRecords read(const std::string& recording) = 0;

    // This process' slot (libhipaa_common.so); the recorder registers there at init.
    static InProcessSlot<KeptRecordSource>& inProcess();
};

}  // namespace hipaa

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Builds a patient's copy of their visits (Admin `patient_copy`, docs/recorder.md): every selected
// recording exported to .mjr and converted by janus-pp-rec (a bounded child) to a playable file, the
// visits' notes as sent to the EHR (VisitNotes seam), the accounting of disclosures of those
// recordings (AuditTrail seam), each recording's own signed manifest, and a copy manifest signed with
// the recorder's key; all encrypted to the patient (PatientCopyWriter over SealedPackageWriter) into
// ONE file in export_dir (0600), removed by the export sweeper after export_ttl like exports.
// Fail closed: any failure removes the copy and every intermediate file.
#include "ChildRunner.hpp"
#include "PackageHeader.hpp"
#include "RecordingStore.hpp"
#include "hipaa/Ed25519Signer.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hipaa::recorder {

// Who the copy is encrypted to. The passphrase is wiped when this goes.
struct CopyRecipient {
    std::optional<Bytes> x25519Public;  // raw 32 bytes
    SecretBytes passphrase;             // when no public key

    // {"x25519": "<base64 32 bytes>"} or {"passphrase": "..."}: RequestError 302/303 otherwise.
    // The passphrase's JSON string is wiped in place after it is copied.
    static CopyRecipient fromRequest(json_t* recipient);
};

struct CopyRecording {
    std::string id, visit;  // visit: the visit id its notes are filed under ("" : none)
};

struct CopyResult {
    std::string file;  // name in export_dir
    uint64_t bytes = 0;
    size_t recordings = 0, notes = 0, disclosures = 0;
    bool notesAvailable = false, disclosuresAvailable = false;
};

class PatientCopyBuilder {
public:
    struct Options {
        std::string recordingsDir, exportDir;
        std::string converter = "/usr/bin/janus-pp-rec";
        ChildLimits limits;
        ScryptParams scrypt;
    };

    PatientCopyBuilder(const RecordingStore& store, const Ed25519Signer& signer, Options options)
        : store_(store), signer_(signer), options_(std::move(options)) {}

    // `patient` (pseudonym), `fromMs`/`toMs` go into the manifest as the request's scope.
    CopyResult build(const std::string& patient, int64_t fromMs, int64_t toMs,
                     const std::vector<CopyRecording>& recordings, const CopyRecipient& recipient, int64_t nowMs) const;

    // Names `build` gives its copies (and, while it works, its folder): the export sweeper removes them.
    static bool isCopyName(std::string_view name);
    // janus-pp-rec's output extension for a codec; empty when it has none.
    static std::string extensionFor(const std::string& codec);

private:
    const RecordingStore& store_;
    const Ed25519Signer& signer_;
    Options options_;
};

}  // namespace hipaa::recorder

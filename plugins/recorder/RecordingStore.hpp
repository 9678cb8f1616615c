#pragma once
// The recordings folder: per recording a state file (<id>.state.json, no PHI), one sealed file per
// stream (<id>-<n>.jrec), the signed manifest (<id>.manifest.json) once sealed and the signed
// deletion receipt (<id>.receipt.json) once deleted. Thread-safe; every public call is atomic with
// respect to the others. Errors are RequestError with the codes of RecorderErrors.hpp.
#include "Keyring.hpp"
#include "RecordingWriter.hpp"
#include "RetentionPolicy.hpp"
#include "hipaa/Ed25519Signer.hpp"
#include "hipaa/Json.hpp"

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace hipaa::recorder {

struct StreamSpec {
    StreamKind kind = StreamKind::Audio;
    std::string codec, mid;
};

class RecordingStore {
public:
    // Loads existing state; recordings still marked "recording" were cut off by a crash and become
    // "interrupted" (their sealed prefix stays readable; verify reports the damaged tail).
    RecordingStore(std::string dir, const Keyring& keyring, const Ed25519Signer& signer, RetentionPolicies policies);

    // Registers a new recording; returns the stream file paths in spec order.
    std::vector<std::string> create(const std::string& id, const std::string& policy, const std::vector<StreamSpec>& streams);
    // Writes the signed manifest: status `sealed`, or `failed` when a file is incomplete (a write
    // failed: the manifest records what each file authentically holds). Throws WriteError when the
    // manifest cannot be written (the status is then unchanged).
    void sealed(const std::string& id, const std::vector<FileSummary>& files);
    void markInterrupted(const std::string& id);

    void hold(const std::string& id, const std::string& reason);
    void release(const std::string& id, const std::string& reason);
    // Crypto-shredding, then unlink, then the signed receipt (returned as the signed document).
    JsonPtr remove(const std::string& id, const std::string& reason, int64_t nowMs);
    JsonPtr verify(const std::string& id) const;
    // Re-wraps every file's data key with the newest key; returns the new key version.
    uint32_t rewrap(const std::string& id);
    // Decrypts every stream into `dir` as <prefix>-<n>.mjr (0600); returns the paths written.
    std::vector<std::string> exportMjr(const std::string& id, const std::string& dir, const std::string& prefix) const;

    // Sealed, failed or interrupted recordings past their policy and not on hold.
    std::vector<std::string> expired(int64_t nowMs) const;
    JsonPtr describe(const std::string& id) const;
    JsonPtr list() const;
    bool exists(const std::string& id) const;
    const RetentionPolicies& policies() const { return policies_; }

private:
    struct Meta {
        std::string status;  // recording | sealed | failed | interrupted | deleted
        std::string failure;  // failed: why a file is incomplete (no_space, file_too_large ...)
        std::string policy;
        int64_t createdMs = 0, endedMs = 0, deletedMs = 0, holdSinceMs = 0;
        bool held = false;
        std::string holdReason;
        std::vector<StreamSpec> streams;
        std::vector<std::string> files;
    };

    Meta& get(const std::string& id);
    const Meta& get(const std::string& id) const;
    void save(const std::string& id, const Meta& m) const;
    std::string path(const std::string& name) const { return dir_ + "/" + name; }
    JsonPtr describeLocked(const std::string& id, const Meta& m) const;

    std::string dir_;
    const Keyring& keyring_;
    const Ed25519Signer& signer_;
    RetentionPolicies policies_;
    mutable std::mutex mutex_;
    std::map<std::string, Meta> recordings_;
};

}  // namespace hipaa::recorder

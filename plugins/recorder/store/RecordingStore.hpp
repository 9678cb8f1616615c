// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The recordings folder: per recording a state file (<id>.state.json, no PHI), one sealed file per
// stream (<id>-<n>.jrec), the signed manifest (<id>.manifest.json) once sealed and the signed
// deletion receipt (<id>.receipt.json) once deleted; decrypted exports go to a separate folder.
// Thread-safe. Locking: one store-wide mutex guards only the in-memory index and is never held across
// file I/O; each recording has its own locks, so a long call (export, verify, rewrap, delete of an
// hour of video) holds up only calls on that same recording, and files are streamed in bounded pieces.
// Errors are RequestError with the codes of RecorderErrors.hpp.
#include "Keyring.hpp"
#include "RecordingWriter.hpp"
#include "RetentionPolicy.hpp"
#include "hipaa/Ed25519Signer.hpp"
#include "hipaa/Json.hpp"
#include "hipaa/KeptRecordSource.hpp"
#include "hipaa/RecordingSink.hpp"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace hipaa::recorder {

// Several instances on one recordings folder (cluster.conninfo set): the folder, not this process'
// memory, is the truth. Every call reads the recording's state file again (list and the sweep: the
// folder), recordings another instance creates appear, and a recording is written only by the
// instance named in its state file (`instance`): the others refuse to change, export or verify it
// while it records (430). Locking across instances is the caller's (RecordingLeases).
struct StoreSharing {
    bool shared = false;
    std::string instanceId;
};

struct StreamSpec {
    StreamKind kind = StreamKind::Audio;
    std::string codec, mid;
};

class RecordingStore {
public:
    // Loads existing state; recordings still marked "recording" were cut off by a crash and become
    // "interrupted" (their sealed prefix stays readable; verify reports the damaged tail).
    RecordingStore(std::string dir, std::string exportDir, const Keyring& keyring, const Ed25519Signer& signer,
                   RetentionPolicies policies, StoreSharing sharing = {});

    // Registers a new recording with who took part (`context`, checked by the caller; none for an
    // Admin API start that names nobody); returns the stream file paths in spec order.
    std::vector<std::string> create(const std::string& id, const std::string& policy,
                                    const std::vector<StreamSpec>& streams,
                                    const std::optional<RecordingContext>& context = std::nullopt);
    // Writes the signed manifest: status `sealed`, or `failed` when a file is incomplete (a write
    // failed: the manifest records what each file authentically holds). Throws WriteError when the
    // manifest cannot be written (the status is then unchanged).
    void sealed(const std::string& id, const std::vector<FileSummary>& files);
    void markInterrupted(const std::string& id);

    void hold(const std::string& id, const std::string& reason);
    void release(const std::string& id, const std::string& reason);
    // Removes the recording's exports, then per file: its hash, crypto-shredding, unlink; then the
    // signed receipt (returned as the signed document; `exports` lists the exports removed).
    JsonPtr remove(const std::string& id, const std::string& reason, int64_t nowMs);
    JsonPtr verify(const std::string& id) const;
    // Re-wraps every file's data key with the newest key; returns the new key version.
    uint32_t rewrap(const std::string& id);
    // Decrypts every stream into the export folder as <id>-<nowMs>-<n>-<kind>.mjr (a chat stream:
    // <id>-<nowMs>-<n>-chat.jsonl, ChatExportWriter) (0600); returns the
    // paths written (none is left behind when it fails).
    std::vector<std::string> exportMjr(const std::string& id, int64_t nowMs) const;
    // True for the names exportMjr gives (of recording `id`, when given): the only files the export
    // sweeper and `remove` delete from the export folder.
    static bool isExportName(std::string_view name, std::string_view id = {});
    // The kept chat and documents of a sealed recording, decrypted in memory (KeptRecordSource). Every
    // file must match the signed manifest and authenticate whole, every record decode: otherwise it
    // throws (421 unknown, 425 deleted, 426 still recording, 428 damaged, failed, interrupted or no chat
    // stream, 427 key unavailable) and returns nothing.
    KeptVisitRecords readKept(const std::string& id) const;

    // Sealed, failed or interrupted recordings past their policy and not on hold.
    std::vector<std::string> expired(int64_t nowMs) const;
    // status/list entries; with a context also `visit`, `room` and `participants` {providers, patients}.
    JsonPtr describe(const std::string& id) const;
    JsonPtr list() const;
    // Who took part; nullopt for a recording made without one (before contexts were kept). 421 unknown.
    std::optional<RecordingContext> context(const std::string& id) const;
    bool exists(const std::string& id) const;
    bool shared() const { return sharing_.shared; }
    const RetentionPolicies& policies() const { return policies_; }
    const std::string& exportDir() const { return exportDir_; }

    // Tests: called by export, verify, rewrap and delete between the bounded pieces they read, with no
    // store-wide lock held (only that recording's); it may block to hold such a call mid-file.
    using ProgressHook = std::function<void(const std::string& id)>;
    void setProgressHook(ProgressHook hook) { progress_ = std::move(hook); }

private:
    struct Meta {
        std::string status;   // recording | sealed | failed | interrupted | deleted
        std::string failure;  // failed: why a file is incomplete (no_space, file_too_large ...)
        std::string policy;
        int64_t createdMs = 0, endedMs = 0, deletedMs = 0, holdSinceMs = 0;
        bool held = false;
        std::string holdReason;
        std::string instance;  // shared folder: the instance that writes (wrote) it
        std::optional<RecordingContext> context;
        std::vector<StreamSpec> streams;
        std::vector<std::string> files;
    };
    // Lock order: files, then state, then mutex_.
    struct Entry {
        std::shared_mutex files;  // shared: verify, export, hold, release; exclusive: delete, rewrap
        std::mutex state;         // one change at a time (in memory, then the state file)
        Meta meta;                // read under mutex_; changed under `state` and mutex_
    };

    // Shared folder: reads the state file again first (and finds recordings other instances made).
    std::shared_ptr<Entry> entry(const std::string& id) const;
    // Throws ConfigError (unreadable) or Error; the policy is checked by the caller.
    static Meta readMeta(const std::string& file);
    // Shared folder: every state file read again (list, expired).
    void refresh() const;
    void reload(const std::string& id, Entry& e) const;
    // 430 while another instance writes the recording.
    void refuseOpenElsewhere(const Meta& m) const;
    // Deleted (425), written by another instance (430) or still recording here (426): throws.
    void refuseUnlessFinished(const Meta& m) const;
    Meta snapshot(const Entry& e) const;
    // Under e.state: applies `change` to the meta (under mutex_), then writes the state file.
    void update(const std::string& id, Entry& e, const std::function<void(Meta&)>& change);
    void save(const std::string& id, const Meta& m) const;
    std::string path(const std::string& name) const { return dir_ + "/" + name; }
    JsonPtr describeMeta(const std::string& id, const Meta& m) const;
    void progress(const std::string& id) const {
        if (progress_) progress_(id);
    }

    std::string dir_, exportDir_;
    const Keyring& keyring_;
    const Ed25519Signer& signer_;
    RetentionPolicies policies_;
    StoreSharing sharing_;
    ProgressHook progress_;
    mutable std::mutex mutex_;  // guards recordings_ and every Entry::meta; never held across file I/O
    // mutable: a shared folder's reads add what other instances wrote.
    mutable std::map<std::string, std::shared_ptr<Entry>> recordings_;
};

}  // namespace hipaa::recorder

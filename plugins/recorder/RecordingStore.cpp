#include "RecordingStore.hpp"

#include "KeySlotEditor.hpp"
#include "Manifest.hpp"
#include "MjrWriter.hpp"
#include "RecorderErrors.hpp"
#include "RecordingReader.hpp"
#include "UniqueFd.hpp"
#include "WriteError.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

namespace hipaa::recorder {
namespace {

int64_t wallMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
const char* kindName(StreamKind k) { return k == StreamKind::Audio ? "audio" : "video"; }
bool fileExists(const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0;
}

}  // namespace

RecordingStore::RecordingStore(std::string dir, const Keyring& keyring, const Ed25519Signer& signer,
                               RetentionPolicies policies)
    : dir_(std::move(dir)), keyring_(keyring), signer_(signer), policies_(std::move(policies)) {
    const std::string suffix = ".state.json";
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
        std::string name = entry.path().filename().string();
        if (name.size() != 32 + suffix.size() || !name.ends_with(suffix)) continue;
        std::string id = name.substr(0, 32);
        if (!recordingIdFromHex(id)) continue;
        JsonPtr j;
        try {
            j = jsonParse(asChars(readWholeFile(entry.path().string())));
        } catch (const Error&) {
            throw ConfigError("general.recordings_dir: unreadable state file " + name);
        }
        Meta m;
        m.status = std::string(jsonString(j.get(), "status").value_or("interrupted"));
        m.failure = std::string(jsonString(j.get(), "failure").value_or(""));
        m.policy = std::string(jsonString(j.get(), "policy").value_or(""));
        m.createdMs = jsonInt(j.get(), "created_ms").value_or(0);
        m.endedMs = jsonInt(j.get(), "ended_ms").value_or(0);
        m.deletedMs = jsonInt(j.get(), "deleted_ms").value_or(0);
        m.held = jsonBool(j.get(), "hold").value_or(false);
        m.holdReason = std::string(jsonString(j.get(), "hold_reason").value_or(""));
        m.holdSinceMs = jsonInt(j.get(), "hold_since_ms").value_or(0);
        size_t i;
        json_t* s;
        json_array_foreach(json_object_get(j.get(), "streams"), i, s) {
            StreamSpec spec;
            spec.kind = jsonString(s, "kind").value_or("audio") == "video" ? StreamKind::Video : StreamKind::Audio;
            spec.codec = std::string(jsonString(s, "codec").value_or(""));
            spec.mid = std::string(jsonString(s, "mid").value_or(""));
            m.files.push_back(std::string(jsonString(s, "file").value_or("")));
            m.streams.push_back(spec);
        }
        if (!policies_.count(m.policy)) throw ConfigError("recording " + id + " uses policy '" + m.policy + "', which is not configured");
        if (m.status == "recording") {
            m.status = "interrupted";
            m.endedMs = wallMs();
            save(id, m);
        }
        recordings_.emplace(id, std::move(m));
    }
}

RecordingStore::Meta& RecordingStore::get(const std::string& id) {
    auto it = recordings_.find(id);
    if (it == recordings_.end()) throw RequestError(kRecorderUnknownRecording, "no such recording");
    return it->second;
}
const RecordingStore::Meta& RecordingStore::get(const std::string& id) const {
    return const_cast<RecordingStore*>(this)->get(id);
}

bool RecordingStore::exists(const std::string& id) const {
    std::lock_guard lock(mutex_);
    return recordings_.count(id) != 0;
}

void RecordingStore::save(const std::string& id, const Meta& m) const {
    JsonPtr j = jsonObject();
    jsonSet(j.get(), "recording", id);
    jsonSet(j.get(), "status", m.status);
    if (!m.failure.empty()) jsonSet(j.get(), "failure", m.failure);
    jsonSet(j.get(), "policy", m.policy);
    jsonSet(j.get(), "created_ms", m.createdMs);
    jsonSet(j.get(), "ended_ms", m.endedMs);
    jsonSet(j.get(), "deleted_ms", m.deletedMs);
    jsonSet(j.get(), "hold", m.held);
    jsonSet(j.get(), "hold_reason", m.holdReason);
    jsonSet(j.get(), "hold_since_ms", m.holdSinceMs);
    JsonPtr streams = jsonArray();
    for (size_t i = 0; i < m.streams.size(); ++i) {
        JsonPtr s = jsonObject();
        jsonSet(s.get(), "kind", kindName(m.streams[i].kind));
        jsonSet(s.get(), "codec", m.streams[i].codec);
        jsonSet(s.get(), "mid", m.streams[i].mid);
        jsonSet(s.get(), "file", m.files[i]);
        json_array_append_new(streams.get(), jsonRelease(std::move(s)));
    }
    jsonSet(j.get(), "streams", std::move(streams));
    writeFileAtomic(path(id + ".state.json"), asBytes(jsonDump(j.get(), JSON_INDENT(1) | JSON_SORT_KEYS)), 0600);
}

std::vector<std::string> RecordingStore::create(const std::string& id, const std::string& policy,
                                                const std::vector<StreamSpec>& streams) {
    std::lock_guard lock(mutex_);
    if (!policies_.count(policy)) throw RequestError(kRecorderUnknownPolicy, "unknown retention policy");
    if (recordings_.count(id)) throw RequestError(errc::kInvalidField, "recording exists");
    Meta m;
    m.status = "recording";
    m.policy = policy;
    m.createdMs = wallMs();
    m.streams = streams;
    std::vector<std::string> paths;
    for (size_t i = 0; i < streams.size(); ++i) {
        m.files.push_back(id + "-" + std::to_string(i) + ".jrec");
        paths.push_back(path(m.files.back()));
    }
    save(id, m);
    recordings_.emplace(id, std::move(m));
    return paths;
}

void RecordingStore::sealed(const std::string& id, const std::vector<FileSummary>& files) {
    std::lock_guard lock(mutex_);
    Meta& m = get(id);
    std::string failure;
    int64_t ended = wallMs();
    JsonPtr body = jsonObject();
    jsonSet(body.get(), "recording", id);
    jsonSet(body.get(), "created_ms", m.createdMs);
    jsonSet(body.get(), "ended_ms", ended);
    JsonPtr arr = jsonArray();
    for (const auto& f : files) {
        JsonPtr e = jsonObject();
        jsonSet(e.get(), "file", f.file);
        jsonSet(e.get(), "sha256", hexEncode(f.sha256));
        jsonSet(e.get(), "bytes", f.bytes);
        jsonSet(e.get(), "chunks", f.chunks);
        jsonSet(e.get(), "packets", f.packets);
        if (!f.complete) {
            // The file ends after `chunks` authentic chunks, without a final one: verify holds it to that.
            jsonSet(e.get(), "complete", false);
            if (failure.empty()) failure = WriteError::reasonFor(f.error);
        }
        json_array_append_new(arr.get(), jsonRelease(std::move(e)));
    }
    jsonSet(body.get(), "files", std::move(arr));
    if (!failure.empty()) jsonSet(body.get(), "failure", failure);
    SignedDocument::write(path(id + ".manifest.json"), "recording-manifest", body.get(), signer_);
    m.status = failure.empty() ? "sealed" : "failed";
    m.failure = failure;
    m.endedMs = ended;
    save(id, m);
}

void RecordingStore::markInterrupted(const std::string& id) {
    std::lock_guard lock(mutex_);
    Meta& m = get(id);
    m.status = "interrupted";
    m.endedMs = wallMs();
    save(id, m);
}

void RecordingStore::hold(const std::string& id, const std::string& reason) {
    std::lock_guard lock(mutex_);
    Meta& m = get(id);
    if (m.status == "deleted") throw RequestError(kRecorderDeleted, "recording was deleted");
    m.held = true;
    m.holdReason = reason;
    m.holdSinceMs = wallMs();
    save(id, m);
}

void RecordingStore::release(const std::string& id, const std::string& reason) {
    std::lock_guard lock(mutex_);
    Meta& m = get(id);
    if (m.status == "deleted") throw RequestError(kRecorderDeleted, "recording was deleted");
    if (!m.held) throw RequestError(kRecorderNotOnHold, "recording is not on hold");
    m.held = false;
    m.holdReason = "released: " + reason;
    m.holdSinceMs = 0;
    save(id, m);
}

JsonPtr RecordingStore::remove(const std::string& id, const std::string& reason, int64_t nowMs) {
    std::lock_guard lock(mutex_);
    Meta& m = get(id);
    if (m.status == "deleted") throw RequestError(kRecorderDeleted, "recording was already deleted");
    if (m.status == "recording") throw RequestError(kRecorderActive, "recording is still running: stop it first");
    if (m.held) throw RequestError(kRecorderOnHold, "recording is under legal hold");
    JsonPtr files = jsonArray();
    for (const auto& f : m.files) {
        std::string p = path(f);
        JsonPtr e = jsonObject();
        jsonSet(e.get(), "file", f);
        if (fileExists(p)) {
            // The ciphertext hash the receipt attests to, taken before anything changes.
            jsonSet(e.get(), "sha256", hexEncode(sha256(readWholeFile(p))));
            // Crypto-shredding first: once the key slot is zero nothing can decrypt any copy of
            // this file's bytes that lacks the old slot. Then the file itself.
            if (!KeySlotEditor::shred(p)) throw RequestError(errc::kInternal, "could not destroy the data key");
            if (::unlink(p.c_str()) != 0) throw RequestError(errc::kInternal, "could not remove a recording file");
        } else {
            jsonSet(e.get(), "sha256", "");
        }
        json_array_append_new(files.get(), jsonRelease(std::move(e)));
    }
    m.status = "deleted";
    m.deletedMs = nowMs;
    JsonPtr body = jsonObject();
    jsonSet(body.get(), "recording", id);
    jsonSet(body.get(), "files", std::move(files));
    jsonSet(body.get(), "policy", m.policy);
    jsonSet(body.get(), "reason_sha256", hexEncode(sha256(asBytes(reason))));  // reason text stays out of events
    jsonSet(body.get(), "deleted_ms", nowMs);
    jsonSet(body.get(), "key_destroyed", true);
    SignedDocument::write(path(id + ".receipt.json"), "deletion-receipt", body.get(), signer_);
    save(id, m);
    std::string err;
    auto doc = jsonParse(asChars(readWholeFile(path(id + ".receipt.json"))));
    return doc;
}

JsonPtr RecordingStore::verify(const std::string& id) const {
    std::lock_guard lock(mutex_);
    const Meta& m = get(id);
    JsonPtr out = jsonObject();
    jsonSet(out.get(), "recording", id);
    jsonSet(out.get(), "status", m.status);
    Ed25519Verifier verifier = signer_.verifier();
    std::string err;
    if (m.status == "deleted") {
        auto receipt = SignedDocument::read(path(id + ".receipt.json"), "deletion-receipt", verifier, err);
        bool receiptOk = receipt && jsonString(receipt->get(), "recording").value_or("") == id;
        bool keysGone = true;
        for (const auto& f : m.files) {
            if (!fileExists(path(f))) continue;
            Bytes head = readWholeFile(path(f));
            ReadReport r = RecordingReader::read(head, keyring_);
            keysGone = keysGone && !r.keyValid;
        }
        jsonSet(out.get(), "receipt_valid", receiptOk);
        jsonSet(out.get(), "key_destroyed", keysGone);
        if (!receiptOk) jsonSet(out.get(), "problem", err.empty() ? "receipt names another recording" : err);
        jsonSet(out.get(), "ok", receiptOk && keysGone);
        return out;
    }
    std::optional<JsonPtr> manifest;
    if (m.status == "sealed" || m.status == "failed") {
        manifest = SignedDocument::read(path(id + ".manifest.json"), "recording-manifest", verifier, err);
        jsonSet(out.get(), "manifest_valid", manifest.has_value());
        if (!manifest) jsonSet(out.get(), "problem", err);
    }
    // ok: every file is what the signed manifest says. A failed recording's incomplete files must end
    // exactly after the chunks the manifest counts; `complete` tells whether anything is missing.
    bool ok = (m.status == "sealed" || m.status == "failed") && manifest.has_value();
    bool complete = m.status == "sealed";
    JsonPtr files = jsonArray();
    for (size_t i = 0; i < m.files.size(); ++i) {
        JsonPtr e = jsonObject();
        jsonSet(e.get(), "file", m.files[i]);
        if (!fileExists(path(m.files[i]))) {
            jsonSet(e.get(), "problem", "file missing");
            ok = false;
            json_array_append_new(files.get(), jsonRelease(std::move(e)));
            continue;
        }
        Bytes data = readWholeFile(path(m.files[i]));
        ReadReport r = RecordingReader::read(data, keyring_);
        std::string digest = hexEncode(r.sha256);
        bool expectIncomplete = false;
        uint64_t expectChunks = 0;
        if (manifest) {
            bool match = false;
            size_t k;
            json_t* f;
            json_array_foreach(json_object_get(manifest->get(), "files"), k, f) {
                if (jsonString(f, "file").value_or("") != m.files[i]) continue;
                match = jsonString(f, "sha256").value_or("") == digest;
                expectIncomplete = !jsonBool(f, "complete").value_or(true);
                expectChunks = static_cast<uint64_t>(jsonInt(f, "chunks").value_or(-1));
            }
            jsonSet(e.get(), "sha256_matches_manifest", match);
            ok = ok && match;
        }
        jsonSet(e.get(), "sha256", digest);
        // With a recipient public key only, the host can check hashes but not open chunks.
        jsonSet(e.get(), "chunks_checked", r.keyValid);
        jsonSet(e.get(), "chunks", r.chunks);
        jsonSet(e.get(), "packets", r.packets);
        jsonSet(e.get(), "complete", r.complete);
        complete = complete && r.complete;
        if (r.keyValid && !r.complete) {
            // A file the manifest records as cut short by a write failure: every chunk it counts
            // authenticates and nothing follows them.
            bool asRecorded = expectIncomplete && r.chunks == expectChunks && r.verifiedBytes == r.fileBytes;
            ok = ok && asRecorded;
            jsonSet(e.get(), "damage", r.damage);
            jsonSet(e.get(), "readable_bytes", r.verifiedBytes);
        } else if (!r.keyValid && (!r.headerValid || keyring_.find(r.header.slot.keyId) == nullptr ||
                                   !Keyring::publicOnly(keyring_.find(r.header.slot.keyId)->type))) {
            ok = false;
            jsonSet(e.get(), "damage", r.damage);
        }
        json_array_append_new(files.get(), jsonRelease(std::move(e)));
    }
    jsonSet(out.get(), "files", std::move(files));
    jsonSet(out.get(), "complete", complete);
    jsonSet(out.get(), "ok", ok);
    return out;
}

uint32_t RecordingStore::rewrap(const std::string& id) {
    std::lock_guard lock(mutex_);
    Meta& m = get(id);
    if (m.status == "deleted") throw RequestError(kRecorderDeleted, "recording was deleted");
    if (m.status == "recording") throw RequestError(kRecorderActive, "recording is still running");
    std::vector<FileSummary> summaries;
    for (const auto& f : m.files) {
        try {
            summaries.push_back(KeySlotEditor::rewrap(path(f), keyring_));
        } catch (const CryptoError&) {
            throw RequestError(kRecorderKeyUnavailable, "data key cannot be unwrapped on this host");
        }
    }
    if (m.status == "sealed" || m.status == "failed") {
        // Keep the manifest's counts; only the hashes change with the new key slot.
        std::string err;
        auto old = SignedDocument::read(path(id + ".manifest.json"), "recording-manifest", signer_.verifier(), err);
        if (!old) throw RequestError(kRecorderDamaged, "manifest does not verify: " + err);
        size_t k;
        json_t* f;
        json_array_foreach(json_object_get(old->get(), "files"), k, f) {
            for (const auto& s : summaries)
                if (jsonString(f, "file").value_or("") == s.file) {
                    jsonSet(f, "sha256", hexEncode(s.sha256));
                    jsonSet(f, "bytes", s.bytes);
                }
        }
        SignedDocument::write(path(id + ".manifest.json"), "recording-manifest", old->get(), signer_);
    }
    return keyring_.newest();
}

std::vector<std::string> RecordingStore::exportMjr(const std::string& id, const std::string& dir,
                                                   const std::string& prefix) const {
    std::lock_guard lock(mutex_);
    const Meta& m = get(id);
    if (m.status == "deleted") throw RequestError(kRecorderDeleted, "recording was deleted");
    if (m.status == "recording") throw RequestError(kRecorderActive, "recording is still running");
    std::vector<std::string> out;
    for (size_t i = 0; i < m.files.size(); ++i) {
        Bytes data = readWholeFile(path(m.files[i]));
        std::string outPath = dir + "/" + prefix + "-" + std::to_string(i) + "-" + kindName(m.streams[i].kind) + ".mjr";
        std::optional<MjrWriter> mjr;
        ReadReport r = RecordingReader::read(data, keyring_, [&](uint64_t t, ByteView pkt) {
            if (!mjr) mjr.emplace(outPath, m.streams[i].kind, m.streams[i].codec, static_cast<uint64_t>(m.createdMs) * 1000);
            mjr->write(t, pkt);
        });
        if (!r.keyValid) {
            if (mjr) ::unlink(outPath.c_str());
            if (r.keyUnavailable) throw RequestError(kRecorderKeyUnavailable, "data key cannot be unwrapped on this host");
            throw RequestError(kRecorderDamaged, "recording fails verification: " + r.damage);
        }
        // An interrupted recording exports its authenticated prefix; a sealed one must be intact.
        if (!r.complete && m.status == "sealed") {
            if (mjr) ::unlink(outPath.c_str());
            throw RequestError(kRecorderDamaged, "recording fails verification: " + r.damage);
        }
        if (mjr) {
            mjr->finish();
            out.push_back(outPath);
        }
    }
    return out;
}

std::vector<std::string> RecordingStore::expired(int64_t nowMs) const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& [id, m] : recordings_) {
        if (m.held || (m.status != "sealed" && m.status != "failed" && m.status != "interrupted")) continue;
        if (policies_.at(m.policy).expired(m.endedMs, nowMs)) out.push_back(id);
    }
    return out;
}

JsonPtr RecordingStore::describeLocked(const std::string& id, const Meta& m) const {
    JsonPtr j = jsonObject();
    jsonSet(j.get(), "recording", id);
    jsonSet(j.get(), "status", m.status);
    if (!m.failure.empty()) jsonSet(j.get(), "failure", m.failure);
    jsonSet(j.get(), "policy", m.policy);
    jsonSet(j.get(), "created_ms", m.createdMs);
    if (m.endedMs) {
        jsonSet(j.get(), "ended_ms", m.endedMs);
        jsonSet(j.get(), "expires_ms", policies_.at(m.policy).expiresAt(m.endedMs));
    }
    if (m.deletedMs) jsonSet(j.get(), "deleted_ms", m.deletedMs);
    jsonSet(j.get(), "hold", m.held);
    JsonPtr streams = jsonArray();
    for (size_t i = 0; i < m.streams.size(); ++i) {
        JsonPtr s = jsonObject();
        jsonSet(s.get(), "kind", kindName(m.streams[i].kind));
        jsonSet(s.get(), "codec", m.streams[i].codec);
        jsonSet(s.get(), "mid", m.streams[i].mid);
        json_array_append_new(streams.get(), jsonRelease(std::move(s)));
    }
    jsonSet(j.get(), "streams", std::move(streams));
    return j;
}

JsonPtr RecordingStore::describe(const std::string& id) const {
    std::lock_guard lock(mutex_);
    return describeLocked(id, get(id));
}

JsonPtr RecordingStore::list() const {
    std::lock_guard lock(mutex_);
    JsonPtr arr = jsonArray();
    for (const auto& [id, m] : recordings_) json_array_append_new(arr.get(), jsonRelease(describeLocked(id, m)));
    return arr;
}

}  // namespace hipaa::recorder

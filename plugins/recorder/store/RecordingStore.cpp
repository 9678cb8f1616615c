// SPDX-License-Identifier: GPL-3.0-or-later
#include "RecordingStore.hpp"

#include "ChatExportWriter.hpp"
#include "KeySlotEditor.hpp"
#include "Manifest.hpp"
#include "MjrWriter.hpp"
#include "RecorderErrors.hpp"
#include "RecordingContextJson.hpp"
#include "RecordingReader.hpp"
#include "UniqueFd.hpp"
#include "WriteError.hpp"
#include "hipaa/Clock.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/JsonBuilder.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>

namespace hipaa::recorder {
namespace {

const char* kindName(StreamKind k) {
    switch (k) {
        case StreamKind::Audio:
            return "audio";
        case StreamKind::Video:
            return "video";
        case StreamKind::Chat:
            return "chat";
    }
    return "audio";
}
StreamKind kindFromName(std::string_view name) {
    if (name == "video") return StreamKind::Video;
    if (name == "chat") return StreamKind::Chat;
    return StreamKind::Audio;
}
bool fileExists(const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0;
}
bool allOf(std::string_view s, bool (*pred)(char)) { return !s.empty() && std::all_of(s.begin(), s.end(), pred); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isLowerHex(char c) { return isDigit(c) || (c >= 'a' && c <= 'f'); }

// SHA-256 of a file read in 1 MB pieces (`piece` runs after each).
Digest256 hashFile(const std::string& path, const std::function<void()>& piece) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw RequestError(errc::kInternal, "cannot open a recording file");
    Sha256 hash;
    Bytes buf(1 << 20);
    for (;;) {
        ssize_t n = ::read(fd.get(), buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw RequestError(errc::kInternal, "cannot read a recording file");
        if (n == 0) return hash.finish();
        hash.update(ByteView(buf.data(), static_cast<size_t>(n)));
        piece();
    }
}

}  // namespace

bool RecordingStore::isExportName(std::string_view name, std::string_view id) {
    // <32 hex>-<ms>-<n>-<audio|video>.mjr, <32 hex>-<ms>-<n>-chat.jsonl or a kept document of that
    // chat, <32 hex>-<ms>-<n>-doc<k>.<pdf|png|jpg|bin>
    if (name.size() < 32 || !allOf(name.substr(0, 32), isLowerHex) || (!id.empty() && name.substr(0, 32) != id))
        return false;
    std::string_view rest = name.substr(32);
    for (std::string_view ext : {".pdf", ".png", ".jpg", ".bin"}) {
        if (!rest.ends_with(ext)) continue;
        rest.remove_suffix(ext.size());
        size_t doc = rest.rfind("-doc");
        if (doc == std::string_view::npos || doc + 4 == rest.size() || !allOf(rest.substr(doc + 4), isDigit))
            return false;
        rest = rest.substr(0, doc);
        if (rest.empty() || rest[0] != '-') return false;
        rest.remove_prefix(1);
        size_t dash = rest.find('-');
        return dash != std::string_view::npos && allOf(rest.substr(0, dash), isDigit) &&
               allOf(rest.substr(dash + 1), isDigit);
    }
    for (std::string_view kind : {"-audio.mjr", "-video.mjr", "-chat.jsonl"}) {
        if (!rest.ends_with(kind)) continue;
        rest.remove_suffix(kind.size());
        if (rest.empty() || rest[0] != '-') return false;
        rest.remove_prefix(1);
        size_t dash = rest.find('-');
        return dash != std::string_view::npos && allOf(rest.substr(0, dash), isDigit) &&
               allOf(rest.substr(dash + 1), isDigit);
    }
    return false;
}

RecordingStore::Meta RecordingStore::readMeta(const std::string& file) {
    JsonPtr j = jsonParse(asChars(readWholeFile(file)));
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
    m.instance = std::string(jsonString(j.get(), "instance").value_or(""));
    m.context = RecordingContextJson::fromJson(json_object_get(j.get(), "context"));
    size_t i;
    json_t* s;
    json_array_foreach(json_object_get(j.get(), "streams"), i, s) {
        StreamSpec spec;
        spec.kind = kindFromName(jsonString(s, "kind").value_or("audio"));
        spec.codec = std::string(jsonString(s, "codec").value_or(""));
        spec.mid = std::string(jsonString(s, "mid").value_or(""));
        m.files.push_back(std::string(jsonString(s, "file").value_or("")));
        m.streams.push_back(spec);
    }
    return m;
}

RecordingStore::RecordingStore(std::string dir, std::string exportDir, const Keyring& keyring,
                               const Ed25519Signer& signer, RetentionPolicies policies, StoreSharing sharing)
    : dir_(std::move(dir)),
      exportDir_(std::move(exportDir)),
      keyring_(keyring),
      signer_(signer),
      policies_(std::move(policies)),
      sharing_(std::move(sharing)) {
    const std::string suffix = ".state.json";
    for (const auto& file : std::filesystem::directory_iterator(dir_)) {
        std::string name = file.path().filename().string();
        if (name.size() != 32 + suffix.size() || !name.ends_with(suffix)) continue;
        std::string id = name.substr(0, 32);
        if (!recordingIdFromHex(id)) continue;
        Meta m;
        try {
            m = readMeta(file.path().string());
        } catch (const Error&) {
            throw ConfigError("general.recordings_dir: unreadable state file " + name);
        }
        if (!policies_.count(m.policy))
            throw ConfigError("recording " + id + " uses policy '" + m.policy + "', which is not configured");
        // Cut off by a crash of this instance. On a shared folder a recording another instance writes
        // is not ours to end (its owner does when it restarts).
        bool ours = !sharing_.shared || m.instance.empty() || m.instance == sharing_.instanceId;
        if (m.status == "recording" && ours) {
            m.status = "interrupted";
            m.endedMs = Clock::wallMs();
            save(id, m);
        }
        auto e = std::make_shared<Entry>();
        e->meta = std::move(m);
        recordings_.emplace(id, std::move(e));
    }
}

void RecordingStore::refresh() const {
    if (!sharing_.shared) return;
    const std::string suffix = ".state.json";
    std::error_code ec;
    for (const auto& file : std::filesystem::directory_iterator(dir_, ec)) {
        std::string name = file.path().filename().string();
        if (name.size() != 32 + suffix.size() || !name.ends_with(suffix)) continue;
        std::string id = name.substr(0, 32);
        if (!recordingIdFromHex(id)) continue;
        std::shared_ptr<Entry> e;
        {
            std::lock_guard lock(mutex_);
            auto it = recordings_.find(id);
            if (it != recordings_.end()) e = it->second;
        }
        if (e) {
            reload(id, *e);
            continue;
        }
        Meta m;
        try {
            m = readMeta(file.path().string());
        } catch (const std::exception&) {
            continue;  // damaged: not listed (state files are replaced atomically)
        }
        if (!policies_.count(m.policy)) continue;  // instances must share their policies (docs)
        auto fresh = std::make_shared<Entry>();
        fresh->meta = std::move(m);
        std::lock_guard lock(mutex_);
        recordings_.emplace(id, std::move(fresh));
    }
}

void RecordingStore::reload(const std::string& id, Entry& e) const {
    std::lock_guard state(e.state);  // not in the middle of a change of ours
    {
        std::lock_guard lock(mutex_);
        // This instance writes it: its memory is the truth until it is sealed.
        if (e.meta.status == "recording" && e.meta.instance == sharing_.instanceId) return;
    }
    Meta m;
    try {
        m = readMeta(path(id + ".state.json"));
    } catch (const std::exception&) {
        return;
    }
    if (!policies_.count(m.policy)) return;
    std::lock_guard lock(mutex_);
    e.meta = std::move(m);
}

void RecordingStore::refuseOpenElsewhere(const Meta& m) const {
    if (sharing_.shared && m.status == "recording" && !m.instance.empty() && m.instance != sharing_.instanceId)
        throw RequestError(errc::kOpenElsewhere, "recording is open on instance " + m.instance + ": ask it there");
}

void RecordingStore::refuseUnlessFinished(const Meta& m) const {
    if (m.status == "deleted") throw RequestError(errc::kDeleted, "recording was deleted");
    refuseOpenElsewhere(m);
    if (m.status == "recording") throw RequestError(errc::kActive, "recording is still running");
}

std::shared_ptr<RecordingStore::Entry> RecordingStore::entry(const std::string& id) const {
    std::shared_ptr<Entry> e;
    {
        std::lock_guard lock(mutex_);
        auto it = recordings_.find(id);
        if (it != recordings_.end()) e = it->second;
    }
    if (sharing_.shared) {
        if (e) {
            reload(id, *e);
        } else if (fileExists(path(id + ".state.json"))) {
            refresh();  // made by another instance
            std::lock_guard lock(mutex_);
            if (auto it = recordings_.find(id); it != recordings_.end()) e = it->second;
        }
    }
    if (!e) throw RequestError(errc::kUnknownRecording, "no such recording");
    return e;
}

RecordingStore::Meta RecordingStore::snapshot(const Entry& e) const {
    std::lock_guard lock(mutex_);
    return e.meta;
}

void RecordingStore::update(const std::string& id, Entry& e, const std::function<void(Meta&)>& change) {
    std::lock_guard state(e.state);
    Meta m;
    {
        std::lock_guard lock(mutex_);
        change(e.meta);
        m = e.meta;
    }
    save(id, m);
}

bool RecordingStore::exists(const std::string& id) const {
    std::lock_guard lock(mutex_);
    return recordings_.count(id) != 0;
}

void RecordingStore::save(const std::string& id, const Meta& m) const {
    JsonArrayBuilder streams;
    for (size_t i = 0; i < m.streams.size(); ++i)
        streams.push(JsonBuilder()
                         .set("kind", kindName(m.streams[i].kind))
                         .set("codec", m.streams[i].codec)
                         .set("mid", m.streams[i].mid)
                         .set("file", m.files[i])
                         .build());
    JsonPtr j = JsonBuilder()
                    .set("recording", id)
                    .set("status", m.status)
                    .setIf(!m.failure.empty(), "failure", m.failure)
                    .set("policy", m.policy)
                    .set("created_ms", m.createdMs)
                    .set("ended_ms", m.endedMs)
                    .set("deleted_ms", m.deletedMs)
                    .set("hold", m.held)
                    .set("hold_reason", m.holdReason)
                    .set("hold_since_ms", m.holdSinceMs)
                    .setIf(!m.instance.empty(), "instance", m.instance)
                    .set("streams", std::move(streams).build())
                    .build();
    if (m.context) jsonSet(j.get(), "context", RecordingContextJson::toJson(*m.context));
    writeFileAtomic(path(id + ".state.json"), asBytes(jsonDump(j.get(), JSON_INDENT(1) | JSON_SORT_KEYS)), 0600);
}

std::vector<std::string> RecordingStore::create(const std::string& id, const std::string& policy,
                                                const std::vector<StreamSpec>& streams,
                                                const std::optional<RecordingContext>& context) {
    if (!policies_.count(policy)) throw RequestError(errc::kUnknownPolicy, "unknown retention policy");
    auto e = std::make_shared<Entry>();
    Meta& m = e->meta;
    m.context = context;
    m.status = "recording";
    m.policy = policy;
    m.createdMs = Clock::wallMs();
    if (sharing_.shared) m.instance = sharing_.instanceId;
    m.streams = streams;
    std::vector<std::string> paths;
    for (size_t i = 0; i < streams.size(); ++i) {
        m.files.push_back(id + "-" + std::to_string(i) + ".jrec");
        paths.push_back(path(m.files.back()));
    }
    std::lock_guard state(e->state);  // nobody changes it before its state file exists
    {
        std::lock_guard lock(mutex_);
        if (!recordings_.emplace(id, e).second) throw RequestError(errc::kInvalidField, "recording exists");
    }
    try {
        save(id, m);
    } catch (...) {
        std::lock_guard lock(mutex_);
        recordings_.erase(id);
        throw;
    }
    return paths;
}

void RecordingStore::sealed(const std::string& id, const std::vector<FileSummary>& files) {
    auto e = entry(id);
    std::lock_guard state(e->state);
    Meta m = snapshot(*e);
    m.endedMs = Clock::wallMs();
    std::string failure;
    JsonArrayBuilder arr;
    for (const auto& f : files) {
        // An incomplete file ends after `chunks` authentic chunks, without a final one: verify holds it to that.
        arr.push(JsonBuilder()
                     .set("file", f.file)
                     .set("sha256", hexEncode(f.sha256))
                     .set("bytes", f.bytes)
                     .set("chunks", f.chunks)
                     .set("packets", f.packets)
                     .setIf(!f.complete, "complete", false)
                     .build());
        if (!f.complete && failure.empty()) failure = WriteError::reasonFor(f.error);
    }
    JsonPtr body = JsonBuilder()
                       .set("recording", id)
                       .set("created_ms", m.createdMs)
                       .set("ended_ms", m.endedMs)
                       .set("files", std::move(arr).build())
                       .setIf(!failure.empty(), "failure", failure)
                       .build();
    // Who took part belongs to the signed record of the recording, with its files.
    if (m.context) jsonSet(body.get(), "context", RecordingContextJson::toJson(*m.context));
    // The manifest exists before anyone can see the status "sealed" (or "failed"); when it cannot be
    // written (WriteError) the status stays as it was.
    SignedDocument::write(path(id + ".manifest.json"), "recording-manifest", body.get(), signer_);
    {
        std::lock_guard lock(mutex_);
        e->meta.status = failure.empty() ? "sealed" : "failed";
        e->meta.failure = failure;
        e->meta.endedMs = m.endedMs;
        m = e->meta;
    }
    save(id, m);
}

void RecordingStore::markInterrupted(const std::string& id) {
    auto e = entry(id);
    int64_t now = Clock::wallMs();
    update(id, *e, [&](Meta& m) {
        m.status = "interrupted";
        m.endedMs = now;
    });
}

void RecordingStore::hold(const std::string& id, const std::string& reason) {
    auto e = entry(id);
    std::shared_lock files(e->files);  // not in the middle of a delete
    int64_t now = Clock::wallMs();
    update(id, *e, [&](Meta& m) {
        if (m.status == "deleted") throw RequestError(errc::kDeleted, "recording was deleted");
        refuseOpenElsewhere(m);  // its owner's seal would write over our hold
        m.held = true;
        m.holdReason = reason;
        m.holdSinceMs = now;
    });
}

void RecordingStore::release(const std::string& id, const std::string& reason) {
    auto e = entry(id);
    std::shared_lock files(e->files);
    update(id, *e, [&](Meta& m) {
        if (m.status == "deleted") throw RequestError(errc::kDeleted, "recording was deleted");
        refuseOpenElsewhere(m);
        if (!m.held) throw RequestError(errc::kNotOnHold, "recording is not on hold");
        m.held = false;
        m.holdReason = "released: " + reason;
        m.holdSinceMs = 0;
    });
}

JsonPtr RecordingStore::remove(const std::string& id, const std::string& reason, int64_t nowMs) {
    auto e = entry(id);
    std::unique_lock files(e->files);  // no export, verify, hold or rewrap of it meanwhile
    Meta m = snapshot(*e);
    if (m.status == "deleted") throw RequestError(errc::kDeleted, "recording was already deleted");
    refuseOpenElsewhere(m);
    if (m.status == "recording") throw RequestError(errc::kActive, "recording is still running: stop it first");
    if (m.held) throw RequestError(errc::kOnHold, "recording is under legal hold");
    // Decrypted copies first: a receipt saying the key is destroyed must not leave plaintext behind.
    std::vector<std::string> exports;
    std::error_code ec;
    for (const auto& f : std::filesystem::directory_iterator(exportDir_, ec)) {
        std::string name = f.path().filename().string();
        if (!isExportName(name, id)) continue;
        if (::unlink(f.path().c_str()) != 0 && errno != ENOENT)
            throw RequestError(errc::kInternal, "could not remove an export of the recording");
        exports.push_back(name);
    }
    if (ec) throw RequestError(errc::kInternal, "could not list the export folder");
    std::sort(exports.begin(), exports.end());
    JsonArrayBuilder fileList;
    for (const auto& f : m.files) {
        std::string p = path(f);
        std::string digest;
        if (fileExists(p)) {
            // The ciphertext hash the receipt attests to, taken before anything changes.
            digest = hexEncode(hashFile(p, [&] { progress(id); }));
            // Crypto-shredding first: once the key slot is zero nothing can decrypt any copy of
            // this file's bytes that lacks the old slot. Then the file itself.
            if (!KeySlotEditor::shred(p)) throw RequestError(errc::kInternal, "could not destroy the data key");
            if (::unlink(p.c_str()) != 0) throw RequestError(errc::kInternal, "could not remove a recording file");
        }
        fileList.push(JsonBuilder().set("file", f).set("sha256", digest).build());
    }
    JsonArrayBuilder removed;
    for (const auto& x : exports) removed.push(x);
    JsonPtr body = JsonBuilder()
                       .set("recording", id)
                       .set("files", std::move(fileList).build())
                       .set("exports", std::move(removed).build())
                       .set("policy", m.policy)
                       .set("reason_sha256", hexEncode(sha256(asBytes(reason))))  // reason text stays out of events
                       .set("deleted_ms", nowMs)
                       .set("key_destroyed", true)
                       .build();
    SignedDocument::write(path(id + ".receipt.json"), "deletion-receipt", body.get(), signer_);
    update(id, *e, [&](Meta& meta) {
        meta.status = "deleted";
        meta.deletedMs = nowMs;
    });
    return jsonParse(asChars(readWholeFile(path(id + ".receipt.json"))));
}

JsonPtr RecordingStore::verify(const std::string& id) const {
    auto e = entry(id);
    std::shared_lock files(e->files);
    const Meta m = snapshot(*e);
    refuseOpenElsewhere(m);
    auto piece = [&](uint64_t, ByteView) { progress(id); };
    JsonBuilder out;
    out.set("recording", id).set("status", m.status);
    Ed25519Verifier verifier = signer_.verifier();
    std::string err;
    if (m.status == "deleted") {
        auto receipt = SignedDocument::read(path(id + ".receipt.json"), "deletion-receipt", verifier, err);
        bool receiptOk = receipt && jsonString(receipt->get(), "recording").value_or("") == id;
        bool keysGone = true;
        for (const auto& f : m.files) {
            if (!fileExists(path(f))) continue;
            ReadReport r = RecordingReader::readFile(path(f), keyring_, piece);
            keysGone = keysGone && !r.keyValid;
        }
        return std::move(out)
            .set("receipt_valid", receiptOk)
            .set("key_destroyed", keysGone)
            .setIf(!receiptOk, "problem", err.empty() ? "receipt names another recording" : err)
            .set("ok", receiptOk && keysGone)
            .build();
    }
    std::optional<JsonPtr> manifest;
    if (m.status == "sealed" || m.status == "failed") {
        manifest = SignedDocument::read(path(id + ".manifest.json"), "recording-manifest", verifier, err);
        out.set("manifest_valid", manifest.has_value()).setIf(!manifest, "problem", err);
    }
    // ok: every file is what the signed manifest says. A failed recording's incomplete files must end
    // exactly after the chunks the manifest counts; `complete` tells whether anything is missing.
    bool ok = (m.status == "sealed" || m.status == "failed") && manifest.has_value();
    bool complete = m.status == "sealed";
    JsonArrayBuilder fileList;
    for (size_t i = 0; i < m.files.size(); ++i) {
        JsonBuilder o;
        o.set("file", m.files[i]);
        if (!fileExists(path(m.files[i]))) {
            ok = false;
            fileList.push(std::move(o).set("problem", "file missing").build());
            continue;
        }
        // A kept chat's records must decode too: every document whole, in order, matching its SHA-256.
        std::optional<KeptStreamReader> kept;
        uint64_t messages = 0, documents = 0;
        std::string keptProblem;
        if (m.streams[i].kind == StreamKind::Chat)
            kept.emplace([&](KeptMessage&) { ++messages; }, [&](KeptDocument&) { ++documents; });
        ReadReport r = RecordingReader::readFile(path(m.files[i]), keyring_, [&](uint64_t t, ByteView record) {
            piece(t, record);
            if (!kept || !keptProblem.empty()) return;
            try {
                kept->take(record);
            } catch (const Error& damage) {
                keptProblem = damage.what();
            }
        });
        if (kept) {
            const bool cut = kept->finish();
            if (keptProblem.empty() && cut && r.complete) keptProblem = "a kept document is incomplete";
            o.set("messages", messages).set("documents", documents);
            if (!keptProblem.empty()) {
                ok = false;
                o.set("records_problem", keptProblem);
            }
        }
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
            o.set("sha256_matches_manifest", match);
            ok = ok && match;
        }
        // With a recipient public key only, the host can check hashes but not open chunks.
        o.set("sha256", digest)
            .set("chunks_checked", r.keyValid)
            .set("chunks", r.chunks)
            .set("packets", r.packets)
            .set("complete", r.complete);
        complete = complete && r.complete;
        if (r.keyValid && !r.complete) {
            // A file the manifest records as cut short by a write failure: every chunk it counts
            // authenticates and nothing follows them.
            bool asRecorded = expectIncomplete && r.chunks == expectChunks && r.verifiedBytes == r.fileBytes;
            ok = ok && asRecorded;
            o.set("damage", r.damage).set("readable_bytes", r.verifiedBytes);
        } else if (!r.keyValid && (!r.headerValid || keyring_.find(r.header.slot.keyId) == nullptr ||
                                   !Keyring::publicOnly(keyring_.find(r.header.slot.keyId)->type))) {
            ok = false;
            o.set("damage", r.damage);
        }
        fileList.push(std::move(o).build());
    }
    return std::move(out).set("files", std::move(fileList).build()).set("complete", complete).set("ok", ok).build();
}

uint32_t RecordingStore::rewrap(const std::string& id) {
    auto e = entry(id);
    std::unique_lock files(e->files);
    const Meta m = snapshot(*e);
    refuseUnlessFinished(m);
    std::vector<FileSummary> summaries;
    for (const auto& f : m.files) {
        try {
            summaries.push_back(KeySlotEditor::rewrap(path(f), keyring_, std::nullopt, [&] { progress(id); }));
        } catch (const CryptoError&) {
            throw RequestError(errc::kKeyUnavailable, "data key cannot be unwrapped on this host");
        }
    }
    if (m.status == "sealed" || m.status == "failed") {
        // Keep the manifest's counts; only the hashes change with the new key slot.
        std::string err;
        auto old = SignedDocument::read(path(id + ".manifest.json"), "recording-manifest", signer_.verifier(), err);
        if (!old) throw RequestError(errc::kDamaged, "manifest does not verify: " + err);
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

std::vector<std::string> RecordingStore::exportMjr(const std::string& id, int64_t nowMs) const {
    auto e = entry(id);
    std::shared_lock files(e->files);
    const Meta m = snapshot(*e);
    refuseUnlessFinished(m);
    std::vector<std::string> out;
    try {
        for (size_t i = 0; i < m.files.size(); ++i) {
            const bool chat = m.streams[i].kind == StreamKind::Chat;
            std::string outPath = exportDir_ + "/" + id + "-" + std::to_string(nowMs) + "-" + std::to_string(i) + "-" +
                                  kindName(m.streams[i].kind) + (chat ? ".jsonl" : ".mjr");
            std::optional<MjrWriter> mjr;
            std::optional<ChatExportWriter> transcript;
            ReadReport r = RecordingReader::readFile(path(m.files[i]), keyring_, [&](uint64_t t, ByteView pkt) {
                if (chat) {
                    if (!transcript) {
                        // Its documents beside it: <id>-<ms>-<n>-doc<k>.<pdf|png|jpg>
                        const std::string prefix = outPath.substr(0, outPath.size() - std::string("chat.jsonl").size());
                        transcript.emplace(outPath, prefix + "doc", &out);
                        out.push_back(outPath);
                    }
                    transcript->write(pkt);
                } else {
                    if (!mjr) {
                        mjr.emplace(outPath, m.streams[i].kind, m.streams[i].codec,
                                    static_cast<uint64_t>(m.createdMs) * 1000);
                        out.push_back(outPath);  // from now on it is ours to remove on failure
                    }
                    mjr->write(t, pkt);
                }
                progress(id);
            });
            if (!r.keyValid) {
                if (r.keyUnavailable)
                    throw RequestError(errc::kKeyUnavailable, "data key cannot be unwrapped on this host");
                throw RequestError(errc::kDamaged, "recording fails verification: " + r.damage);
            }
            // An interrupted recording exports its authenticated prefix; a sealed one must be intact.
            if (!r.complete && m.status == "sealed")
                throw RequestError(errc::kDamaged, "recording fails verification: " + r.damage);
            if (mjr) mjr->finish();
            if (transcript) transcript->finish();
        }
    } catch (...) {
        for (const auto& p : out) ::unlink(p.c_str());
        throw;
    }
    return out;
}

KeptVisitRecords RecordingStore::readKept(const std::string& id) const {
    auto e = entry(id);
    std::shared_lock files(e->files);
    const Meta m = snapshot(*e);
    refuseUnlessFinished(m);
    if (m.status != "sealed") throw RequestError(errc::kDamaged, "recording is " + m.status + ", not sealed");
    std::string err;
    auto manifest = SignedDocument::read(path(id + ".manifest.json"), "recording-manifest", signer_.verifier(), err);
    if (!manifest) throw RequestError(errc::kDamaged, "manifest does not verify: " + err);
    KeptVisitRecords out;
    out.recording = id;
    auto wipe = [&] {
        for (auto& msg : out.messages) OPENSSL_cleanse(msg.text.data(), msg.text.size());
        for (auto& d : out.documents) OPENSSL_cleanse(d.content.data(), d.content.size());
    };
    bool anyChat = false;
    try {
        for (size_t i = 0; i < m.files.size(); ++i) {
            if (m.streams[i].kind != StreamKind::Chat) continue;
            anyChat = true;
            KeptStreamReader reader([&](KeptMessage& msg) { out.messages.push_back(std::move(msg)); },
                                    [&](KeptDocument& d) { out.documents.push_back(std::move(d)); });
            ReadReport r = RecordingReader::readFile(path(m.files[i]), keyring_, [&](uint64_t, ByteView record) {
                reader.take(record);
                progress(id);
            });
            if (!r.keyValid) {
                if (r.keyUnavailable)
                    throw RequestError(errc::kKeyUnavailable, "data key cannot be unwrapped on this host");
                throw RequestError(errc::kDamaged, "recording fails verification: " + r.damage);
            }
            if (!r.complete) throw RequestError(errc::kDamaged, "recording fails verification: " + r.damage);
            if (reader.finish()) throw RequestError(errc::kDamaged, "a kept document is incomplete");
            bool match = false;
            size_t k;
            json_t* f;
            json_array_foreach(json_object_get(manifest->get(), "files"), k, f) {
                if (jsonString(f, "file").value_or("") == m.files[i])
                    match = jsonString(f, "sha256").value_or("") == hexEncode(r.sha256);
            }
            if (!match) throw RequestError(errc::kDamaged, "recording fails verification: not the manifest's file");
        }
        if (!anyChat) throw RequestError(errc::kDamaged, "recording has no kept chat stream");
    } catch (const RequestError&) {
        wipe();
        throw;
    } catch (const Error& damage) {  // a record that does not decode
        wipe();
        throw RequestError(errc::kDamaged, std::string("recording fails verification: ") + damage.what());
    }
    return out;
}

std::vector<std::string> RecordingStore::expired(int64_t nowMs) const {
    refresh();
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& [id, e] : recordings_) {
        const Meta& m = e->meta;
        if (m.held || (m.status != "sealed" && m.status != "failed" && m.status != "interrupted")) continue;
        if (policies_.at(m.policy).expired(m.endedMs, nowMs)) out.push_back(id);
    }
    return out;
}

JsonPtr RecordingStore::describeMeta(const std::string& id, const Meta& m) const {
    JsonArrayBuilder streams;
    for (const auto& s : m.streams)
        streams.push(JsonBuilder().set("kind", kindName(s.kind)).set("codec", s.codec).set("mid", s.mid).build());
    JsonBuilder j;
    j.set("recording", id).set("status", m.status).setIf(!m.failure.empty(), "failure", m.failure);
    j.set("policy", m.policy).set("created_ms", m.createdMs);
    if (m.endedMs) j.set("ended_ms", m.endedMs).set("expires_ms", policies_.at(m.policy).expiresAt(m.endedMs));
    if (m.context) {
        JsonPtr c = RecordingContextJson::toJson(*m.context);
        j.set("visit", m.context->visit).set("room", m.context->room);
        j.set("participants", JsonBuilder()
                                  .set("providers", jsonRetain(json_object_get(c.get(), "providers")))
                                  .set("patients", jsonRetain(json_object_get(c.get(), "patients")))
                                  .build());
    }
    return std::move(j)
        .setIf(m.deletedMs != 0, "deleted_ms", m.deletedMs)
        .setIf(!m.instance.empty(), "instance", m.instance)
        .set("hold", m.held)
        .set("streams", std::move(streams).build())
        .build();
}

std::optional<RecordingContext> RecordingStore::context(const std::string& id) const {
    auto e = entry(id);
    return snapshot(*e).context;
}

JsonPtr RecordingStore::describe(const std::string& id) const {
    auto e = entry(id);
    return describeMeta(id, snapshot(*e));
}

JsonPtr RecordingStore::list() const {
    refresh();
    std::vector<std::pair<std::string, Meta>> all;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [id, e] : recordings_) all.emplace_back(id, e->meta);
    }
    JsonArrayBuilder arr;
    for (const auto& [id, m] : all) arr.push(describeMeta(id, m));
    return std::move(arr).build();
}

}  // namespace hipaa::recorder

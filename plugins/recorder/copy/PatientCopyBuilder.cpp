// SPDX-License-Identifier: GPL-3.0-or-later
#include "PatientCopyBuilder.hpp"

#include "PatientCopyWriter.hpp"
#include "RecorderErrors.hpp"
#include "SealedPackageWriter.hpp"
#include "UniqueFd.hpp"
#include "WriteError.hpp"
#include "hipaa/AuditTrail.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/JsonBuilder.hpp"
#include "hipaa/SecureRandom.hpp"
#include "hipaa/VisitNotes.hpp"
#include "hipaa/Zeroize.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>

namespace hipaa::recorder {
namespace {

constexpr std::string_view kPrefix = "patient-copy-";
constexpr std::string_view kSuffix = ".jhcopy";

// Removes what it names when the copy fails (and the work folder always).
struct Cleanup {
    std::vector<std::string> files;
    std::string dir;
    ~Cleanup() {
        for (const auto& f : files) ::unlink(f.c_str());
        std::error_code ec;
        if (!dir.empty()) std::filesystem::remove_all(dir, ec);
    }
};

std::string streamKind(const std::string& mjrPath, size_t& index) {
    // <id>-<nowMs>-<n>-<kind>.mjr (RecordingStore::exportMjr)
    std::string name = std::filesystem::path(mjrPath).stem().string();
    size_t k = name.rfind('-'), n = name.rfind('-', k - 1);
    index = std::stoul(name.substr(n + 1, k - n - 1));
    return name.substr(k + 1);
}

}  // namespace

CopyRecipient CopyRecipient::fromRequest(json_t* recipient) {
    if (!recipient) throw RequestError(errc::kMissingField, "missing field: recipient");
    if (!json_is_object(recipient) || json_object_size(recipient) != 1)
        throw RequestError(errc::kInvalidField, "recipient must be {\"x25519\": key} or {\"passphrase\": text}");
    CopyRecipient r;
    if (auto key = jsonOptionalString(recipient, "x25519")) {
        auto raw = base64Decode(*key);
        if (!raw || raw->size() != 32)
            throw RequestError(errc::kInvalidField, "recipient.x25519 must be a base64 32-byte public key");
        r.x25519Public = std::move(*raw);
        return r;
    }
    const json_t* p = json_object_get(recipient, "passphrase");
    if (!json_is_string(p))
        throw RequestError(errc::kInvalidField, "recipient must be {\"x25519\": key} or {\"passphrase\": text}");
    size_t n = json_string_length(p);
    if (n < 12 || n > 1024) {
        zeroizeJsonString(recipient, "passphrase");
        throw RequestError(errc::kInvalidField, "recipient.passphrase must be 12-1024 bytes");
    }
    const char* v = json_string_value(p);
    r.passphrase.assign(v, v + n);
    zeroizeJsonString(recipient, "passphrase");
    return r;
}

bool PatientCopyBuilder::isCopyName(std::string_view name) {
    if (name.rfind(kPrefix, 0) != 0) return false;
    std::string_view rest = name.substr(kPrefix.size());
    if (rest.size() > kSuffix.size() && rest.substr(rest.size() - kSuffix.size()) == kSuffix)
        rest = rest.substr(0, rest.size() - kSuffix.size());
    else if (rest.rfind("work-", 0) == 0)
        rest = rest.substr(5);
    else
        return false;
    return rest.size() == 32 && rest.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::string PatientCopyBuilder::extensionFor(const std::string& codec) {
    if (codec == "opus") return "opus";
    if (codec == "vp8" || codec == "vp9") return "webm";
    if (codec == "h264") return "mp4";
    if (codec == "pcmu" || codec == "pcma" || codec == "g711") return "wav";
    return "";
}

CopyResult PatientCopyBuilder::build(const std::string& patient, int64_t fromMs, int64_t toMs,
                                     const std::vector<CopyRecording>& recordings, const CopyRecipient& recipient,
                                     int64_t nowMs) const {
    if (recordings.empty())
        throw RequestError(errc::kNothingToCopy, "no sealed recording of this patient in the range");
    CopyResult result;
    std::string tag = hexEncode(secureRandomBytes(16));
    result.file = std::string(kPrefix) + tag + std::string(kSuffix);
    const std::string out = options_.exportDir + "/" + result.file;
    Cleanup cleanup;
    cleanup.dir = options_.exportDir + "/" + std::string(kPrefix) + "work-" + tag;
    if (::mkdir(cleanup.dir.c_str(), 0700) != 0)
        throw RequestError(errc::kWriteFailed,
                           std::string("cannot create the copy's work folder (") + WriteError::reasonFor(errno) + ")");
    // Converted first: a failed conversion leaves no copy behind, not even a partial one.
    struct Converted {
        std::string name, path;
    };
    std::vector<Converted> media;
    JsonArrayBuilder recordingList;
    std::map<std::string, std::vector<std::string>> visits;  // visit -> recordings
    // Every stream must be convertible before anything is decrypted.
    std::map<std::string, JsonPtr> described;
    for (const auto& rec : recordings) {
        JsonPtr d = store_.describe(rec.id);
        size_t i;
        json_t* stream;
        json_array_foreach(json_object_get(d.get(), "streams"), i, stream) {
            std::string codec(jsonString(stream, "codec").value_or(""));
            if (codec != "chat" && extensionFor(codec).empty())
                throw RequestError(errc::kConversionFailed, "recording " + rec.id + " stream " + std::to_string(i) +
                                                                ": codec " + codec + " cannot be converted");
        }
        described[rec.id] = std::move(d);
    }
    for (const auto& rec : recordings) {
        const json_t* info = described.at(rec.id).get();
        const json_t* streams = json_object_get(info, "streams");
        std::vector<std::string> mjrs = store_.exportMjr(rec.id, nowMs);
        cleanup.files.insert(cleanup.files.end(), mjrs.begin(), mjrs.end());
        JsonArrayBuilder names;
        for (const auto& mjr : mjrs) {
            size_t index = 0;
            std::string kind = streamKind(mjr, index);
            std::string codec(jsonString(json_array_get(streams, index), "codec").value_or(""));
            if (kind.starts_with("doc")) {
                // A document kept with the chat: byte-identical, named by its number in the transcript.
                std::string name = "document-" + rec.id + "-" + std::to_string(index) + "-" + kind.substr(3) +
                                   std::filesystem::path(mjr).extension().string();
                std::string path = cleanup.dir + "/" + name;
                if (::rename(mjr.c_str(), path.c_str()) != 0)
                    throw RequestError(errc::kWriteFailed, std::string("cannot move a kept document (") +
                                                               WriteError::reasonFor(errno) + ")");
                media.push_back({name, path});
                names.push(name);
                continue;
            }
            if (kind == "chat") {
                // The kept chat (part of the designated record set): its transcript as exported, no converter.
                std::string name = "chat-" + rec.id + "-" + std::to_string(index) + ".jsonl";
                std::string path = cleanup.dir + "/" + name;
                if (::rename(mjr.c_str(), path.c_str()) != 0)
                    throw RequestError(errc::kWriteFailed, std::string("cannot move the chat transcript (") +
                                                               WriteError::reasonFor(errno) + ")");
                media.push_back({name, path});
                names.push(name);
                continue;
            }
            std::string ext = extensionFor(codec);
            std::string name = "recording-" + rec.id + "-" + std::to_string(index) + "-" + kind + "." + ext;
            std::string path = cleanup.dir + "/" + name;
            ChildResult r = ChildRunner::run({options_.converter, mjr, path}, options_.limits);
            struct stat st {};
            if (!r.ok() || ::stat(path.c_str(), &st) != 0 || st.st_size == 0)
                throw RequestError(errc::kConversionFailed, "converting recording " + rec.id + " stream " +
                                                                std::to_string(index) + " failed (" + r.describe() +
                                                                ")");
            ::unlink(mjr.c_str());  // decrypted media: no longer than needed
            media.push_back({name, path});
            names.push(name);
        }
        JsonPtr manifest;
        try {
            manifest = jsonParse(asChars(readWholeFile(options_.recordingsDir + "/" + rec.id + ".manifest.json")));
        } catch (const Error&) {
            throw RequestError(errc::kDamaged, "recording " + rec.id + " has no readable signed manifest");
        }
        recordingList.push(JsonBuilder()
                               .set("id", rec.id)
                               .setIf(!rec.visit.empty(), "visit", rec.visit)
                               .set("created_ms", jsonInt(info, "created_ms").value_or(0))
                               .set("ended_ms", jsonInt(info, "ended_ms").value_or(0))
                               .set("files", std::move(names).build())
                               .set("manifest", std::move(manifest))
                               .build());
        if (!rec.visit.empty()) visits[rec.visit].push_back(rec.id);
    }

    // The notes as sent to the EHR; without the FHIR handler (or its database) the copy says so.
    JsonArrayBuilder noteVisits;
    std::string notesProblem;
    {
        auto notes = VisitNotes::inProcess().acquire();
        if (!notes) notesProblem = "fhir_handler_not_loaded";
        for (const auto& [visit, ids] : visits) {
            if (!notes) break;
            try {
                std::vector<SentNote> sent = notes->sentNotes(visit);
                JsonArrayBuilder list;
                for (auto& n : sent) {
                    list.push(
                        JsonBuilder().set("note_id", n.noteId).set("text", n.text).set("sent_ms", n.sentMs).build());
                    zeroize(n.text.data(), n.text.size());
                }
                result.notes += sent.size();
                noteVisits.push(JsonBuilder().set("visit", visit).set("notes", std::move(list).build()).build());
            } catch (const std::exception&) {
                notesProblem = "fhir_outbox_unavailable";
                break;
            }
        }
    }
    result.notesAvailable = notesProblem.empty();
    JsonPtr notesDoc = JsonBuilder()
                           .set("available", result.notesAvailable)
                           .setIf(!result.notesAvailable, "reason", notesProblem)
                           .set("visits", result.notesAvailable ? std::move(noteVisits).build() : jsonArray())
                           .build();

    std::vector<std::string> ids;
    ids.reserve(recordings.size());
    for (const auto& r : recordings) ids.push_back(r.id);
    auto disclosures = AuditTrail::disclosuresOf(ids);
    result.disclosuresAvailable = disclosures.has_value();
    JsonArrayBuilder accessList;
    if (disclosures) {
        for (const auto& d : *disclosures)
            accessList.push(JsonBuilder()
                                .set("recording", d.recording)
                                .set("actor", d.actor)
                                .set("role", d.role)
                                .set("action", d.action)
                                .set("outcome", d.outcome)
                                .set("time_ms", d.timeMs)
                                .build());
        result.disclosures = disclosures->size();
    }
    JsonPtr accessDoc = JsonBuilder()
                            .set("available", result.disclosuresAvailable)
                            .setIf(!result.disclosuresAvailable, "reason", "audit_trail_unavailable")
                            .set("records", std::move(accessList).build())
                            .build();

    auto [header, key] =
        recipient.x25519Public
            ? PackageHeader::forX25519(*recipient.x25519Public)
            : PackageHeader::forPassphrase(std::string_view(reinterpret_cast<const char*>(recipient.passphrase.data()),
                                                            recipient.passphrase.size()),
                                           options_.scrypt);
    UniqueFd fd(::open(out.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd)
        throw RequestError(errc::kWriteFailed,
                           std::string("cannot create the copy (") + WriteError::reasonFor(errno) + ")");
    cleanup.files.push_back(out);
    try {
        SealedPackageWriter sealed(fd.get(), header, key);
        PatientCopyWriter writer(sealed);
        for (const auto& m : media) writer.addFile(m.name, m.path);
        std::string notesText = jsonDump(notesDoc.get(), JSON_INDENT(1) | JSON_SORT_KEYS);
        writer.addBytes("notes.json", asBytes(notesText));
        zeroize(notesText.data(), notesText.size());
        size_t i, j;
        json_t *v, *n;
        json_array_foreach(json_object_get(notesDoc.get(), "visits"), i, v) {
            json_array_foreach(json_object_get(v, "notes"), j, n) zeroizeJsonString(n, "text");
        }
        writer.addBytes("disclosures.json", asBytes(jsonDump(accessDoc.get(), JSON_INDENT(1) | JSON_SORT_KEYS)));
        JsonPtr body = JsonBuilder()
                           .set("format", "janus-hipaa/patient-copy/v1")
                           .set("created_ms", nowMs)
                           .set("patient", patient)
                           .set("from_ms", fromMs)
                           .set("to_ms", toMs)
                           .set("recordings", std::move(recordingList).build())
                           .set("notes", JsonBuilder()
                                             .set("available", result.notesAvailable)
                                             .set("count", static_cast<uint64_t>(result.notes))
                                             .build())
                           .set("disclosures", JsonBuilder()
                                                   .set("available", result.disclosuresAvailable)
                                                   .set("count", static_cast<uint64_t>(result.disclosures))
                                                   .build())
                           .build();
        writer.finish(body, signer_);
        result.bytes = sealed.bytesWritten();
        if (::fsync(fd.get()) != 0) throw WriteError(errno, "patient copy");
    } catch (const WriteError& e) {
        throw RequestError(errc::kWriteFailed, std::string("cannot write the copy (") + e.reason() + ")");
    }
    result.recordings = recordings.size();
    cleanup.files.clear();  // the copy stays (the sweeper removes it after export_ttl)
    return result;
}

}  // namespace hipaa::recorder

// SPDX-License-Identifier: GPL-3.0-or-later
#include "Outbox.hpp"

#include "KeptAttacher.hpp"
#include "VisitCodec.hpp"

#include "hipaa/Errors.hpp"

#include <openssl/crypto.h>

#include <algorithm>

namespace hipaa::fhir {
namespace {

int64_t toInt(std::string_view v) { return v.empty() ? 0 : std::stoll(std::string(v)); }

std::string visitAad(const std::string& visitId) { return "fhir_visit|" + visitId; }
std::string noteAad(const std::string& noteId) { return "fhir_note|" + noteId; }
std::string bundleAad(const std::string& visitId, const std::string& kind) {
    return "fhir_outbox|" + visitId + "|" + kind;
}

// Wipes a PHI-bearing string when it goes out of scope.
struct Scrub {
    std::string& s;
    ~Scrub() { OPENSSL_cleanse(s.data(), s.size()); }
};

}  // namespace

Outbox::Outbox(Options options, std::shared_ptr<const OutboxCipher> cipher,
               std::shared_ptr<const BundleBuilder> builder)
    : options_(std::move(options)), cipher_(std::move(cipher)), builder_(std::move(builder)) {}

PgConn& Outbox::conn() {
    if (!conn_ || !conn_->ok()) {
        conn_.reset();
        conn_.emplace(PgConn::connect(
            {options_.conninfo, options_.connectTimeoutSeconds, options_.statementTimeoutMs, "janus-hipaa-fhir"}));
    }
    return *conn_;
}

int64_t Outbox::insertBundle(const std::string& visitId, const std::string& kind, const json_t* bundle) {
    std::string text = jsonDump(bundle);
    Scrub scrub{text};
    Bytes sealed = cipher_->seal(bundleAad(visitId, kind), text);
    PgResult r = conn().execParams(
        "INSERT INTO fhir_outbox (visit_id, kind, sealed, instance) VALUES ($1, $2, $3, $4) RETURNING id",
        {visitId, kind, PgParam::bytea(sealed), options_.instance});
    return toInt(r.value(0, 0));
}

std::vector<SentNote> Outbox::sentNotes(const std::string& visitId) {
    // A sent bundle's sealed copy is wiped (finish), but each note stays sealed in fhir_note: a note
    // was sent once a bundle of its visit made at or after it (the visit's, or its own) was accepted.
    PgResult r = conn().execParams(
        "SELECT n.note_id, n.sealed, (extract(epoch FROM min(o.sent_at)) * 1000)::bigint FROM fhir_note n "
        "JOIN fhir_outbox o ON o.visit_id = n.visit_id AND o.state = 'sent' AND o.created_at >= n.created_at "
        "WHERE n.visit_id = $1 AND n.bundled GROUP BY n.note_id, n.sealed, n.created_at "
        "ORDER BY n.created_at, n.note_id",
        {visitId});
    std::vector<SentNote> out;
    for (int i = 0; i < r.rows(); ++i) {
        std::string noteId(r.value(i, 0));
        std::string json = cipher_->open(noteAad(noteId), r.bytea(i, 1));
        Scrub scrub{json};
        NoteSubmitted note = VisitCodec::decodeNote(jsonParse(json).get());
        out.push_back(SentNote{noteId, std::move(note.text), toInt(r.value(i, 2))});
    }
    return out;
}

std::vector<NoteSubmitted> Outbox::notesOf(const std::string& visitId, bool onlyHeld) {
    PgResult r =
        conn().execParams(std::string("SELECT note_id, sealed FROM fhir_note WHERE visit_id = $1") +
                              (onlyHeld ? " AND NOT bundled" : "") + " ORDER BY created_at, note_id FOR UPDATE",
                          {visitId});
    std::vector<NoteSubmitted> notes;
    for (int i = 0; i < r.rows(); ++i) {
        std::string noteId(r.value(i, 0));
        std::string json = cipher_->open(noteAad(noteId), r.bytea(i, 1));
        Scrub scrub{json};
        JsonPtr j = jsonParse(json);
        notes.push_back(VisitCodec::decodeNote(j.get()));
    }
    return notes;
}

Outbox::Recorded Outbox::recordVisit(const VisitEnded& visit, int64_t nowUs) {
    return conn().transaction([&](PgConn& c) {
        // Serializes a visit's end with its notes across threads and instances.
        c.execParams("SELECT pg_advisory_xact_lock(hashtext('fhir_visit|' || $1))", {visit.visitId});
        std::string json = jsonDump(VisitCodec::encode(visit).get());
        Scrub scrub{json};
        PgResult ins =
            c.execParams("INSERT INTO fhir_visit (visit_id, sealed) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1",
                         {visit.visitId, PgParam::bytea(cipher_->seal(visitAad(visit.visitId), json))});
        if (ins.rows() == 0) return Recorded::Duplicate;
        std::vector<NoteSubmitted> notes = notesOf(visit.visitId, true);
        // Kept chat and documents join at send time (KeptAttacher): the row names the recordings.
        JsonPtr bundle = KeptAttacher::wrap(builder_->build(visit, notes, nowUs, true), visit);
        insertBundle(visit.visitId, "visit", bundle.get());
        c.execParams("UPDATE fhir_note SET bundled = true WHERE visit_id = $1 AND NOT bundled", {visit.visitId});
        for (auto& n : notes) OPENSSL_cleanse(n.text.data(), n.text.size());
        return Recorded::Queued;
    });
}

Outbox::Recorded Outbox::recordNote(const NoteSubmitted& note, int64_t nowUs) {
    return conn().transaction([&](PgConn& c) {
        c.execParams("SELECT pg_advisory_xact_lock(hashtext('fhir_visit|' || $1))", {note.visitId});
        std::string json = jsonDump(VisitCodec::encode(note).get());
        Scrub scrub{json};
        PgResult ins = c.execParams(
            "INSERT INTO fhir_note (note_id, visit_id, sealed) VALUES ($1, $2, $3) "
            "ON CONFLICT DO NOTHING RETURNING 1",
            {note.noteId, note.visitId, PgParam::bytea(cipher_->seal(noteAad(note.noteId), json))});
        if (ins.rows() == 0) return Recorded::Duplicate;
        PgResult v = c.execParams("SELECT sealed FROM fhir_visit WHERE visit_id = $1", {note.visitId});
        if (v.rows() == 0) return Recorded::Held;
        std::string visitJson = cipher_->open(visitAad(note.visitId), v.bytea(0, 0));
        Scrub scrubVisit{visitJson};
        VisitEnded visit = VisitCodec::decodeVisit(jsonParse(visitJson).get());
        JsonPtr bundle = builder_->build(visit, {note}, nowUs, false);
        insertBundle(note.visitId, "note", bundle.get());
        c.execParams("UPDATE fhir_note SET bundled = true WHERE note_id = $1", {note.noteId});
        return Recorded::Queued;
    });
}

std::optional<int64_t> Outbox::exportVisit(const std::string& visitId, int64_t nowUs) {
    return conn().transaction([&](PgConn& c) -> std::optional<int64_t> {
        c.execParams("SELECT pg_advisory_xact_lock(hashtext('fhir_visit|' || $1))", {visitId});
        PgResult v = c.execParams("SELECT sealed FROM fhir_visit WHERE visit_id = $1", {visitId});
        if (v.rows() == 0) return std::nullopt;
        std::string visitJson = cipher_->open(visitAad(visitId), v.bytea(0, 0));
        Scrub scrubVisit{visitJson};
        VisitEnded visit = VisitCodec::decodeVisit(jsonParse(visitJson).get());
        std::vector<NoteSubmitted> notes = notesOf(visitId, false);
        JsonPtr bundle = KeptAttacher::wrap(builder_->build(visit, notes, nowUs, true), visit);
        for (auto& n : notes) OPENSSL_cleanse(n.text.data(), n.text.size());
        int64_t id = insertBundle(visitId, "export", bundle.get());
        c.execParams("UPDATE fhir_note SET bundled = true WHERE visit_id = $1 AND NOT bundled", {visitId});
        return id;
    });
}

std::vector<Outbox::Claimed> Outbox::claim(int max, int leaseSeconds) {
    PgResult r = conn().execParams(
        "UPDATE fhir_outbox o SET attempts = o.attempts + 1, instance = $3, "
        "next_attempt_at = now() + make_interval(secs => $2::int) "
        "FROM (SELECT id FROM fhir_outbox WHERE state = 'pending' AND next_attempt_at <= now() "
        "      ORDER BY next_attempt_at, id LIMIT $1::int FOR UPDATE SKIP LOCKED) due "
        "WHERE o.id = due.id RETURNING o.id, o.visit_id, o.kind, o.sealed, o.attempts",
        {std::to_string(max), std::to_string(leaseSeconds), options_.instance});
    std::vector<Claimed> out;
    for (int i = 0; i < r.rows(); ++i) {
        Claimed c;
        c.id = toInt(r.value(i, 0));
        c.visitId = std::string(r.value(i, 1));
        c.kind = std::string(r.value(i, 2));
        c.attempt = static_cast<int>(toInt(r.value(i, 4)));
        try {
            c.bundle = cipher_->open(bundleAad(c.visitId, c.kind), r.bytea(i, 3));
        } catch (const CryptoError&) {
            // Sealed under another key (outbox.key_file replaced?) or altered: no retry can help.
            SendResult unreadable;
            unreadable.kind = SendResult::Kind::Dead;
            unreadable.error = "sealed bundle does not open (outbox key changed or data altered)";
            finish(c, unreadable, true, 0);
            continue;
        }
        out.push_back(std::move(c));
    }
    std::sort(out.begin(), out.end(), [](const Claimed& a, const Claimed& b) { return a.id < b.id; });
    return out;
}

void Outbox::finish(const Claimed& c, const SendResult& r, bool dead, int64_t retryDelayMs) {
    std::string outcome = r.outcome ? jsonDump(r.outcome.get()) : "";
    std::optional<std::string> status = r.status ? std::optional(std::to_string(r.status)) : std::nullopt;
    std::optional<std::string> error = r.error.empty() ? std::nullopt : std::optional(r.error);
    const char* result = r.kind == SendResult::Kind::Sent ? "sent" : (dead ? "dead" : "retry");
    // Sent: the sealed bundle is wiped (minimum necessary; `export` rebuilds from fhir_visit/fhir_note).
    conn().execParams(
        "WITH u AS (UPDATE fhir_outbox SET "
        "  state = CASE $2 WHEN 'sent' THEN 'sent' WHEN 'dead' THEN 'dead' ELSE 'pending' END, "
        "  sent_at = CASE WHEN $2 = 'sent' THEN now() END, "
        "  dead_at = CASE WHEN $2 = 'dead' THEN now() END, "
        "  sealed = CASE WHEN $2 = 'sent' THEN ''::bytea ELSE sealed END, "
        "  next_attempt_at = CASE WHEN $2 = 'retry' THEN now() + make_interval(secs => $7::double precision / 1000) "
        "                    ELSE next_attempt_at END, "
        "  last_status = $3::int, last_error = $4, outcome = NULLIF($5, '')::jsonb, "
        "  resource_ids = CASE WHEN $2 = 'sent' THEN $6 ELSE resource_ids END "
        "  WHERE id = $1::bigint RETURNING id, attempts) "
        "INSERT INTO fhir_outbox_attempt (outbox_id, instance, attempt, result, http_status, error, resource_ids, "
        "alert) "
        "SELECT id, $8, attempts, $2, $3::int, $4, $6, $2 = 'dead' FROM u",
        {std::to_string(c.id), std::string(result), status, error, outcome, PgParam::textArray(r.resourceIds),
         std::to_string(retryDelayMs), options_.instance});
}

Outbox::Status Outbox::status() {
    PgResult r = conn().exec(
        "SELECT count(*) FILTER (WHERE state = 'pending'), "
        "       count(*) FILTER (WHERE state = 'pending' AND attempts > 0 AND last_error IS NOT NULL), "
        "       count(*) FILTER (WHERE state = 'sent'), count(*) FILTER (WHERE state = 'dead'), "
        "       (SELECT count(*) FROM fhir_note WHERE NOT bundled), "
        "       COALESCE(floor(EXTRACT(EPOCH FROM now() - min(created_at) FILTER (WHERE state = 'pending'))), "
        "0)::bigint "
        "FROM fhir_outbox");
    return {toInt(r.value(0, 0)), toInt(r.value(0, 1)), toInt(r.value(0, 2)),
            toInt(r.value(0, 3)), toInt(r.value(0, 4)), toInt(r.value(0, 5))};
}

std::vector<Outbox::Row> Outbox::list(const std::string& state, int limit) {
    PgResult r = conn().execParams(
        "SELECT id, visit_id, kind, state, attempts, COALESCE(last_status, 0), COALESCE(last_error, ''), "
        "       floor(EXTRACT(EPOCH FROM now() - created_at))::bigint, "
        "       GREATEST(0, ceil(EXTRACT(EPOCH FROM next_attempt_at - now())))::bigint, COALESCE(outcome::text, '') "
        "FROM fhir_outbox WHERE state = $1 ORDER BY id LIMIT $2::int",
        {state, std::to_string(limit)});
    std::vector<Row> rows;
    rows.reserve(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
        rows.push_back({toInt(r.value(i, 0)), std::string(r.value(i, 1)), std::string(r.value(i, 2)),
                        std::string(r.value(i, 3)), std::string(r.value(i, 6)), static_cast<int>(toInt(r.value(i, 4))),
                        static_cast<long>(toInt(r.value(i, 5))), toInt(r.value(i, 7)), toInt(r.value(i, 8)),
                        std::string(r.value(i, 9))});
    }
    return rows;
}

std::vector<int64_t> Outbox::retry(std::optional<int64_t> id) {
    std::optional<std::string> idParam = id ? std::optional(std::to_string(*id)) : std::nullopt;
    PgResult r = conn().execParams(
        "UPDATE fhir_outbox SET state = 'pending', attempts = 0, next_attempt_at = now(), dead_at = NULL "
        "WHERE state = 'dead' AND ($1::bigint IS NULL OR id = $1::bigint) RETURNING id",
        {idParam});
    std::vector<int64_t> ids;
    ids.reserve(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) ids.push_back(toInt(r.value(i, 0)));
    std::sort(ids.begin(), ids.end());
    return ids;
}

}  // namespace hipaa::fhir

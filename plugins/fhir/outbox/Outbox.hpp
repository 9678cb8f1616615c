// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The durable FHIR outbox in PostgreSQL (sql/400_fhir_outbox.sql). A bundle is sealed and stored
// before any network call; workers of any number of Janus instances claim due rows with
// FOR UPDATE SKIP LOCKED and a lease; every attempt is appended to fhir_outbox_attempt (PHI-free).
// One Outbox per thread: it owns one connection and reconnects after a failure.
#include "BundleBuilder.hpp"
#include "FhirClient.hpp"
#include "OutboxCipher.hpp"

#include "hipaa/PgConn.hpp"
#include "hipaa/VisitNotes.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hipaa::fhir {

class Outbox {
public:
    struct Options {
        std::string conninfo;
        std::string instance;  // this Janus instance (PHI-free)
        int connectTimeoutSeconds = 5;
        int statementTimeoutMs = 10000;
    };
    struct Claimed {
        int64_t id = 0;
        std::string visitId, kind, bundle;  // bundle: opened JSON (PHI)
        int attempt = 0;
    };
    struct Status {
        int64_t pending = 0, failing = 0, sent = 0, dead = 0, heldNotes = 0, oldestPendingSeconds = 0;
    };
    struct Row {
        int64_t id = 0;
        std::string visitId, kind, state, lastError;
        int attempts = 0;
        long lastStatus = 0;
        int64_t ageSeconds = 0, nextAttemptInSeconds = 0;
        std::string outcome;  // PHI-free JSON or ""
    };
    // What recordVisit/recordNote did.
    enum class Recorded { Queued, Held, Duplicate };

    Outbox(Options options, std::shared_ptr<const OutboxCipher> cipher, std::shared_ptr<const BundleBuilder> builder);

    // The visit's bundle (with every note held for it) goes into the outbox, atomically.
    Recorded recordVisit(const VisitEnded& visit, int64_t nowUs);
    // During the visit the note is held (sealed); after its end it gets a bundle of its own.
    Recorded recordNote(const NoteSubmitted& note, int64_t nowUs);
    // A new bundle of the visit with all its notes (conditional creates make it idempotent).
    // nullopt: no ended visit with this id.
    std::optional<int64_t> exportVisit(const std::string& visitId, int64_t nowUs);

    std::vector<Claimed> claim(int max, int leaseSeconds);
    // Records the attempt's result: sent, retry after `retryDelayMs`, or dead (alert).
    void finish(const Claimed& c, const SendResult& r, bool dead, int64_t retryDelayMs);

    Status status();
    std::vector<Row> list(const std::string& state, int limit);
    // Dead -> pending (attempts reset). id nullopt: all dead. Returns the ids requeued.
    std::vector<int64_t> retry(std::optional<int64_t> id);

    // The visit's notes whose bundle the EHR accepted (state sent), each once, oldest first.
    std::vector<SentNote> sentNotes(const std::string& visitId);

    void disconnect() { conn_.reset(); }

private:
    PgConn& conn();
    int64_t insertBundle(const std::string& visitId, const std::string& kind, const json_t* bundle);
    std::vector<NoteSubmitted> notesOf(const std::string& visitId, bool onlyHeld);

    Options options_;
    std::shared_ptr<const OutboxCipher> cipher_;
    std::shared_ptr<const BundleBuilder> builder_;
    std::optional<PgConn> conn_;
};

}  // namespace hipaa::fhir

// SPDX-License-Identifier: GPL-3.0-or-later
#include "FhirHandler.hpp"

#include "FhirConfig.hpp"
#include "FhirErrors.hpp"

#include "hipaa/Clock.hpp"
#include "hipaa/ConfigTrail.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/JcfgParser.hpp"
#include "hipaa/JsonBuilder.hpp"

#include <chrono>
#include <cstdint>

namespace hipaa::fhir {

FhirHandler::FhirHandler(Config config, Logger log, VisitBus& bus) : config_(std::move(config)), log_(std::move(log)) {
    FhirConfig c = FhirConfig::read(config_);
    c.checkCaFile();
    baseUrl_ = c.client.baseUrl;
    caFile_ = c.client.caBundle;
    clientOptions_ = c.client;
    auth_ = c.auth;
    // Build one auth now: a bad key or token file fails init, not the first send.
    c.makeAuth();
    instance_ = c.instance;
    builder_ = std::make_shared<const BundleBuilder>(c.bundle);
    conninfo_ = c.outbox.conninfo;
    cipher_ = c.loadCipher();
    outboxOptions_ = c.outbox;
    workerOptions_ = c.worker;
    int workers = c.workers;
    auto kept = std::make_shared<const KeptAttacher>(builder_, c.maxBundleBytes);
    gate_ = std::make_unique<ActorGate>(std::string(kFhirInfo.package), c.actors.development, c.actors.loadVerifier());
    if (c.actors.development)
        log_.warn("general.development = true: the admin secret alone may list, export and retry (development only)");

    // The database may come up after Janus: every part connects lazily and reconnects.
    ingestOutbox_ = std::make_unique<Outbox>(outboxOptions_, cipher_, builder_);
    adminOutbox_ = std::make_unique<Outbox>(outboxOptions_, cipher_, builder_);
    for (int i = 0; i < workers; ++i) {
        workers_.push_back(std::make_unique<OutboxWorker>(
            workerOptions_, std::make_unique<Outbox>(outboxOptions_, cipher_, builder_),
            std::make_unique<FhirClient>(clientOptions_, c.makeAuth()), log_, workerCounters_, kept));
    }
    subscriptions_.push_back(bus.subscribe<VisitEnded>("fhir", [this](const VisitEnded& v) { onVisitEnded(v); }));
    subscriptions_.push_back(bus.subscribe<NoteSubmitted>("fhir", [this](const NoteSubmitted& n) { onNote(n); }));
    VisitNotes::inProcess().provide(*this);  // the recorder's patient copy reads sent notes through it
    ConfigTrail::record(std::string(kFhirInfo.package), config_, c.stateDir + "/config-state.json", log_);
    log_.info("fhir: exporting to " + baseUrl_ + " (auth " + auth_ + ", " + std::to_string(workers) +
              " workers, instance " + instance_ + ")");
}

FhirHandler::~FhirHandler() {
    VisitNotes::inProcess().withdraw(*this);  // waits for a patient copy reading notes
    {
        std::lock_guard lock(stopMutex_);
        stopping_ = true;
    }
    stopCv_.notify_all();
    subscriptions_.clear();  // delivers what is queued (one store attempt each), then unsubscribes
    workers_.clear();        // joins; bundles in flight keep their lease and are sent after restart
}

std::unique_ptr<EventHandlerCore> FhirHandler::create(const std::string& configFile, Logger log) {
    Config config(JcfgParser::parseFile(configFile), configFile);
    if (!FhirConfig::enabled(config)) return nullptr;
    return std::make_unique<FhirHandler>(std::move(config), std::move(log));
}

void FhirHandler::incomingEvent(json_t*) {}

// Stores one fact; while the database is unreachable it keeps trying (the bus queue holds the rest
// and refuses new facts visibly when full). At shutdown it tries once more and counts a loss.
template <typename F>
void FhirHandler::ingest(const char* what, F&& store) {
    int64_t delayMs = 100;
    for (;;) {
        try {
            std::lock_guard lock(ingestMutex_);
            switch (store(*ingestOutbox_)) {
                case Outbox::Recorded::Queued:
                    counters_.queued++;
                    break;
                case Outbox::Recorded::Held:
                    counters_.held++;
                    break;
                case Outbox::Recorded::Duplicate:
                    counters_.duplicates++;
                    break;
            }
            for (auto& w : workers_) w->wake();
            return;
        } catch (const RequestError& e) {
            counters_.skipped++;
            log_.warn(std::string("fhir: ") + what + " not exported: " + e.what());
            return;
        } catch (const CryptoError&) {
            // A stored fact does not open under the configured key: retrying cannot help.
            counters_.lost++;
            log_.error(std::string("ALERT fhir: ") + what +
                       " not exported: outbox data does not open under outbox.key_file");
            return;
        } catch (const std::exception& e) {
            ingestOutbox_->disconnect();
            const auto* db = dynamic_cast<const DbError*>(&e);
            log_.warn(std::string("fhir: cannot store ") + what + " in the outbox (" +
                      (db ? "SQLSTATE " + db->sqlstate() : std::string("error")) + "), retrying");
        }
        std::unique_lock lock(stopMutex_);
        if (stopping_) {
            counters_.lost++;
            log_.error(std::string("ALERT fhir: ") + what + " lost at shutdown: the outbox was unreachable");
            return;
        }
        stopCv_.wait_for(lock, std::chrono::milliseconds(delayMs));
        delayMs = std::min<int64_t>(delayMs * 2, 5000);
    }
}

void FhirHandler::onVisitEnded(const VisitEnded& visit) {
    counters_.visits++;
    ingest("visit", [&](Outbox& o) { return o.recordVisit(visit, Clock::wallUs()); });
}

void FhirHandler::onNote(const NoteSubmitted& note) {
    counters_.notes++;
    ingest("note", [&](Outbox& o) { return o.recordNote(note, Clock::wallUs()); });
}

template <typename F>
auto FhirHandler::admin(F&& f) {
    std::lock_guard lock(adminMutex_);
    try {
        return f(*adminOutbox_);
    } catch (const DbError& e) {
        adminOutbox_->disconnect();
        throw Error(errc::kDatabase, "outbox database unavailable (SQLSTATE " + e.sqlstate() + ")");
    }
}

std::vector<SentNote> FhirHandler::sentNotes(const std::string& visit) {
    return admin([&](Outbox& o) { return o.sentNotes(visit); });
}

JsonPtr FhirHandler::status() {
    Outbox::Status s = admin([](Outbox& o) { return o.status(); });
    JsonPtr c = JsonBuilder()
                    .set("visits", static_cast<uint64_t>(counters_.visits))
                    .set("notes", static_cast<uint64_t>(counters_.notes))
                    .set("queued", static_cast<uint64_t>(counters_.queued))
                    .set("held", static_cast<uint64_t>(counters_.held))
                    .set("duplicates", static_cast<uint64_t>(counters_.duplicates))
                    .set("skipped", static_cast<uint64_t>(counters_.skipped))
                    .set("lost", static_cast<uint64_t>(counters_.lost))
                    .set("sent", static_cast<uint64_t>(workerCounters_->sent))
                    .set("retried", static_cast<uint64_t>(workerCounters_->retried))
                    .set("dead", static_cast<uint64_t>(workerCounters_->dead))
                    .set("db_errors", static_cast<uint64_t>(workerCounters_->dbErrors))
                    .set("kept_unavailable", static_cast<uint64_t>(workerCounters_->keptUnavailable))
                    .set("too_large", static_cast<uint64_t>(workerCounters_->tooLarge))
                    .build();
    return JsonBuilder()
        .set("pending", s.pending)
        .set("failed", s.failing)
        .set("sent", s.sent)
        .set("dead", s.dead)
        .set("held_notes", s.heldNotes)
        .set("oldest_pending_seconds", s.oldestPendingSeconds)
        .set("this_instance", std::move(c))
        .build();
}

JsonPtr FhirHandler::list(const json_t* request) {
    std::string state(jsonOptionalString(request, "state").value_or("pending"));
    if (state != "pending" && state != "dead" && state != "sent")
        throw RequestError(errc::kInvalidField, "state: must be pending, dead or sent");
    int64_t limit = jsonOptionalInt(request, "limit", 1, 1000).value_or(100);
    JsonPtr object = JsonBuilder().set("state", state).set("limit", limit).build();
    ActorDecision d = gate_->admit(request, "fhir.pending", object);
    if (d.access != Access::Any && d.access != Access::Metadata)
        gate_->refuse(d, object, "role_forbidden", "the role " + d.role + " may not list bundles");
    const bool metadata = d.access == Access::Metadata;
    gate_->allow(d, object);
    auto rows = admin([&](Outbox& o) { return o.list(state, static_cast<int>(limit)); });
    JsonPtr arr = jsonArray();
    for (const auto& row : rows) {
        JsonBuilder j;
        j.setIf(!metadata, "id", row.id)
            .setIf(!metadata, "visit_id", row.visitId)
            .set("kind", row.kind)
            .set("state", row.state)
            .set("attempts", row.attempts)
            .setIf(row.lastStatus, "last_status", static_cast<int64_t>(row.lastStatus))
            .setIf(!metadata && !row.lastError.empty(), "last_error", row.lastError)
            .set("age_seconds", row.ageSeconds)
            .setIf(row.state == "pending", "next_attempt_in_seconds", row.nextAttemptInSeconds);
        if (!metadata && !row.outcome.empty()) j.set("outcome", jsonParse(row.outcome));
        json_array_append_new(arr.get(), jsonRelease(std::move(j).build()));
    }
    JsonPtr r = JsonBuilder()
                    .set("state", state)
                    .set("count", static_cast<uint64_t>(rows.size()))
                    .setIf(metadata, "access", "metadata")
                    .set("bundles", std::move(arr))
                    .build();
    return r;
}

void FhirHandler::admitAny(const json_t* request, const std::string& action, const JsonPtr& object) {
    ActorDecision d = gate_->admit(request, action, object);
    if (d.access != Access::Any)
        gate_->refuse(d, object, "role_forbidden", "the role " + d.role + " may not " + action);
    gate_->allow(d, object);
}

JsonPtr FhirHandler::retry(const json_t* request) {
    std::optional<int64_t> id = jsonOptionalInt(request, "id", 1, INT64_MAX);
    bool all = jsonOptionalBool(request, "all").value_or(false);
    if (!id && !all) throw RequestError(errc::kMissingField, "id (or \"all\": true) required");
    JsonPtr object = id ? JsonBuilder().set("id", *id).build() : JsonBuilder().set("all", true).build();
    admitAny(request, "fhir.retry", object);
    auto ids = admin([&](Outbox& o) { return o.retry(id); });
    if (id && ids.empty()) throw RequestError(errc::kNoSuchBundle, "no dead-lettered bundle with this id");
    for (auto& w : workers_) w->wake();
    JsonPtr arr = jsonArray();
    for (int64_t i : ids) json_array_append_new(arr.get(), json_integer(i));
    JsonPtr r = JsonBuilder().set("requeued", std::move(arr)).build();
    return r;
}

JsonPtr FhirHandler::exportVisit(const json_t* request) {
    std::string visitId(jsonRequireString(request, "visit_id", 1, 128));
    admitAny(request, "fhir.export", JsonBuilder().set("visit_id", std::string_view(visitId)).build());
    auto id = admin([&](Outbox& o) { return o.exportVisit(visitId, Clock::wallUs()); });
    if (!id) throw RequestError(errc::kUnknownVisit, "no ended visit with this visit_id");
    for (auto& w : workers_) w->wake();
    JsonPtr r = JsonBuilder().set("queued", *id).build();
    return r;
}

JsonPtr FhirHandler::handleRequest(const json_t* request) {
    if (!json_is_object(request)) throw RequestError(errc::kInvalidJson, "request must be a JSON object");
    std::string what(jsonRequireString(request, "request"));
    jsonOptionalString(request, "actor_token");  // another JSON type is 303, as for every field
    if (what == "info") {
        JsonPtr info = infoResponse(kFhirInfo, config_.effective());
        json_object_update(info.get(), JsonBuilder().set("auth", auth_).set("instance", instance_).build().get());
        return info;
    }
    if (what == "status") return status();
    if (what == "pending") return list(request);
    if (what == "retry") return retry(request);
    if (what == "export") return exportVisit(request);
    throw RequestError(errc::kUnknownRequest, "unknown request");
}

}  // namespace hipaa::fhir

// SPDX-License-Identifier: GPL-3.0-or-later
#include "AuditHandler.hpp"

#include "AuditConfig.hpp"
#include "AuditErrors.hpp"
#include "AuditHeadFile.hpp"
#include "AuditKeyRing.hpp"
#include "AuditQuery.hpp"
#include "AuditRecordCodec.hpp"
#include "AuditVerifier.hpp"

#include "hipaa/Clock.hpp"
#include "hipaa/ConfigTrail.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/JcfgParser.hpp"
#include "hipaa/JsonBuilder.hpp"

#include <algorithm>

namespace hipaa::audit {
namespace {

Config loadConfig(const std::string& file) { return Config(JcfgParser::parseFile(file), file); }

// An issuer's iss or sub: no join token (at most 8 KiB) carries a longer one.
std::string_view requireSubject(const json_t* obj, const char* key) { return jsonRequireString(obj, key, 1, 8192); }

}  // namespace

AuditHandler::AuditHandler(Config config, Logger log) : config_(std::move(config)), log_(std::move(log)) {
    AuditConfig c = AuditConfig::read(config_);
    database_ = c.database;
    AuditWriterOptions options = c.writer;
    policy_ = std::make_unique<AuditPolicy>(c.loadPolicy());
    pseudonymizer_ = std::make_unique<Pseudonymizer>(c.loadPseudonymizer());
    signer_ = std::make_unique<Ed25519Signer>(c.loadSigner());
    trustedKeysFile_ = c.trustedKeysFile;
    if (!trustedKeysFile_.empty()) c.loadTrustedKeys();  // a bad file fails init, not the first verify
    options.spoolKey = c.loadSpoolKey();
    if (!database_) log_.warn("no database.conninfo: the audit trail is only spooled (development setups only)");
    writer_ = std::make_unique<AuditWriter>(std::move(options), *policy_, *pseudonymizer_, *signer_, log_);
    gate_ = std::make_unique<ActorGate>(std::string(kAuditInfo.package), c.actors.development, c.actors.loadVerifier());
    if (c.actors.development)
        log_.warn("general.development = true: the admin secret alone may query the trail (development only)");
    // The room asks before every join and admission (fail closed).
    AuditHealthProbe::inProcess().provide(*this);
    AuditTrail::inProcess().provide(*this);
    // Records of plugins that started before this handler (their config at start).
    for (const auto& r : AuditTrail::takeKept()) take(r);
    ConfigTrail::record(std::string(kAuditInfo.package), config_,
                        c.writer.spoolDir + "/config-state." + c.writer.instanceId + ".json", log_);
}

AuditHandler::~AuditHandler() {
    AuditTrail::inProcess().withdraw(*this);
    AuditHealthProbe::inProcess().withdraw(*this);  // waits for calls in flight
}

bool AuditHandler::take(const AccessRecord& a) {
    AuditRecord r;
    r.eventTimeUs = Clock::wallUs();
    r.emitter = writer_->instanceId();
    r.plugin = a.plugin;
    if (!a.actor.empty()) r.actor = a.actor;
    r.action = a.action;
    r.outcome = a.allowed ? "success" : "refused";
    JsonBuilder ev;
    ev.setIf(!a.role.empty(), "role", std::string_view(a.role))
        .setIf(!a.reason.empty(), "reason", std::string_view(a.reason));
    if (a.object) ev.set("object", jsonRetain(a.object.get()));
    r.event = jsonDump(std::move(ev).build().get());
    return writer_->enqueueOwn(std::move(r));
}  // then the writer flushes and joins

std::optional<std::vector<Disclosure>> AuditHandler::disclosures(const std::vector<std::string>& recordings) {
    if (!database_) return std::nullopt;
    try {
        PgConn conn = PgConn::connect(*database_);
        return AuditQuery::disclosures(conn, recordings, kDisclosuresMax);
    } catch (const Error&) {
        return std::nullopt;
    }
}

std::unique_ptr<EventHandlerCore> AuditHandler::create(const std::string& configFile, Logger log) {
    Config config = loadConfig(configFile);
    if (!AuditConfig::enabled(config)) return nullptr;
    return std::make_unique<AuditHandler>(std::move(config), std::move(log));
}

void AuditHandler::incomingEvent(json_t* event) { writer_->enqueue(event); }

JsonPtr AuditHandler::handleRequest(const json_t* request) {
    if (!json_is_object(request)) throw RequestError(errc::kInvalidJson, "request must be a JSON object");
    std::string_view what = jsonRequireString(request, "request");
    // The free-text requester could name anyone; the actor token proves who asks.
    if (json_object_get(request, "requester"))
        throw RequestError(errc::kInvalidField, "requester: no longer accepted, actor_token replaced it");
    jsonOptionalString(request, "actor_token");  // another JSON type is 303, as for every field
    if (what == "info") {
        JsonPtr info = infoResponse(kAuditInfo, config_.effective());
        JsonPtr s = stats();
        json_object_update(info.get(),
                           JsonBuilder()
                               .set("events", jsonRetain(json_object_get(s.get(), "events")))
                               .set("storage", database_ ? "postgresql" : "spool only (no database.conninfo)")
                               .set("instance_id", std::string_view(writer_->instanceId()))
                               .set("policy_rules", static_cast<uint64_t>(policy_->ruleCount()))
                               .set("checkpoint_public_key", std::string_view(hexEncode(signer_->publicKey())))
                               .build()
                               .get());
        return info;
    }
    if (what == "stats") return stats();
    if (what == "health") return health();
    if (what == "verify") return verify(request);
    if (what == "query") return query(request, false);
    if (what == "export") return query(request, true);
    if (what == "pseudonym") return pseudonym(request);
    throw RequestError(errc::kUnknownRequest, "unknown request");
}

const char* AuditHandler::problem(const AuditWriter::Stats& s) const {
    // A nearly full queue refuses records within moments; refuse new visits before that happens.
    const size_t capacity = writer_->queueCapacity();
    return s.spoolFull ? "spool_full" : (s.queued >= capacity - capacity / 10 ? "queue_full" : "");
}

std::string AuditHandler::auditProblem() const { return problem(writer_->stats()); }

JsonPtr AuditHandler::health() const {
    AuditWriter::Stats s = writer_->stats();
    const char* reason = problem(s);
    return JsonBuilder()
        .set("healthy", !*reason)
        .setIf(*reason != '\0', "reason", reason)
        .set("db_connected", s.dbConnected)
        .set("queued", s.queued)
        .build();
}

JsonPtr AuditHandler::stats() const {
    AuditWriter::Stats s = writer_->stats();
    JsonBuilder byType;
    for (size_t bit = 0; bit < s.byType.size(); ++bit)
        if (s.byType[bit]) byType.set(std::to_string(1u << bit).c_str(), s.byType[bit]);
    bool behind = s.queued > 0 || s.spoolFrames > 0;
    double lag = (behind && s.lastCommittedEventUs > 0)
                     ? static_cast<double>(Clock::wallUs() - s.lastCommittedEventUs) / 1e6
                     : 0.0;
    return JsonBuilder()
        .set("events", JsonBuilder()
                           .set("received", s.received)
                           .set("refused_queue_full", s.refused)
                           .set("processed", s.processed)
                           .set("queued", s.queued)
                           .set("by_type", std::move(byType).build())
                           .build())
        .set("queued", s.queued)
        .set("written", s.written)
        .set("spooled_total", s.spooledTotal)
        .set("spool_frames", s.spoolFrames)
        .set("spool_bytes", s.spoolBytes)
        .set("spool_full", s.spoolFull)
        .set("spool_full_alerts", s.spoolFullEvents)
        .set("replayed", s.replayed)
        .set("checkpoints_written", s.checkpoints)
        .set("db_connected", s.dbConnected)
        .set("db_failures", s.dbFailures)
        .set("head_seq", s.headSeq)
        .set("committed_seq", s.committedSeq)
        .set("fields", JsonBuilder()
                           .set("kept", s.keptFields)
                           .set("dropped_by_policy", s.droppedByPolicy)
                           .set("dropped_unknown", s.droppedUnknown)
                           .set("pseudonymized", s.pseudonymized)
                           .set("coarsened", s.coarsened)
                           .set("pattern_replacements", s.patternHits)
                           .build())
        .set("lag_seconds", lag)
        .build();
}

PgConn AuditHandler::connect() const {
    if (!database_) throw RequestError(errc::kDatabaseUnavailable, "no audit database configured");
    try {
        return PgConn::connect(*database_);
    } catch (const DbError&) {
        throw RequestError(errc::kDatabaseUnavailable, "audit database unreachable");
    }
}

void AuditHandler::admit(const json_t* request, const std::string& action, const JsonPtr& object) {
    ActorDecision d = gate_->admit(request, action, object);
    if (d.access != Access::Any)
        gate_->refuse(d, object, "role_forbidden", "the role " + d.role + " may not " + action);
    gate_->allow(d, object);
}

JsonPtr AuditHandler::verify(const json_t* request) {
    // Another JSON type is 303 (the readers); a bad value is 401 (bad_filter).
    int64_t from = jsonOptionalInt(request, "from_seq").value_or(1),
            to = jsonOptionalInt(request, "to_seq").value_or(INT64_MAX);
    auto instanceField = jsonOptionalString(request, "instance_id");
    if (from < 1 || to < from) throw RequestError(errc::kBadFilter, "from_seq/to_seq: 1 <= from_seq <= to_seq");
    if (instanceField &&
        (instanceField->empty() || instanceField->size() > 64 || instanceField->find('\0') != std::string_view::npos))
        throw RequestError(errc::kBadFilter, "instance_id: 1 to 64 bytes");
    // Re-read at every verify: adding an instance's key needs no restart. Our own current key is
    // always trusted, whatever the file says.
    // A file that became unreadable or malformed since init answers 310 (config), naming the key.
    AuditKeyRing keys;
    if (!trustedKeysFile_.empty()) {
        try {
            keys = AuditKeyRing::fromFile(trustedKeysFile_);
        } catch (const Error& e) {
            throw ConfigError(std::string("chain.trusted_keys_file: ") + e.what());
        }
    }
    keys.add(writer_->instanceId(), signer_->publicKey());
    auto one = [&](PgConn& conn, const std::string& instance) {
        // Our own chain must reach the head file's record: records deleted from the end (by the database
        // superuser) are reported even when the checkpoints after the cut went with them.
        std::vector<AuditVerifier::KnownHead> known;
        if (instance == writer_->instanceId())
            if (auto head = AuditHeadFile::read(writer_->headFilePath()))
                known.push_back({head->first, head->second, "the head file"});
        JsonPtr out = AuditVerifier::verify(conn, instance, keys, from, to, known).toJson();
        json_object_update(out.get(), JsonBuilder().set("instance_id", std::string_view(instance)).build().get());
        return out;
    };
    PgConn conn = connect();
    try {
        if (instanceField) return one(conn, std::string(*instanceField));
        // Every chain in the database, and ours even when none of its records is there (yet).
        std::vector<std::string> instances = AuditVerifier::instances(conn);
        if (std::find(instances.begin(), instances.end(), writer_->instanceId()) == instances.end())
            instances.insert(std::upper_bound(instances.begin(), instances.end(), writer_->instanceId()),
                             writer_->instanceId());
        bool ok = true;
        JsonPtr list = jsonArray();
        for (const auto& instance : instances) {
            JsonPtr r = one(conn, instance);
            ok = ok && jsonBool(r.get(), "ok").value_or(false);
            json_array_append_new(list.get(), r.release());
        }
        return JsonBuilder().set("ok", ok).set("instances", std::move(list)).build();
    } catch (const DbError&) {
        throw RequestError(errc::kDatabaseUnavailable, "audit database failed during verify");
    }
}

JsonPtr AuditHandler::query(const json_t* request, bool exportMode) {
    AuditQuery::Filter f = AuditQuery::parse(request);
    if (const json_t* p = json_object_get(request, "pseudonym")) {
        if (!json_is_object(p))
            throw RequestError(errc::kInvalidField, "pseudonym: must be {\"iss\":..., \"sub\":...}");
        f.actor = pseudonymizer_->participant(requireSubject(p, "iss"), requireSubject(p, "sub"));
    }
    std::string format(exportMode ? jsonOptionalString(request, "format").value_or("jsonl") : "jsonl");
    if (format != "jsonl" && format != "fhir") throw RequestError(errc::kUnknownFormat, "format: jsonl or fhir");
    JsonPtr details = AuditQuery::describe(f);
    if (exportMode)
        json_object_update(details.get(), JsonBuilder().set("format", std::string_view(format)).build().get());
    // Audited before anything is read: a query that cannot be recorded is not answered. Before the
    // database too, so an unadmitted caller learns nothing about it.
    admit(request, exportMode ? "audit.export" : "audit.query", details);
    PgConn conn = connect();
    std::vector<AuditRecord> rows;
    try {
        rows = AuditQuery::run(conn, f);
    } catch (const DbError&) {
        throw RequestError(errc::kDatabaseUnavailable, "audit database failed during the query");
    }
    JsonBuilder out;
    out.set("count", static_cast<uint64_t>(rows.size()));
    if (rows.size() == static_cast<size_t>(f.limit)) {
        if (f.instanceId)
            out.set("next_after_seq", rows.back().seq);
        else
            out.set("next_cursor", AuditQuery::Cursor::after(rows.back()).text());
    }
    if (!exportMode) {
        JsonPtr list = jsonArray();
        for (const auto& r : rows) json_array_append_new(list.get(), AuditRecordCodec::toJson(r).release());
        out.set("records", std::move(list));
    } else if (format == "jsonl") {
        std::string lines;
        for (const auto& r : rows) lines += jsonDump(AuditRecordCodec::toJson(r).get()) + "\n";
        out.set("format", "jsonl").set("data", std::string_view(lines));
    } else {
        JsonPtr entries = jsonArray();
        for (const auto& r : rows) {
            JsonPtr e =
                JsonBuilder()
                    .set("fullUrl", std::string_view("urn:uuid:audit-" + r.instanceId + "-" + std::to_string(r.seq)))
                    .set("resource", AuditQuery::fhirAuditEvent(r))
                    .build();
            json_array_append_new(entries.get(), e.release());
        }
        out.set("format", "fhir")
            .set("bundle", JsonBuilder()
                               .set("resourceType", "Bundle")
                               .set("type", "collection")
                               .set("entry", std::move(entries))
                               .build());
    }
    return std::move(out).build();
}

JsonPtr AuditHandler::pseudonym(const json_t* request) {
    std::string ps = pseudonymizer_->participant(requireSubject(request, "iss"), requireSubject(request, "sub"));
    JsonPtr details =
        JsonBuilder().set("pseudonym", std::string_view(ps)).build();  // never iss/sub: they identify the person
    admit(request, "audit.pseudonym", details);
    JsonPtr out = JsonBuilder().set("pseudonym", std::string_view(ps)).build();
    return out;
}

}  // namespace hipaa::audit

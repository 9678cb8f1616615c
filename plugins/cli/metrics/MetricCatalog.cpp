// SPDX-License-Identifier: GPL-3.0-or-later
#include "MetricCatalog.hpp"

#include <iterator>
#include <stdexcept>

namespace hipaa::metrics {
namespace {

using K = LabelDef::Kind;
constexpr MetricType kCounter = MetricType::Counter;
constexpr MetricType kGauge = MetricType::Gauge;

LabelDef fixed(std::string_view name, std::vector<std::string_view> values) {
    return LabelDef{name, K::Fixed, std::move(values)};
}

// The room's join refusal reasons (plugins/room: the request parser, Admission, TokenVerifier,
// JwsToken); unit_metrics scans the room's sources for new ones.
constexpr std::string_view kJoinRefusals[] = {"algorithm_refused",
                                              "already_joined",
                                              "bad_signature",
                                              "claim_missing",
                                              "dob_claim_obsolete",
                                              "dob_mismatch",
                                              "expired",
                                              "invalid_field",
                                              "invalid_request",
                                              "locked_out",
                                              "malformed_token",
                                              "mfa_required",
                                              "missing_field",
                                              "name_in_patient_token",
                                              "no_such_room",
                                              "not_yet_valid",
                                              "rate_limited",
                                              "replay_cache_full",
                                              "replayed",
                                              "revoked",
                                              "room_ended",
                                              "shared_state_unavailable",
                                              "token_too_large",
                                              "too_old",
                                              "unknown_issuer",
                                              "unknown_key",
                                              "unknown_role",
                                              "wrong_audience",
                                              "wrong_room",
                                              "other"};

std::vector<MetricDef> catalog() {
    const LabelDef plugin = fixed("plugin", {"room", "recorder", "audit", "fhir"});
    const LabelDef outcome = fixed("outcome", {"accepted", "refused"});
    return {
        // The exporter
        {"janus_hipaa_up",
         kGauge,
         {plugin},
         "1 when the plugin answered its info request with success; 0 when it is not loaded, not running "
         "(its init failed) or the Admin API did not answer",
         "every plugin: info"},
        {"janus_hipaa_admin_request_success",
         kGauge,
         {plugin, fixed("request", {"info", "stats", "list", "status", "health"})},
         "1 when this scrape's Admin API request to the plugin was answered with success, else 0",
         "every request below"},
        {"janus_hipaa_build_info",
         kGauge,
         {plugin, LabelDef{"version", K::Version, {}}},
         "Always 1; the plugin's version",
         "every plugin: info"},
        {"janus_hipaa_scrape_duration_seconds",
         kGauge,
         {},
         "How long this scrape took to ask every plugin",
         "the exporter"},

        // janus.plugin.hipaa.room
        {"janus_hipaa_room_sessions", kGauge, {}, "Janus handles attached to the room plugin", "room info"},
        {"janus_hipaa_room_publishers", kGauge, {}, "Participants publishing media", "room info"},
        {"janus_hipaa_room_relayed_packets_total",
         kCounter,
         {},
         "RTP and RTCP packets relayed to subscribers",
         "room info"},
        {"janus_hipaa_room_chat_messages_relayed_total",
         kCounter,
         {},
         "Chat data channel messages relayed",
         "room info"},
        {"janus_hipaa_room_chat_messages_dropped_total",
         kCounter,
         {},
         "Chat messages dropped by the per-participant rate limit",
         "room info"},
        {"janus_hipaa_room_slow_links_total", kCounter, {}, "Slow link reports from Janus", "room info"},
        {"janus_hipaa_room_recording_failures_total",
         kCounter,
         {},
         "Parts of running consult recordings that failed (the recorder reported a stream it could not write)",
         "room info"},
        {"janus_hipaa_room_signing_keys",
         kGauge,
         {fixed("alg", {"ES256", "EdDSA", "RS256", "HS256", "other"})},
         "Join token verification keys loaded",
         "room info"},
        {"janus_hipaa_room_development_mode",
         kGauge,
         {},
         "1 when general.development is true (development keys accepted): never in production",
         "room info"},
        {"janus_hipaa_room_dob_key_loaded", kGauge, {}, "1 when the date-of-birth check key is loaded", "room info"},
        {"janus_hipaa_room_rooms",
         kGauge,
         {LabelDef{"class", K::AdminName, {}}, fixed("state", {"active", "ended"})},
         "Rooms by room class; ended rooms stay until destroyed",
         "room list"},
        {"janus_hipaa_room_participants",
         kGauge,
         {fixed("state", {"admitted", "waiting"})},
         "Participants in rooms, admitted or in the waiting room",
         "room list"},
        {"janus_hipaa_room_replay_cache_entries", kGauge, {}, "Spent join token ids kept against replay", "room stats"},
        {"janus_hipaa_room_revocations_active",
         kGauge,
         {},
         "Revoked subjects and token ids not yet expired",
         "room stats"},
        {"janus_hipaa_room_joins_total", kCounter, {outcome}, "Join requests, accepted or refused", "room stats"},
        {"janus_hipaa_room_join_refusals_total",
         kCounter,
         {fixed("reason", {std::begin(kJoinRefusals), std::end(kJoinRefusals)})},
         "Refused join requests by reason (a reason this exporter does not know counts as other)",
         "room stats"},
        {"janus_hipaa_room_audit_refusals_total",
         kCounter,
         {},
         "Joins and admissions refused because the audit trail could not take records (error 441)",
         "room stats"},
        {"janus_hipaa_room_lockouts_total",
         kCounter,
         {fixed("scope", {"subject", "session"})},
         "Lockouts after repeated failures: a subject in a room (date of birth), or a Janus session (bad tokens)",
         "room stats"},
        {"janus_hipaa_room_role_denials_total",
         kCounter,
         {},
         "Requests refused because the role may not send them",
         "room stats"},
        {"janus_hipaa_room_notes_total",
         kCounter,
         {outcome},
         "Clinician notes submitted, accepted or refused",
         "room stats"},
        {"janus_hipaa_room_visits_ended_total", kCounter, {}, "Visits ended", "room stats"},
        {"janus_hipaa_room_visits_ended_unsealed_total",
         kCounter,
         {},
         "Visits published after 60 s without a kept chat segment the recorder did not seal",
         "room stats"},
        {"janus_hipaa_room_recordings_started_total", kCounter, {}, "Consult recordings started", "room stats"},
        {"janus_hipaa_room_recording_start_failures_total",
         kCounter,
         {},
         "Consult recordings the recorder refused to start",
         "room stats"},
        {"janus_hipaa_room_recording_stop_failures_total",
         kCounter,
         {},
         "Consult recordings that did not stop cleanly",
         "room stats"},
        {"janus_hipaa_room_subscriptions_total",
         kCounter,
         {outcome},
         "Subscriptions, accepted or refused",
         "room stats"},
        {"janus_hipaa_room_publications_total",
         kCounter,
         {fixed("kind", {"new", "renegotiated"})},
         "Publications, new or renegotiated",
         "room stats"},
        {"janus_hipaa_room_screen_shares_total",
         kCounter,
         {fixed("action", {"started", "stopped"})},
         "Screen shares started and stopped",
         "room stats"},
        {"janus_hipaa_room_ice_restarts_total",
         kCounter,
         {},
         "ICE restarts answered: subscriber offers and publisher offers (a client recovering a lost connection)",
         "room stats"},
        {"janus_hipaa_room_mutes_total",
         kCounter,
         {fixed("action", {"mute", "unmute"})},
         "Moderator and self mutes and unmutes",
         "room stats"},
        {"janus_hipaa_room_revoke_requests_total", kCounter, {}, "Admin API revoke requests", "room stats"},

        // janus.plugin.hipaa.recorder
        {"janus_hipaa_recorder_active_recordings",
         kGauge,
         {},
         "Recordings running (UDP and in-process)",
         "recorder info"},
        {"janus_hipaa_recorder_sessions", kGauge, {}, "Janus handles attached to the recorder", "recorder info"},
        {"janus_hipaa_recorder_write_failures_total",
         kCounter,
         {},
         "Streams whose file could not be written (full disk, quota, file size limit, I/O error)",
         "recorder info"},
        {"janus_hipaa_recorder_key_version",
         kGauge,
         {},
         "The newest key version new recordings are wrapped with",
         "recorder info"},
        {"janus_hipaa_recorder_recordings",
         kGauge,
         {fixed("status", {"recording", "sealed", "failed", "interrupted", "deleted", "other"}),
          LabelDef{"policy", K::AdminName, {}}},
         "Recordings in the store by status and retention policy",
         "recorder list"},
        {"janus_hipaa_recorder_recordings_on_hold", kGauge, {}, "Recordings under legal hold", "recorder list"},
        {"janus_hipaa_recorder_active_bytes",
         kGauge,
         {},
         "Sealed bytes written so far by the recordings running now (left out above 100 running recordings)",
         "recorder status (each running recording)"},
        {"janus_hipaa_recorder_active_packets",
         kGauge,
         {fixed("result", {"received", "recorded", "srtp_failed", "lost", "ssrc_refused"})},
         "Packets of the recordings running now, by what became of them (left out above 100 running recordings)",
         "recorder status (each running recording)"},
        {"janus_hipaa_recorder_active_failed_streams",
         kGauge,
         {},
         "Streams of the recordings running now that hit a write error (the recording will end failed)",
         "recorder status (each running recording)"},

        // janus.eventhandler.hipaa.audit
        {"janus_hipaa_audit_queue_capacity_events", kGauge, {}, "general.queue_capacity", "audit info"},
        {"janus_hipaa_audit_spool_capacity_bytes", kGauge, {}, "spool.max_mb in bytes", "audit info"},
        {"janus_hipaa_audit_database_configured",
         kGauge,
         {},
         "1 when database.conninfo is set (0: the trail is only spooled, development only)",
         "audit info"},
        {"janus_hipaa_audit_events_received_total",
         kCounter,
         {},
         "Janus events handed to the audit handler",
         "audit stats"},
        {"janus_hipaa_audit_events_processed_total", kCounter, {}, "Events scrubbed and chained", "audit stats"},
        {"janus_hipaa_audit_events_refused_total",
         kCounter,
         {},
         "Events refused because the queue was full (each loss is itself recorded in the trail)",
         "audit stats"},
        {"janus_hipaa_audit_events_by_type_total",
         kCounter,
         {fixed("type",
                {"session", "handle", "external", "jsep", "webrtc", "media", "plugin", "transport", "core", "other"})},
         "Events received by Janus event type",
         "audit stats"},
        {"janus_hipaa_audit_queue_events", kGauge, {}, "Events waiting in the handler's queue", "audit stats"},
        {"janus_hipaa_audit_records_committed_total", kCounter, {}, "Records committed to PostgreSQL", "audit stats"},
        {"janus_hipaa_audit_records_spooled_total",
         kCounter,
         {},
         "Records written to the encrypted spool while PostgreSQL was away",
         "audit stats"},
        {"janus_hipaa_audit_records_replayed_total",
         kCounter,
         {},
         "Spooled records replayed into PostgreSQL",
         "audit stats"},
        {"janus_hipaa_audit_spool_frames", kGauge, {}, "Batches waiting in the spool", "audit stats"},
        {"janus_hipaa_audit_spool_bytes", kGauge, {}, "Size of the spool file", "audit stats"},
        {"janus_hipaa_audit_spool_full", kGauge, {}, "1 while the spool is full and the database away", "audit stats"},
        {"janus_hipaa_audit_spool_full_episodes_total", kCounter, {}, "Times the spool became full", "audit stats"},
        {"janus_hipaa_audit_checkpoints_written_total", kCounter, {}, "Signed checkpoints written", "audit stats"},
        {"janus_hipaa_audit_database_connected",
         kGauge,
         {},
         "1 while the writer is connected to PostgreSQL",
         "audit stats"},
        {"janus_hipaa_audit_database_failures_total",
         kCounter,
         {},
         "Database failures (connect, statement timeout, lost connection)",
         "audit stats"},
        {"janus_hipaa_audit_head_sequence", kGauge, {}, "Sequence number of the newest chained record", "audit stats"},
        {"janus_hipaa_audit_committed_sequence",
         kGauge,
         {},
         "Sequence number of the newest record in PostgreSQL",
         "audit stats"},
        {"janus_hipaa_audit_fields_total",
         kCounter,
         {fixed("action",
                {"kept", "dropped_by_policy", "dropped_unknown", "pseudonymized", "coarsened", "pattern_replaced"})},
         "Event fields by what the scrub policy did with them",
         "audit stats"},
        {"janus_hipaa_audit_lag_seconds",
         kGauge,
         {},
         "Age of the newest committed event while records wait (0 when nothing waits)",
         "audit stats"},
        {"janus_hipaa_audit_healthy",
         kGauge,
         {},
         "1 when the trail takes records (0: the room refuses new visits with 441)",
         "audit health"},
        {"janus_hipaa_audit_unhealthy_reason",
         kGauge,
         {fixed("reason", {"spool_full", "queue_full", "other"})},
         "1 for the reason the trail is not healthy, 0 for the others",
         "audit health"},

        // janus.eventhandler.hipaa.fhir
        {"janus_hipaa_fhir_outbox_bundles",
         kGauge,
         {fixed("state", {"pending", "dead", "sent"})},
         "Bundles in the PostgreSQL outbox by state (every instance sharing the outbox)",
         "fhir status"},
        {"janus_hipaa_fhir_outbox_failing_bundles",
         kGauge,
         {},
         "Pending bundles whose last attempt failed",
         "fhir status"},
        {"janus_hipaa_fhir_outbox_held_notes", kGauge, {}, "Notes held until their visit ends", "fhir status"},
        {"janus_hipaa_fhir_outbox_oldest_pending_seconds",
         kGauge,
         {},
         "Age of the oldest pending bundle",
         "fhir status"},
        {"janus_hipaa_fhir_facts_received_total",
         kCounter,
         {fixed("kind", {"visit", "note"})},
         "Ended visits and notes received from the room (this instance)",
         "fhir status"},
        {"janus_hipaa_fhir_facts_total",
         kCounter,
         {fixed("outcome", {"queued", "held", "duplicate", "skipped", "lost"})},
         "What became of each received visit or note (this instance); lost raises an ALERT log line",
         "fhir status"},
        {"janus_hipaa_fhir_send_attempts_total",
         kCounter,
         {fixed("result", {"sent", "retry", "dead"})},
         "Attempts to send a bundle to the EHR by result; dead means dead-lettered (this instance)",
         "fhir status"},
        {"janus_hipaa_fhir_bundles_not_built_total",
         kCounter,
         {fixed("reason", {"kept_unavailable", "too_large"})},
         "Send attempts stopped before any HTTP: the visit's kept chat and documents could not be read from the "
         "recorder (retried), or the bundle exceeded max_bundle_mib (dead) (this instance)",
         "fhir status"},
        {"janus_hipaa_fhir_database_errors_total",
         kCounter,
         {},
         "Outbox database errors of the workers",
         "fhir status"},
    };
}

bool matches(std::string_view value, size_t maxLen, std::string_view extra) {
    if (value.empty() || value.size() > maxLen) return false;
    for (char c : value) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  extra.find(c) != std::string_view::npos;
        if (!ok) return false;
    }
    return true;
}

}  // namespace

const std::vector<MetricDef>& MetricCatalog::all() {
    static const std::vector<MetricDef> kAll = catalog();
    return kAll;
}

const MetricDef* MetricCatalog::find(std::string_view name) {
    for (const MetricDef& d : all())
        if (d.name == name) return &d;
    return nullptr;
}

bool MetricCatalog::allowed(const LabelDef& label, std::string_view value) {
    switch (label.kind) {
        case LabelDef::Kind::Fixed:
            for (std::string_view v : label.values)
                if (v == value) return true;
            return false;
        case LabelDef::Kind::AdminName:
            return matches(value, 64, "_.-");
        case LabelDef::Kind::Version:
            return matches(value, 32, ".+~-");
    }
    return false;
}

std::string MetricCatalog::fold(std::string_view name, std::string_view label, std::string_view value) {
    const MetricDef* d = find(name);
    if (!d) throw std::logic_error("metric not in the catalog: " + std::string(name));
    for (const LabelDef& l : d->labels)
        if (l.name == label) return std::string(allowed(l, value) ? value : "other");
    throw std::logic_error(std::string(name) + " has no label " + std::string(label));
}

}  // namespace hipaa::metrics

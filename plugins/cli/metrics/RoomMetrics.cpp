// SPDX-License-Identifier: GPL-3.0-or-later
// janus.plugin.hipaa.room: info, list, stats (docs/room.md, Admin API).
#include "MetricCatalog.hpp"
#include "PluginMetrics.hpp"

#include <string>
#include <vector>

namespace hipaa::metrics {
namespace {

struct RoomCounter {
    std::string_view key;     // in the room's stats.counters
    std::string_view metric;  // empty: known, shown from `info` instead
    std::string_view label = {};
    std::string_view value = {};
};

const std::vector<RoomCounter>& roomCounters() {
    static const std::vector<RoomCounter> kCounters{
        {"joins_ok", "janus_hipaa_room_joins_total", "outcome", "accepted"},
        {"joins_refused", "janus_hipaa_room_joins_total", "outcome", "refused"},
        {"audit_refusals", "janus_hipaa_room_audit_refusals_total"},
        {"lockouts", "janus_hipaa_room_lockouts_total", "scope", "subject"},
        {"lockouts_session", "janus_hipaa_room_lockouts_total", "scope", "session"},
        {"role_denials", "janus_hipaa_room_role_denials_total"},
        {"notes", "janus_hipaa_room_notes_total", "outcome", "accepted"},
        {"notes_refused", "janus_hipaa_room_notes_total", "outcome", "refused"},
        {"visits_ended", "janus_hipaa_room_visits_ended_total"},
        {"visits_ended_unsealed", "janus_hipaa_room_visits_ended_unsealed_total"},
        {"recordings_started", "janus_hipaa_room_recordings_started_total"},
        {"recordings_failed", "janus_hipaa_room_recording_start_failures_total"},
        {"recordings_stop_failed", "janus_hipaa_room_recording_stop_failures_total"},
        {"subscriptions", "janus_hipaa_room_subscriptions_total", "outcome", "accepted"},
        {"subscriptions_refused", "janus_hipaa_room_subscriptions_total", "outcome", "refused"},
        {"publications", "janus_hipaa_room_publications_total", "kind", "new"},
        {"publications_renegotiated", "janus_hipaa_room_publications_total", "kind", "renegotiated"},
        {"screen_shares", "janus_hipaa_room_screen_shares_total", "action", "started"},
        {"screen_shares_stopped", "janus_hipaa_room_screen_shares_total", "action", "stopped"},
        {"ice_restarts", "janus_hipaa_room_ice_restarts_total"},
        {"mutes", "janus_hipaa_room_mutes_total", "action", "mute"},
        {"unmutes", "janus_hipaa_room_mutes_total", "action", "unmute"},
        {"revocations", "janus_hipaa_room_revoke_requests_total"},
        // Revocations heard from the shared store, and revoke requests it could not take (468).
        {"revocations_shared", ""},
        {"revocations_refused", ""},
        // The media path's own counts in `info` are the complete ones (relay, Janus callbacks).
        {"chat_messages", ""},
        {"chat_dropped", ""},
        {"chat_events", ""},
        {"slow_links", ""},
        {"recording_failures", ""},
        // Data channel messages from the waiting room (484): each reported as a refusal event already.
        {"data_refused_waiting", ""},
        // Kept chats that could not be kept: each a chat_unkept event (and counted in recording_failures).
        {"chat_unkept", ""},
    };
    return kCounters;
}

constexpr std::string_view kRefusedPrefix = "refused_";

Labels labelsOf(const RoomCounter& c) {
    if (c.label.empty()) return {};
    return {{std::string(c.label), std::string(c.value)}};
}

void roomFromInfo(const json_t* info, MetricSet& out) {
    setField(out, "janus_hipaa_room_sessions", info, "sessions");
    setField(out, "janus_hipaa_room_publishers", info, "publishers");
    setField(out, "janus_hipaa_room_relayed_packets_total", info, "relayed_packets");
    setField(out, "janus_hipaa_room_chat_messages_relayed_total", info, "chat_messages_relayed");
    setField(out, "janus_hipaa_room_chat_messages_dropped_total", info, "chat_messages_dropped");
    setField(out, "janus_hipaa_room_slow_links_total", info, "slow_links");
    setField(out, "janus_hipaa_room_recording_failures_total", info, "recording_failures");
    setField(out, "janus_hipaa_room_development_mode", info, "development");
    setField(out, "janus_hipaa_room_dob_key_loaded", info, "dob_key_loaded");
    if (const json_t* keys = json_object_get(info, "keys"); json_is_array(keys)) {
        constexpr const char* kName = "janus_hipaa_room_signing_keys";
        for (const char* alg : {"ES256", "EdDSA", "RS256", "HS256"}) out.set(kName, {{"alg", alg}}, 0);
        size_t i;
        const json_t* k;
        json_array_foreach(keys, i, k) {
            std::string alg(jsonString(k, "alg").value_or(""));
            out.add(kName, {{"alg", MetricCatalog::fold(kName, "alg", alg)}}, 1);
        }
    }
}

void fromList(const json_t* list, MetricSet& out) {
    const json_t* rooms = json_object_get(list, "rooms");
    if (!json_is_array(rooms)) return;
    constexpr const char* kRooms = "janus_hipaa_room_rooms";
    constexpr const char* kParticipants = "janus_hipaa_room_participants";
    for (const char* state : {"active", "ended"}) out.set(kRooms, {{"class", "default"}, {"state", state}}, 0);
    for (const char* state : {"admitted", "waiting"}) out.set(kParticipants, {{"state", state}}, 0);
    size_t i;
    const json_t* r;
    json_array_foreach(rooms, i, r) {
        std::string cls = MetricCatalog::fold(kRooms, "class", jsonString(r, "class").value_or(""));
        bool ended = jsonBool(r, "ended").value_or(false);
        out.add(kRooms, {{"class", cls}, {"state", ended ? "ended" : "active"}}, 1);
        out.add(kParticipants, {{"state", "admitted"}}, numberField(r, "participants").value_or(0));
        out.add(kParticipants, {{"state", "waiting"}}, numberField(r, "waiting").value_or(0));
    }
}

void roomFromStats(const json_t* stats, MetricSet& out) {
    setField(out, "janus_hipaa_room_replay_cache_entries", stats, "replay_cache");
    setField(out, "janus_hipaa_room_revocations_active", stats, "revocations");
    json_t* counters = json_object_get(stats, "counters");
    if (!json_is_object(counters)) return;
    for (const RoomCounter& c : roomCounters())
        if (!c.metric.empty())
            out.add(c.metric, labelsOf(c), numberField(counters, std::string(c.key).c_str()).value_or(0));
    constexpr const char* kRefusals = "janus_hipaa_room_join_refusals_total";
    for (std::string_view reason : MetricCatalog::find(kRefusals)->labels.front().values)
        out.set(kRefusals, {{"reason", std::string(reason)}}, 0);
    const char* key;
    json_t* value;
    json_object_foreach(counters, key, value) {
        std::string_view k(key);
        if (k.substr(0, kRefusedPrefix.size()) != kRefusedPrefix || !json_is_integer(value)) continue;
        std::string reason = MetricCatalog::fold(kRefusals, "reason", k.substr(kRefusedPrefix.size()));
        out.add(kRefusals, {{"reason", reason}}, static_cast<double>(json_integer_value(value)));
    }
}

}  // namespace

bool roomCounterKnown(std::string_view key) {
    if (key.substr(0, kRefusedPrefix.size()) == kRefusedPrefix) return true;
    for (const RoomCounter& c : roomCounters())
        if (c.key == key) return true;
    return false;
}

void roomMetrics(PluginAdmin& admin, const json_t* info, MetricSet& out) {
    roomFromInfo(info, out);
    if (JsonPtr list = admin.ask("list")) fromList(list.get(), out);
    if (JsonPtr stats = admin.ask("stats")) roomFromStats(stats.get(), out);
}

}  // namespace hipaa::metrics

// SPDX-License-Identifier: GPL-3.0-or-later
#include "RoomDirectory.hpp"

#include "hipaa/Errors.hpp"

#include <charconv>

namespace hipaa::room {
namespace {

constexpr auto kRetryAfter = std::chrono::seconds(1);
constexpr const char* kEpochUs = "(extract(epoch FROM %s) * 1000000)::bigint";

int64_t toInt(std::string_view v) {
    int64_t n = 0;
    std::from_chars(v.data(), v.data() + v.size(), n);
    return n;
}

std::string epochUs(const char* column) {
    std::string s(kEpochUs);
    return s.replace(s.find("%s"), 2, column);
}

std::vector<RoomDirectory::Ended> endedRows(const PgResult& r) {
    std::vector<RoomDirectory::Ended> out;
    out.reserve(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) out.push_back({std::string(r.value(i, 0)), std::string(r.value(i, 1))});
    return out;
}

}  // namespace

RoomDirectory::RoomDirectory(std::string conninfo, std::string instanceId, std::string publicUrl, int64_t deadAfterS)
    : conninfo_(std::move(conninfo)),
      instanceId_(std::move(instanceId)),
      publicUrl_(std::move(publicUrl)),
      deadAfter_(std::to_string(deadAfterS)) {}

PgConn& RoomDirectory::conn() {
    if (conn_ && conn_->ok()) return *conn_;
    conn_.reset();
    if (failedAt_ && std::chrono::steady_clock::now() - *failedAt_ < kRetryAfter)
        throw DbError("room directory unreachable (retrying)", "08006");
    try {
        // Short timeouts: a join or an Admin request waits for these at most.
        conn_ = PgConn::connect({conninfo_, 2, 2000, "janus-hipaa-room-directory"});
    } catch (const DbError&) {
        failedAt_ = std::chrono::steady_clock::now();  // after the attempt: a stalled one took seconds
        throw;
    }
    failedAt_.reset();
    return *conn_;
}

template <typename F>
auto RoomDirectory::run(F&& fn) {
    std::lock_guard lock(mutex_);
    PgConn& c = conn();
    try {
        return fn(c);
    } catch (const DbError&) {
        if (!c.ok()) conn_.reset();
        throw;
    }
}

std::vector<RoomDirectory::Ended> RoomDirectory::start() {
    return run([&](PgConn& c) {
        return c.transaction([&](PgConn& t) {
            t.execParams(
                "INSERT INTO room_instance (instance_id, public_url, started, last_heartbeat) "
                "VALUES ($1, $2, now(), now()) ON CONFLICT (instance_id) DO UPDATE "
                "SET public_url = EXCLUDED.public_url, started = now(), last_heartbeat = now()",
                {instanceId_, publicUrl_});
            return endedRows(
                t.execParams("UPDATE room_directory SET ended = now(), end_reason = 'abnormal' "
                             "WHERE instance_id = $1 AND ended IS NULL RETURNING room_id, instance_id",
                             {instanceId_}));
        });
    });
}

RoomDirectory::ClaimResult RoomDirectory::claim(const std::string& room, const std::string& className) {
    return run([&](PgConn& c) {
        // Two tries: a live row that ends between the insert and the read is gone on the second.
        for (int attempt = 0; attempt < 2; ++attempt) {
            PgResult ins = c.execParams(
                "INSERT INTO room_directory (room_id, instance_id, public_url, class) VALUES ($1, $2, $3, $4) "
                "ON CONFLICT (room_id) WHERE ended IS NULL DO NOTHING RETURNING id",
                {room, instanceId_, publicUrl_, className});
            if (ins.rows() == 1) return ClaimResult{Claim::Claimed, {instanceId_, publicUrl_}};
            PgResult cur = c.execParams(
                "SELECT instance_id, public_url FROM room_directory WHERE room_id = $1 AND ended IS NULL", {room});
            if (cur.rows() == 0) continue;
            Host h{std::string(cur.value(0, 0)), std::string(cur.value(0, 1))};
            return ClaimResult{h.instanceId == instanceId_ ? Claim::AlreadyMine : Claim::Elsewhere, h};
        }
        throw DbError("room directory: the room's row kept changing", "40001");
    });
}

void RoomDirectory::end(const std::string& room, const std::string& reason) {
    run([&](PgConn& c) {
        c.execParams(
            "UPDATE room_directory SET ended = now(), end_reason = $3 "
            "WHERE room_id = $1 AND instance_id = $2 AND ended IS NULL",
            {room, instanceId_, reason});
        return 0;
    });
}

void RoomDirectory::endAll(const std::string& reason) {
    run([&](PgConn& c) {
        c.execParams(
            "UPDATE room_directory SET ended = now(), end_reason = $2 WHERE instance_id = $1 AND ended IS NULL",
            {instanceId_, reason});
        return 0;
    });
}

std::optional<RoomDirectory::Host> RoomDirectory::lookup(const std::string& room) {
    return run([&](PgConn& c) -> std::optional<Host> {
        PgResult r = c.execParams(
            "SELECT d.instance_id, d.public_url, d.class FROM room_directory d "
            "JOIN room_instance i ON i.instance_id = d.instance_id "
            "WHERE d.room_id = $1 AND d.ended IS NULL "
            "AND i.last_heartbeat >= now() - make_interval(secs => $2::int)",
            {room, deadAfter_});
        if (r.rows() == 0) return std::nullopt;
        return Host{std::string(r.value(0, 0)), std::string(r.value(0, 1)), std::string(r.value(0, 2))};
    });
}

void RoomDirectory::heartbeat() {
    run([&](PgConn& c) {
        PgResult r =
            c.execParams("UPDATE room_instance SET last_heartbeat = now() WHERE instance_id = $1", {instanceId_});
        if (r.affected() == 0)  // the row went (an operator cleaned up): register again
            c.execParams(
                "INSERT INTO room_instance (instance_id, public_url) VALUES ($1, $2) "
                "ON CONFLICT (instance_id) DO UPDATE SET last_heartbeat = now()",
                {instanceId_, publicUrl_});
        return 0;
    });
}

std::vector<std::string> RoomDirectory::lost(const std::vector<std::string>& rooms) {
    return run([&](PgConn& c) {
        PgResult r = c.execParams(
            "SELECT r FROM unnest($1::text[]) r WHERE NOT EXISTS (SELECT 1 FROM room_directory d "
            "WHERE d.room_id = r AND d.instance_id = $2 AND d.ended IS NULL)",
            {PgParam::textArray(rooms), instanceId_});
        std::vector<std::string> out;
        out.reserve(static_cast<size_t>(r.rows()));
        for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.value(i, 0));
        return out;
    });
}

std::vector<RoomDirectory::Ended> RoomDirectory::reapDead() {
    return run([&](PgConn& c) {
        // Several instances may reap at once: each row is ended (and reported) by exactly one.
        return endedRows(c.execParams(
            "UPDATE room_directory d SET ended = now(), end_reason = 'abnormal' FROM room_instance i "
            "WHERE d.ended IS NULL AND d.instance_id = i.instance_id AND d.instance_id <> $1 "
            "AND i.last_heartbeat < now() - make_interval(secs => $2::int) RETURNING d.room_id, d.instance_id",
            {instanceId_, deadAfter_}));
    });
}

std::vector<RoomDirectory::Entry> RoomDirectory::list(const Filter& filter, bool& truncated) {
    return run([&](PgConn& c) {
        PgResult r = c.execParams(
            "SELECT room_id, instance_id, public_url, class, " + epochUs("created") + ", " + epochUs("ended") +
                ", coalesce(end_reason, '') FROM room_directory "
                "WHERE ($1 = '' OR instance_id = $1) AND (NOT $2::boolean OR ended IS NULL) "
                "ORDER BY created DESC, id DESC LIMIT $3::int",
            {filter.instanceId, filter.liveOnly ? "true" : "false", std::to_string(filter.limit + 1)});
        std::vector<Entry> out;
        for (int i = 0; i < r.rows() && i < filter.limit; ++i) {
            Entry e{std::string(r.value(i, 0)), std::string(r.value(i, 1)), std::string(r.value(i, 2)),
                    std::string(r.value(i, 3)), toInt(r.value(i, 4)),       std::nullopt,
                    std::string(r.value(i, 6))};
            if (!r.isNull(i, 5)) e.endedUs = toInt(r.value(i, 5));
            out.push_back(std::move(e));
        }
        truncated = r.rows() > filter.limit;
        return out;
    });
}

std::vector<RoomDirectory::Instance> RoomDirectory::instances() {
    return run([&](PgConn& c) {
        PgResult r =
            c.execParams("SELECT instance_id, public_url, " + epochUs("started") + ", " + epochUs("last_heartbeat") +
                             ", last_heartbeat >= now() - make_interval(secs => $1::int) "
                             "FROM room_instance ORDER BY instance_id LIMIT 1000",
                         {deadAfter_});
        std::vector<Instance> out;
        out.reserve(static_cast<size_t>(r.rows()));
        for (int i = 0; i < r.rows(); ++i)
            out.push_back({std::string(r.value(i, 0)), std::string(r.value(i, 1)), toInt(r.value(i, 2)),
                           toInt(r.value(i, 3)), r.value(i, 4) == "t"});
        return out;
    });
}

}  // namespace hipaa::room

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Leases on recordings in the clinic's PostgreSQL (table recorder_lease, sql/300): one row per
// recording, so one instance at a time writes it (`open`), sweeps it (`sweep`) or changes it (`op`).
// A lease is a row with an expiry taken by one autocommit INSERT ... ON CONFLICT DO UPDATE WHERE
// expired, not a row lock: no transaction stays open across a long deletion, a crashed instance's
// lease simply lapses, and expiry uses the database's clock (one clock for every instance).
// Thread-safe (one connection, one statement at a time). Every database failure throws
// RequestError 431 (cluster_unavailable) without PostgreSQL's text; the connection is rebuilt next call.
#include "hipaa/PgConn.hpp"

#include <chrono>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>

namespace hipaa::recorder {

enum class LeaseKind { Open, Sweep, Op };
const char* leaseKindName(LeaseKind kind);

struct LeaseHolder {
    std::string owner, kind;
};

class RecordingLeases {
public:
    RecordingLeases(std::string conninfo, std::string instanceId, std::chrono::milliseconds ttl);

    // Takes the lease: nullopt when taken, else who holds a live one (this instance too: leases do
    // not nest).
    std::optional<LeaseHolder> acquire(const std::string& recording, LeaseKind kind);
    // Gives back a lease this instance holds (no-op when it lapsed and someone else took it).
    void release(const std::string& recording, LeaseKind kind);
    // Extends every lease this instance holds by the ttl; returns those it no longer holds (they
    // lapsed and another instance took them), which are forgotten.
    std::set<std::string> renew();
    // Drops every lease of this instance id left by an earlier run of it (that run's work is over).
    void releaseLeftovers();
    // Drops every lease of this instance (clean shutdown).
    void releaseAll();
    std::optional<LeaseHolder> holder(const std::string& recording);
    const std::string& instanceId() const { return instanceId_; }
    std::chrono::milliseconds ttl() const { return ttl_; }
    size_t held() const;

private:
    template <typename F>
    auto withConn(F&& fn);

    PgConn::Options options_;
    std::string instanceId_;
    std::chrono::milliseconds ttl_;
    mutable std::mutex mutex_;
    std::optional<PgConn> conn_;
    std::set<std::pair<std::string, std::string>> held_;  // (recording, kind)
};

}  // namespace hipaa::recorder

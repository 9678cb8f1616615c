// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The audit handler in a real Janus (its generated config, its Admin API), for the tests of every
// area that run it against a real PostgreSQL database.
#include "ConfigEdit.hpp"
#include "JanusClient.hpp"
#include "JanusProcess.hpp"
#include "Shell.hpp"
#include "TempDir.hpp"

#include "hipaa/Json.hpp"

#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>

namespace hipaa::test {

// Rewrites `key = ...` in the generated audit .jcfg.
inline void setAuditKey(JanusProcess& janus, const std::string& key, const std::string& value) {
    setConfigKey(janus, "janus.eventhandler.hipaa.audit.jcfg", key, value);
}

inline JsonPtr auditRequest(JanusClient& client, const std::string& body) {
    return client.queryHandler("janus.eventhandler.hipaa.audit", J(body).get());
}

// Polls `stats` until `pred` holds (or the timeout passes); returns the last answer.
inline JsonPtr waitStats(JanusClient& client, const std::function<bool(const json_t*)>& pred,
                         std::chrono::seconds timeout = std::chrono::seconds(30)) {
    auto end = std::chrono::steady_clock::now() + timeout;
    JsonPtr s;
    while (std::chrono::steady_clock::now() < end) {
        s = auditRequest(client, R"({"request":"stats"})");
        if (pred(s.get())) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return s;
}

inline int64_t statInt(const json_t* s, const char* k) { return jsonInt(s, k).value_or(-1); }

// Settled: every event received is chained (or refused), every chained record is committed, nothing
// spooled, database connected.
inline bool settled(const json_t* s) {
    const json_t* ev = json_object_get(s, "events");
    return jsonInt(ev, "received").value_or(-1) ==
               jsonInt(ev, "processed").value_or(-2) + jsonInt(ev, "refused_queue_full").value_or(0) &&
           statInt(s, "committed_seq") == statInt(s, "head_seq") && statInt(s, "queued") == 0 &&
           statInt(s, "spool_frames") == 0 && jsonBool(s, "db_connected").value_or(false);
}

// scripts/audit-verify (with the audit-verify of this build) run with `args`: its exit status and
// its JSON answer (stderr dropped).
inline Shell::Result auditVerify(const std::string& args) {
    return Shell::run(std::string("AUDIT_VERIFY_BIN=") + HIPAA_BUILD_DIR + "/plugins/audit/audit-verify bash " +
                      HIPAA_SOURCE_DIR + "/scripts/audit-verify " + args + " 2>/dev/null");
}

}  // namespace hipaa::test

#pragma once
// Real Janus with our audit handler pointed at a real PostgreSQL database.
#include "JanusClient.hpp"
#include "JanusProcess.hpp"

#include "hipaa/Json.hpp"
#include "hipaa/PgConn.hpp"

#include <chrono>
#include <fstream>
#include <functional>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>

namespace hipaa::test {

inline std::string readText(const std::string& path) {
    std::ifstream in(path);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Rewrites `key = ...` in the generated audit .jcfg.
inline void setAuditKey(JanusProcess& janus, const std::string& key, const std::string& value) {
    std::string file = "janus.eventhandler.hipaa.audit.jcfg";
    std::istringstream in(readText(janus.configFile(file)));
    std::string line, out;
    bool done = false;
    while (std::getline(in, line)) {
        size_t i = line.find_first_not_of(" \t#");
        if (!done && i != std::string::npos && line.compare(i, key.size() + 3, key + " = ") == 0) {
            line = "\t" + key + " = " + value;  // also enables a commented-out sample line
            done = true;
        }
        out += line + "\n";
    }
    if (!done) throw std::runtime_error("audit config has no key " + key);
    janus.writeConfig(file, out);
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
    return jsonInt(ev, "received").value_or(-1) == jsonInt(ev, "processed").value_or(-2) + jsonInt(ev, "refused_queue_full").value_or(0) &&
           statInt(s, "committed_seq") == statInt(s, "head_seq") && statInt(s, "queued") == 0 && statInt(s, "spool_frames") == 0 &&
           jsonBool(s, "db_connected").value_or(false);
}

inline std::string scalar(PgConn& c, const std::string& sql) { return std::string(c.exec(sql).value(0, 0)); }

}  // namespace hipaa::test

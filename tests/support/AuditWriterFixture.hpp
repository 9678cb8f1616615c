// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The audit writer on its own (no Janus) against the test database, for the audit integration tests.
#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "AuditWriter.hpp"
#include "TempDir.hpp"
#include "TestDatabase.hpp"

namespace hipaa::test {

// Keeps a session event's name: what the writers under test chain.
inline constexpr const char* kSessionPolicy = R"(
envelope: { keep = ["type", "timestamp", "session_id"] }
session: { type = 1  keep = ["event.name"] }
)";

// A writer on the test database, logged in as production's handler is (a member of janus_audit_writer
// only, with its password), with a 50 ms retry; batch size, checkpoints and queue per test.
inline audit::AuditWriterOptions writerOptions(TestDatabase& db, const TempDir& dir, const std::string& instance,
                                               size_t batchSize, int64_t checkpointEvery,
                                               size_t queueCapacity = audit::AuditWriterOptions{}.queueCapacity) {
    audit::AuditWriterOptions o;
    o.instanceId = instance;
    o.database = PgConn::Options{db.loginConninfo("janus_audit_writer")};
    o.spoolDir = dir.file("spool");
    o.spoolKey = Bytes(32, 1);
    o.batchSize = batchSize;
    o.checkpointEvery = checkpointEvery;
    o.retryInterval = std::chrono::milliseconds(50);
    o.queueCapacity = queueCapacity;
    return o;
}

// Polls `done` for up to 30 s.
inline bool waitFor(const std::function<bool()>& done) {
    for (int i = 0; i < 3000; ++i) {
        if (done()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return done();
}

}  // namespace hipaa::test

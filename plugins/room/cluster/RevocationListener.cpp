// SPDX-License-Identifier: GPL-3.0-or-later
#include "RevocationListener.hpp"

#include "hipaa/PgConn.hpp"

#include <poll.h>

#include <ctime>
#include <optional>

namespace hipaa::room {
namespace {

constexpr int kPage = 1000;

}  // namespace

RevocationListener::RevocationListener(std::string conninfo, Deliver deliver, std::chrono::milliseconds pollEvery)
    : conninfo_(std::move(conninfo)), deliver_(std::move(deliver)), pollEvery_(pollEvery) {}

RevocationListener::~RevocationListener() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
}

void RevocationListener::start() {
    thread_ = std::thread([this] { loop(); });
}

void RevocationListener::loop() {
    using Clock = StoreBackoff::Clock;
    std::optional<PgConn> conn;
    auto nextPoll = Clock::now();
    bool due = true;
    while (!stop_) {
        try {
            if (!conn || !conn->ok()) {
                conn.reset();
                listening_ = false;
                if (!backoff_.mayTry(Clock::now())) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(100));
                    continue;
                }
                conn.emplace(PgConn::connect({.conninfo = conninfo_,
                                              .connectTimeoutSeconds = 2,
                                              .statementTimeoutMs = 5000,
                                              .applicationName = "janus-hipaa-room-listener"}));
                conn->exec("LISTEN janus_room_revocation");
                listening_ = true;
                ++reconnects_;
                backoff_.succeeded();
                due = true;  // what was stored while nobody listened
            }
            if (due || Clock::now() >= nextPoll) {
                for (;;) {
                    PgResult r = conn->execParams(
                        "SELECT id, kind, target, until_s FROM public.room_revocation WHERE id > $1 AND until_s >= $2 "
                        "ORDER BY id LIMIT " +
                            std::to_string(kPage),
                        {std::to_string(lastId_), std::to_string(std::time(nullptr))});
                    for (int i = 0; i < r.rows(); ++i) {
                        lastId_ = std::stoll(std::string(r.value(i, 0)));
                        deliver_({.kind = std::string(r.value(i, 1)),
                                  .target = std::string(r.value(i, 2)),
                                  .until = std::stoll(std::string(r.value(i, 3))),
                                  .by = {},
                                  .reason = {}});
                        ++delivered_;
                    }
                    if (r.rows() < kPage) break;
                }
                due = false;
                nextPoll = Clock::now() + pollEvery_;
            }
            // Short waits, so a stop is quick; any notification means "read again" (its payload, an
            // id, is not trusted to be the only new one).
            pollfd p{PQsocket(conn->raw()), POLLIN, 0};
            if (poll(&p, 1, 100) > 0) {
                if (!PQconsumeInput(conn->raw())) {
                    conn.reset();
                    continue;
                }
                while (PGnotify* n = PQnotifies(conn->raw())) {
                    PQfreemem(n);
                    due = true;
                }
            }
        } catch (const std::exception&) {
            conn.reset();
            listening_ = false;
            backoff_.failed(Clock::now());
        }
    }
}

}  // namespace hipaa::room

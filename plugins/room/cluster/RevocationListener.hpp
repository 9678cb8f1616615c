// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Hears revocations other instances (and this one) store: a thread with its own connection LISTENs on
// janus_room_revocation and, on a notification, reads the revocations after the last one it saw and
// hands each (still in force) to `deliver` (the room queues it for its worker, which ends the live
// sessions it names). After a reconnect (a notification may have been missed) and every `pollEvery`
// it reads them too. Retries the connection with backoff; never throws from its thread.
#include "SharedTokenState.hpp"
#include "StoreBackoff.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

namespace hipaa::room {

class RevocationListener {
public:
    using Deliver = std::function<void(const SharedTokenState::Revocation&)>;
    RevocationListener(std::string conninfo, Deliver deliver,
                       std::chrono::milliseconds pollEvery = std::chrono::seconds(10));
    ~RevocationListener();  // stops the thread (within about 100 ms)
    RevocationListener(const RevocationListener&) = delete;
    RevocationListener& operator=(const RevocationListener&) = delete;

    void start();
    bool listening() const { return listening_.load(); }
    uint64_t delivered() const { return delivered_.load(); }
    uint64_t reconnects() const { return reconnects_.load(); }

private:
    void loop();
    std::string conninfo_;
    Deliver deliver_;
    std::chrono::milliseconds pollEvery_;
    StoreBackoff backoff_{std::chrono::milliseconds(250), std::chrono::seconds(5)};
    int64_t lastId_ = 0;
    std::atomic<bool> stop_{false}, listening_{false};
    std::atomic<uint64_t> delivered_{0}, reconnects_{0};
    std::thread thread_;
};

}  // namespace hipaa::room

// SPDX-License-Identifier: GPL-3.0-or-later
#include "OutboxWorker.hpp"

#include "FhirErrors.hpp"

#include "hipaa/Clock.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/SecureRandom.hpp"

#include <openssl/crypto.h>

namespace hipaa::fhir {

OutboxWorker::OutboxWorker(Options options, std::unique_ptr<Outbox> outbox, std::unique_ptr<FhirClient> client,
                           Logger log, std::shared_ptr<WorkerCounters> counters,
                           std::shared_ptr<const KeptAttacher> kept)
    : options_(options),
      outbox_(std::move(outbox)),
      client_(std::move(client)),
      log_(std::move(log)),
      counters_(std::move(counters)),
      kept_(std::move(kept)) {
    thread_ = std::thread([this] { run(); });
}

OutboxWorker::~OutboxWorker() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void OutboxWorker::wake() {
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    cv_.notify_all();
}

int64_t OutboxWorker::backoffMs(const Options& o, int attempt, uint64_t random) {
    int64_t d = o.backoffInitialMs;
    for (int i = 1; i < attempt && d < o.backoffMaxMs; ++i) d *= 2;
    d = std::min(d, o.backoffMaxMs);
    int64_t half = d / 2;
    return half + static_cast<int64_t>(random % static_cast<uint64_t>(d - half + 1));
}

std::optional<SendResult> OutboxWorker::prepare(const Outbox::Claimed& c, std::string& body) {
    try {
        body = kept_->complete(c.bundle, Clock::wallUs());
        return std::nullopt;
    } catch (const Error& e) {
        SendResult r;
        const int code = e.code();
        r.kind = code == errc::kKeptUnavailable ? SendResult::Kind::Retry : SendResult::Kind::Dead;
        // Our own messages for these two are PHI-free (codes and sizes); any other (a kept document
        // that does not verify, a stored bundle that does not parse) is named by its code only.
        if (code == errc::kKeptUnavailable)
            r.error = std::to_string(code) + " kept_records_unavailable: " + e.what();
        else if (code == errc::kBundleTooLarge)
            r.error = std::to_string(code) + " bundle_too_large: " + e.what();
        else
            r.error = "bundle not built: a kept document or the stored bundle does not verify (error " +
                      std::to_string(code) + ")";
        if (code == errc::kKeptUnavailable) counters_->keptUnavailable++;
        if (code == errc::kBundleTooLarge) counters_->tooLarge++;
        return r;
    }
}

bool OutboxWorker::drainOnce() {
    std::vector<Outbox::Claimed> batch = outbox_->claim(options_.batch, options_.leaseSeconds);
    for (auto& c : batch) {
        {
            std::lock_guard lock(mutex_);
            if (stop_) break;  // the lease expires; this or another instance sends it later
        }
        std::string body;
        std::optional<SendResult> refused = prepare(c, body);
        OPENSSL_cleanse(c.bundle.data(), c.bundle.size());
        SendResult r = refused ? std::move(*refused) : client_->sendTransaction(body);
        OPENSSL_cleanse(body.data(), body.size());
        bool dead = r.kind == SendResult::Kind::Dead ||
                    (r.kind == SendResult::Kind::Retry && c.attempt >= options_.maxAttempts);
        int64_t delay = r.kind == SendResult::Kind::Retry ? backoffMs(options_, c.attempt, secureRandomU64()) : 0;
        outbox_->finish(c, r, dead, delay);
        std::string what = "fhir: bundle " + std::to_string(c.id) + " (" + c.kind + ") attempt " +
                           std::to_string(c.attempt) + ": HTTP " + std::to_string(r.status);
        if (r.kind == SendResult::Kind::Sent) {
            counters_->sent++;
            log_.verbose(what + " sent, " + std::to_string(r.resourceIds.size()) + " resources");
        } else if (dead) {
            counters_->dead++;
            // The alert: a bundle needs a person (Admin API `pending`/`retry`); no PHI in the line.
            log_.error("ALERT " + what + " dead-lettered: " + r.error);
        } else {
            counters_->retried++;
            log_.warn(what + " failed (" + r.error + "), retry in " + std::to_string(delay) + " ms");
        }
    }
    return !batch.empty();
}

void OutboxWorker::run() {
    int64_t dbBackoff = 0;
    for (;;) {
        bool worked = false;
        try {
            worked = drainOnce();
            dbBackoff = 0;
        } catch (const Error& e) {
            // DbError messages may quote values: log only the class of failure.
            counters_->dbErrors++;
            outbox_->disconnect();
            const auto* db = dynamic_cast<const DbError*>(&e);
            log_.warn(std::string("fhir: outbox unavailable (") +
                      (db ? "SQLSTATE " + db->sqlstate() : "error " + std::to_string(e.code())) + "), retrying");
            dbBackoff = std::min<int64_t>(dbBackoff ? dbBackoff * 2 : 200, 5000);
        } catch (const std::exception&) {
            counters_->dbErrors++;
            outbox_->disconnect();
            log_.warn("fhir: outbox worker failure, retrying");
            dbBackoff = std::min<int64_t>(dbBackoff ? dbBackoff * 2 : 200, 5000);
        }
        std::unique_lock lock(mutex_);
        if (stop_) return;
        if (worked && !dbBackoff) continue;
        auto wait = std::chrono::milliseconds(dbBackoff ? dbBackoff : options_.pollIntervalMs);
        cv_.wait_for(lock, wait, [this] { return stop_ || woken_; });
        woken_ = false;
        if (stop_) return;
    }
}

}  // namespace hipaa::fhir

// SPDX-License-Identifier: GPL-3.0-or-later
#include "ChatKeeper.hpp"

#include "hipaa/ChatRecord.hpp"
#include "hipaa/DocumentRecord.hpp"
#include "hipaa/Errors.hpp"

#include <openssl/crypto.h>

#include <chrono>
#include <vector>

namespace hipaa::room {

ChatKeeper::ChatKeeper(const Sink& sink, ChatKeeperSettings settings, Logger log)
    : sink_(sink), settings_(std::move(settings)), log_(std::move(log)), queue_(settings_.capacity) {}

ChatKeeper::~ChatKeeper() {
    try {
        stop();
    } catch (const std::exception& e) {
        log_.error(std::string("chat keeper: stop at destruction failed: ") + e.what());
    }
}

void ChatKeeper::start() {
    auto sink = sink_.require();  // throws 350 when the recorder is not loaded
    recording_ = sink->start({RecordingStreamSpec{false, "chat", "chat", true}}, settings_.policy, settings_.context);
    running_.store(true);
    thread_ = std::thread([this] { run(); });
}

bool ChatKeeper::keep(const ChatSpeaker& from, const uint8_t* data, size_t length, int64_t nowUs) noexcept {
    // A keeper whose recording failed takes nothing more: what it would not keep is not relayed.
    if (!running_.load(std::memory_order_acquire) || failed_.load(std::memory_order_acquire) ||
        length > settings_.maxMessage) {
        refused_.fetch_add(1, std::memory_order_relaxed);
        return false;
    }
    try {
        Item item{from.pseudonym, from.role, nowUs, Bytes(data, data + length)};
        if (queue_.push(std::move(item))) {
            accepted_.fetch_add(1, std::memory_order_relaxed);
            return true;
        }
    } catch (...) {
        // out of memory: refused like a full queue
    }
    refused_.fetch_add(1, std::memory_order_relaxed);
    return false;
}

bool ChatKeeper::keepDocument(const ChatSpeaker& from, const std::string& mime, ByteView content,
                              const Digest256& sha256, int64_t nowUs) noexcept {
    try {
        if (running_.load(std::memory_order_acquire)) {
            auto job = std::make_shared<DocumentJob>();
            job->mime = mime;
            job->content = content;
            job->sha256 = sha256;
            std::future<bool> kept = job->done.get_future();
            if (queue_.push(Item{from.pseudonym, from.role, nowUs, {}, job})) return kept.get();
        }
    } catch (...) {
        // out of memory: not kept
    }
    return false;
}

bool ChatKeeper::writeDocument(Item& item) {
    DocumentJob& job = *item.document;
    DocumentRecord d;
    d.number = documents_;
    d.sender = item.sender;
    d.role = item.role;
    d.sentMs = static_cast<uint64_t>(item.nowUs > 0 ? item.nowUs / 1000 : 0);
    d.mime = job.mime;
    d.size = job.content.size();
    d.sha256 = job.sha256;
    std::optional<std::vector<Bytes>> records = d.encode(job.content);
    if (!records) return false;
    bool ok = true;
    {
        auto sink = sink_.acquire();
        for (auto& r : *records) {
            ok = ok && sink && sink->write(recording_, 0, r.data(), r.size()) == RecordingSink::Write::Recorded;
            OPENSSL_cleanse(r.data(), r.size());
        }
    }
    // Numbered in the stream even when cut short: a reader finds the gap, never a partial document.
    ++documents_;
    return ok;
}

void ChatKeeper::run() {
    std::vector<Item> batch;
    for (;;) {
        batch.clear();
        bool more = queue_.popBatch(batch, 64, std::chrono::milliseconds(200));
        for (auto& item : batch) write(item);
        if (!more) return;
    }
}

void ChatKeeper::write(Item& item) {
    if (item.document) {
        if (failed_) {  // the stream's file failed: nothing more is kept
            item.document->done.set_value(false);
            return;
        }
        bool ok = false;
        try {
            ok = writeDocument(item);
        } catch (...) {
            // out of memory encoding it: not kept (the desk waiting for the answer must get one)
        }
        if (!ok) {
            lost_.fetch_add(1, std::memory_order_relaxed);
            report("write_failed");
        } else {
            kept_.fetch_add(1, std::memory_order_relaxed);
        }
        item.document->done.set_value(ok);
        return;
    }
    ChatRecord record{std::move(item.sender), std::move(item.role),
                      static_cast<uint64_t>(item.nowUs > 0 ? item.nowUs / 1000 : 0),
                      std::string(item.text.begin(), item.text.end())};
    OPENSSL_cleanse(item.text.data(), item.text.size());
    std::optional<Bytes> bytes = record.encode();
    OPENSSL_cleanse(record.text.data(), record.text.size());
    RecordingSink::Write result = RecordingSink::Write::Refused;
    if (bytes) {
        auto sink = sink_.acquire();
        if (sink) result = sink->write(recording_, 0, bytes->data(), bytes->size());
        OPENSSL_cleanse(bytes->data(), bytes->size());
    }
    if (result == RecordingSink::Write::Recorded) {
        kept_.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    lost_.fetch_add(1, std::memory_order_relaxed);
    report("write_failed");
}

void ChatKeeper::report(const char* reason) {
    if (failed_.exchange(true, std::memory_order_acq_rel)) return;
    log_.error(std::string("chat keeper: a kept message could not be written (") + reason + ")");
    if (!settings_.onFailure) return;
    try {
        settings_.onFailure(reason, recording_);
    } catch (const std::exception& e) {
        log_.error(std::string("chat keeper: failure report lost: ") + e.what());
    }
}

std::string ChatKeeper::stop() {
    std::lock_guard lock(stopMutex_);
    if (stopped_ || recording_.empty()) return recording_;
    stopped_ = true;
    running_.store(false, std::memory_order_release);
    queue_.close();
    if (thread_.joinable()) thread_.join();  // everything accepted is written first
    try {
        auto sink = sink_.require();
        if (!sink->stop(recording_).sealed) report("write_failed");
    } catch (const std::exception& e) {
        log_.error(std::string("chat keeper: recorder stop failed: ") + e.what());
        failed_ = false;
        report("stop_failed");
    }
    return recording_;
}

ChatKeeper::Stats ChatKeeper::stats() const { return {accepted_.load(), refused_.load(), kept_.load(), lost_.load()}; }

}  // namespace hipaa::room

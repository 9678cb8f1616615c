// SPDX-License-Identifier: GPL-3.0-or-later
#include "ChatKeeper.hpp"

#include "hipaa/ChatRecord.hpp"
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
    if (!running_.load(std::memory_order_acquire) || length > settings_.maxMessage) {
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
    if (failed_) return;
    failed_ = true;
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

// SPDX-License-Identifier: GPL-3.0-or-later
#include "DocumentDesk.hpp"

#include "RoomErrors.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <chrono>

namespace hipaa::room {

DocumentDesk::DocumentDesk(DocumentDeskSettings settings, Logger log)
    : settings_(std::move(settings)), log_(std::move(log)), queue_(settings_.capacity) {
    thread_ = std::thread([this] { run(); });
}

DocumentDesk::~DocumentDesk() { stop(); }

void DocumentDesk::stop() {
    std::lock_guard lock(stopMutex_);
    if (stopped_) return;
    stopped_ = true;
    queue_.close();
    thread_.join();
    for (auto& [session, s] : senders_)
        if (auto r = s.assembler->abandon()) refuse(session, s.from, r->code, r->reason);
    senders_.clear();
}

bool DocumentDesk::frame(SessionId session, const ChatSpeaker& from, const uint8_t* data, size_t length) noexcept {
    try {
        if (queue_.push(Item{Item::Kind::Frame, session, from, Bytes(data, data + length)})) return true;
        std::lock_guard lock(busyMutex_);
        busy_.emplace(session, from);
        busyPending_.store(true, std::memory_order_release);
    } catch (...) {
        // out of memory: the transfer is lost like one the full queue refused (not reported)
    }
    return false;
}

void DocumentDesk::gone(SessionId session) noexcept {
    try {
        queue_.push(Item{Item::Kind::Gone, session, {}, {}});
    } catch (...) {
    }
}

void DocumentDesk::drain() {
    uint64_t ticket;
    {
        std::lock_guard lock(drainMutex_);
        ticket = ++drainAsked_;
    }
    while (!queue_.push(Item{Item::Kind::Drain, 0, {}, {}})) {
        {
            std::lock_guard lock(stopMutex_);
            if (stopped_) return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::unique_lock lock(drainMutex_);
    drainCv_.wait(lock, [&] { return drainDone_ >= ticket; });
}

void DocumentDesk::run() {
    std::vector<Item> batch;
    for (;;) {
        batch.clear();
        bool more = queue_.popBatch(batch, 64, std::chrono::milliseconds(200));
        for (auto& item : batch) {
            if (busyPending_.exchange(false, std::memory_order_acq_rel)) {
                std::map<SessionId, ChatSpeaker> busy;
                {
                    std::lock_guard lock(busyMutex_);
                    busy.swap(busy_);
                }
                for (auto& [session, from] : busy) {
                    auto it = senders_.find(session);
                    if (it != senders_.end()) {
                        it->second.assembler->abandon();
                        it->second.skipping = true;
                    }
                    refuse(session, from, errc::kDocumentBusy, "busy");
                }
            }
            handle(item);
            OPENSSL_cleanse(item.data.data(), item.data.size());
        }
        if (!more) return;
    }
}

void DocumentDesk::handle(Item& item) {
    switch (item.kind) {
        case Item::Kind::Drain: {
            std::lock_guard lock(drainMutex_);
            ++drainDone_;
            drainCv_.notify_all();
            return;
        }
        case Item::Kind::Gone: {
            auto it = senders_.find(item.session);
            if (it == senders_.end()) return;
            if (auto r = it->second.assembler->abandon()) refuse(item.session, it->second.from, r->code, r->reason);
            senders_.erase(it);
            return;
        }
        case Item::Kind::Frame:
            break;
    }
    std::optional<DocumentFrame> f = DocumentFrame::parse(item.data);
    Sender& s = senders_[item.session];
    const bool start = f && f->kind == DocumentFrame::Kind::Start;
    // The class' cap as of the sender's publication (a new publication may change it: next transfer).
    if (!s.assembler || (start && !s.assembler->inFlight() && s.from.documentMaxBytes != item.from.documentMaxBytes))
        s.assembler = std::make_unique<DocumentAssembler>(item.from.documentMaxBytes);
    s.from = item.from;
    if (s.skipping && f && !start) return;  // the rest of a refused transfer
    s.skipping = false;
    if (!item.from.shareDocument) {
        s.skipping = true;
        return refuse(item.session, item.from, errc::kDocumentRole, "role");
    }
    // A start while a transfer is in flight: that one stopped (refused), the new one begins.
    if (start && s.assembler->inFlight())
        if (auto r = s.assembler->abandon()) refuse(item.session, item.from, r->code, r->reason);
    DocumentAssembler::Result r = s.assembler->take(item.data);
    switch (r.status) {
        case DocumentAssembler::Result::Status::Continue:
            return;
        case DocumentAssembler::Result::Status::Refused:
            s.skipping = true;
            return refuse(item.session, item.from, r.code, r.reason);
        case DocumentAssembler::Result::Status::Complete:
            return share(item.session, item.from, *r.document);
    }
}

void DocumentDesk::share(SessionId session, const ChatSpeaker& from, SharedDocument& doc) {
    if (from.documentsKept && !(settings_.keep && settings_.keep(from, doc))) {
        OPENSSL_cleanse(doc.content.data(), doc.content.size());
        return refuse(session, from, errc::kDocumentNotKept, "not_kept");
    }
    // Re-framed by the room (one transfer id per relay), so what the others receive is exactly what
    // was checked.
    std::vector<Bytes> frames;
    const uint32_t id = nextTransfer_++;
    DocumentFrame start;
    start.kind = DocumentFrame::Kind::Start;
    start.transfer = id;
    start.type = static_cast<uint8_t>(doc.type);
    start.size = doc.content.size();
    frames.push_back(start.encode());
    uint32_t index = 0;
    for (size_t at = 0; at < doc.content.size(); at += DocumentFrame::kMaxChunk) {
        DocumentFrame c;
        c.kind = DocumentFrame::Kind::Chunk;
        c.transfer = id;
        c.index = index++;
        c.payload = ByteView(doc.content.data() + at, std::min(DocumentFrame::kMaxChunk, doc.content.size() - at));
        frames.push_back(c.encode());
    }
    DocumentFrame end;
    end.kind = DocumentFrame::Kind::End;
    end.transfer = id;
    end.sha256 = doc.sha256;
    frames.push_back(end.encode());
    size_t recipients = settings_.relay ? settings_.relay(session, frames) : 0;
    for (auto& f : frames) OPENSSL_cleanse(f.data(), f.size());
    OPENSSL_cleanse(doc.content.data(), doc.content.size());
    shared_.fetch_add(1, std::memory_order_relaxed);
    if (!settings_.onShared) return;
    try {
        settings_.onShared(DocumentShare{session, from, doc.type, start.size, doc.sha256, recipients});
    } catch (const std::exception& e) {
        log_.error(std::string("document desk: share report lost: ") + e.what());
    }
}

void DocumentDesk::refuse(SessionId session, const ChatSpeaker& from, int code, const std::string& reason) {
    refused_.fetch_add(1, std::memory_order_relaxed);
    if (!settings_.onRefused) return;
    try {
        settings_.onRefused(DocumentRefusal{session, from, code, reason});
    } catch (const std::exception& e) {
        log_.error(std::string("document desk: refusal report lost: ") + e.what());
    }
}

}  // namespace hipaa::room

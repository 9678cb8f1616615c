// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Documents shared in a visit (docs/room.md, "Documents"). The relay hands every document frame of a
// publisher to the room's desk on the media thread (a copy into a bounded queue; full: refused 485);
// the desk's own thread assembles each sender's transfer (DocumentAssembler: size cap, order, type by
// content, SHA-256) and only a complete, valid document is relayed, re-framed, to the admitted
// participants subscribed to the sender's data stream (when the class keeps documents, only once the
// chat keeper sealed it: nothing is seen that is not kept). Every share and every refusal is reported
// (sender pseudonym, role, type, size, SHA-256 or the refusal's code; never a name or a byte of the
// content) for the audit trail. A refusal discards the whole transfer: nothing partial is relayed.
#include "ChatSink.hpp"
#include "DocumentAssembler.hpp"

#include "hipaa/BoundedQueue.hpp"
#include "hipaa/Logger.hpp"
#include "hipaa/PluginCore.hpp"

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hipaa::room {

struct DocumentShare {
    SessionId session = 0;
    ChatSpeaker from;
    DocumentType type = DocumentType::Pdf;
    uint64_t bytes = 0;
    Digest256 sha256{};
    size_t recipients = 0;
};
struct DocumentRefusal {
    SessionId session = 0;
    ChatSpeaker from;
    int code = 0;
    std::string reason;
};

struct DocumentDeskSettings {
    size_t capacity = 256;  // frames queued at most, of every room (256 x 16 KiB = 4 MiB)
    // Sends the frames to the admitted subscribers of `from`'s data stream; how many received them.
    std::function<size_t(SessionId from, const std::vector<Bytes>& frames)> relay;
    // A class that keeps documents (`documents = "record"`, ChatSpeaker::documentsKept): seals a complete
    // document in the visit's kept chat before it is relayed (the desk's thread; may block). False: not
    // kept, so not relayed either (refused 487).
    std::function<bool(const ChatSpeaker& from, const SharedDocument& doc)> keep;
    std::function<void(const DocumentShare&)> onShared;     // the desk's thread; must not block
    std::function<void(const DocumentRefusal&)> onRefused;  // the desk's thread (or keep's caller)
};

class DocumentDesk {
public:
    DocumentDesk(DocumentDeskSettings settings, Logger log);
    ~DocumentDesk();  // stop()
    // Handles what is queued, refuses what is in flight (incomplete), stops the thread. Idempotent;
    // call it before whatever `relay` reaches goes away.
    void stop();
    DocumentDesk(const DocumentDesk&) = delete;
    DocumentDesk& operator=(const DocumentDesk&) = delete;

    // Media thread: one document frame from `session`. False when refused at once (queue full: 485,
    // reported from the desk's thread as soon as it can).
    bool frame(SessionId session, const ChatSpeaker& from, const uint8_t* data, size_t length) noexcept;
    // The sender left or unpublished: its transfer in flight is refused as incomplete.
    void gone(SessionId session) noexcept;
    // Waits until every frame queued so far is handled (tests, and before reading stats).
    void drain();
    uint64_t shared() const { return shared_.load(); }
    uint64_t refused() const { return refused_.load(); }

private:
    struct Item {
        enum class Kind { Frame, Gone, Drain } kind = Kind::Frame;
        SessionId session = 0;
        ChatSpeaker from;
        Bytes data;
    };
    struct Sender {
        std::unique_ptr<DocumentAssembler> assembler;
        ChatSpeaker from;
        bool skipping = false;  // refused: the rest of that transfer is dropped quietly until a start
    };
    void run();
    void handle(Item& item);
    void refuse(SessionId session, const ChatSpeaker& from, int code, const std::string& reason);
    void share(SessionId session, const ChatSpeaker& from, SharedDocument& doc);

    DocumentDeskSettings settings_;
    Logger log_;
    BoundedQueue<Item> queue_;
    std::atomic<bool> busyPending_{false};
    std::mutex busyMutex_;                   // the media threads only take it when the queue is full
    std::map<SessionId, ChatSpeaker> busy_;  // senders whose frame the full queue refused
    std::map<SessionId, Sender> senders_;    // desk thread
    uint32_t nextTransfer_ = 1;              // desk thread: the id of each relayed transfer
    std::atomic<uint64_t> shared_{0}, refused_{0};
    std::mutex drainMutex_;
    std::condition_variable drainCv_;
    uint64_t drainAsked_ = 0, drainDone_ = 0;
    std::mutex stopMutex_;
    bool stopped_ = false;
    std::thread thread_;
};

}  // namespace hipaa::room

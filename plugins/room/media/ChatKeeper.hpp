// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Chat retention for a room whose class has `chat = "record"`: a ChatSink that copies each message
// (with its sender's pseudonym and role) into a bounded queue on the media thread and, on its own
// thread, seals it into the recorder as one record of a chat stream (kind 3, docs/recording-format.md)
// as it arrives. The recording is an ordinary recorder recording: retention policy, legal hold,
// crypto-shredding with receipts, verify and export apply unchanged. The text never reaches a log,
// an event or PostgreSQL.
//
// A class with `documents = "record"` keeps every shared document in the same recording
// (keepDocument, on the room's document thread): its start record and parts are written in one go by
// the keeper's thread, between messages, and the desk relays the document only once they all were.
//
// The queue is bounded (`capacity` messages): a full queue refuses the message, which the relay then
// does not relay (nothing is shown that is not kept). The media thread takes one short lock and one
// copy per message; chat is limited per participant (ChatMeter), so this stays off the RTP path's
// per-packet budget. The recorder is reached only through a lease of its slot.
#include "ChatSink.hpp"

#include "hipaa/BoundedQueue.hpp"
#include "hipaa/Bytes.hpp"
#include "hipaa/Hash.hpp"
#include "hipaa/Logger.hpp"
#include "hipaa/RecordingSink.hpp"

#include <atomic>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace hipaa::room {

struct ChatKeeperSettings {
    size_t capacity = 256;      // messages queued at most
    size_t maxMessage = 16384;  // bytes; longer messages are refused (and not relayed)
    std::string policy;         // recorder retention policy ("" = the recorder's default)
    RecordingContext context;   // the visit and who takes part
    // The chat could not be kept after start (`write_failed`, `stop_failed`); recording: the
    // recorder's id. Called on the keeper's thread (or stop's caller); must not block.
    std::function<void(const std::string& reason, const std::string& recording)> onFailure;
};

class ChatKeeper final : public ChatSink {
public:
    using Sink = InProcessSlot<RecordingSink>;
    struct Stats {
        uint64_t accepted = 0;  // queued by keep()
        uint64_t refused = 0;   // keep() said no (full, too large, stopping)
        uint64_t kept = 0;      // written to the recorder
        uint64_t lost = 0;      // accepted, but the recorder could not take it
    };

    ChatKeeper(const Sink& sink, ChatKeeperSettings settings, Logger log);
    ~ChatKeeper() override;  // stop()s if still running
    ChatKeeper(const ChatKeeper&) = delete;
    ChatKeeper& operator=(const ChatKeeper&) = delete;

    // Opens the recorder recording (one chat stream) and starts the thread. Throws Error 350 when no
    // recorder is loaded, the recorder's Error when it refuses.
    void start();
    // Refuses new messages, seals what is queued, stops (seals) the recording; its id ("" if none).
    // Idempotent.
    std::string stop();
    const std::string& recording() const { return recording_; }
    // After stop() (on its caller's thread): the recorder sealed the recording and nothing was lost.
    bool sealed() const { return stopped_ && !failed_; }
    Stats stats() const;

    bool keep(const ChatSpeaker& from, const uint8_t* data, size_t length, int64_t nowUs) noexcept override;
    // Seals a complete, checked document (DocumentRecord) and waits until the recorder took every part
    // of it: true when kept. False (nothing more of it written) when the keeper is stopping, its queue
    // is full or the recorder failed. Never from a media thread (it blocks); copies nothing but the
    // records it writes, which it wipes.
    bool keepDocument(const ChatSpeaker& from, const std::string& mime, ByteView content, const Digest256& sha256,
                      int64_t nowUs) noexcept;

private:
    struct DocumentJob {
        std::string mime;
        ByteView content;
        Digest256 sha256{};
        std::promise<bool> done;
    };
    struct Item {
        std::string sender, role;
        int64_t nowUs = 0;
        Bytes text;
        std::shared_ptr<DocumentJob> document{};  // a document instead of a message
    };
    bool writeDocument(Item& item);
    void run();
    void write(Item& item);
    void report(const char* reason);

    const Sink& sink_;
    ChatKeeperSettings settings_;
    Logger log_;
    BoundedQueue<Item> queue_;
    std::string recording_;
    std::atomic<bool> running_{false};
    // Set by the keeper thread (reported once); read by the relay: a failed keeper takes nothing more.
    std::atomic<bool> failed_{false};
    std::mutex stopMutex_;
    bool stopped_ = false;
    std::atomic<uint64_t> accepted_{0}, refused_{0}, kept_{0}, lost_{0};
    uint32_t documents_ = 0;  // keeper thread: the next document's number in the stream
    std::thread thread_;
};

}  // namespace hipaa::room

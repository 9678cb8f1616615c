// SPDX-License-Identifier: GPL-3.0-or-later
// Sealing cost of kept chat and of document bytes against writing them plain, alternately in one run:
// chat as ChatRecords (one per message, as ChatKeeper hands them to the recorder) and documents as
// the keeper keeps them (DocumentRecord: a start record, then parts of up to 65522 bytes; one 1 MiB
// document per MiB), both through RecordingWriter (AES-256-GCM chunks + SHA-256 of the file) and
// through the same framing written in the clear. Prints CPU µs per chat
// message and CPU ms per MiB of document, plain and sealed, medians of the rounds.
// Run: build/tests/bench/bench_chat_seal [messages=20000] [document-MiB=64] [rounds=5]
#include "ByteOrder.hpp"
#include "Keyring.hpp"
#include "RecordingWriter.hpp"
#include "UniqueFd.hpp"
#include "hipaa/ChatRecord.hpp"
#include "hipaa/DocumentRecord.hpp"
#include "hipaa/SecureRandom.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

using namespace hipaa;
using namespace hipaa::recorder;

namespace {

double cpuNow() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Baseline: identical record framing and chunked writes, in the clear.
class PlainWriter {
public:
    PlainWriter(const std::string& path, size_t chunk) : chunk_(chunk) {
        fd_.reset(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        buffer_.reserve(chunk + 70000);
        buffer_.resize(4);
    }
    void append(uint64_t t, ByteView p) {
        putU64(buffer_, t);
        putU16(buffer_, static_cast<uint16_t>(p.size()));
        buffer_.insert(buffer_.end(), p.begin(), p.end());
        if (buffer_.size() - 4 >= chunk_) flush();
    }
    void flush() {
        size_t n = buffer_.size() - 4;
        for (int i = 0; i < 4; ++i) buffer_[static_cast<size_t>(i)] = static_cast<uint8_t>(n >> (24 - 8 * i));
        writeAll(fd_.get(), buffer_, "plain");
        buffer_.resize(4);
    }
    void finish() {
        flush();
        ::fsync(fd_.get());
        fd_.reset();
    }

private:
    UniqueFd fd_;
    size_t chunk_;
    Bytes buffer_;
};

constexpr uint32_t kChunk = 65536;

template <typename Append, typename Finish>
double run(const std::vector<Bytes>& records, Append&& append, Finish&& finish) {
    double t0 = cpuNow();
    uint64_t t = 1'700'000'000'000'000ull;
    for (const auto& r : records) append(t++, r);
    finish();
    return cpuNow() - t0;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    const size_t messages = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 20000;
    const size_t mib = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 64;
    const int rounds = argc > 3 ? std::atoi(argv[3]) : 5;
    const std::string dir = std::filesystem::temp_directory_path() / ("chat-seal-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    Keyring ring;
    ring.add(1, Keyring::Type::Kek, secureRandomBytes(32));
    const Bytes key = secureRandomBytes(32);

    std::vector<Bytes> chat, doc;
    for (size_t i = 0; i < messages; ++i) {
        ChatRecord m{"ps1_0123456789abcdef0123456789abcdef", i % 2 ? "provider" : "patient", 1'700'000'000'000 + i,
                     std::string(60 + i % 180, static_cast<char>('a' + i % 26))};
        chat.push_back(*m.encode());
    }
    for (size_t i = 0; i < mib; ++i) {
        const Bytes content = secureRandomBytes(1 << 20);
        DocumentRecord d;
        d.number = static_cast<uint32_t>(i);
        d.sender = "ps1_0123456789abcdef0123456789abcdef";
        d.role = "patient";
        d.sentMs = 1'700'000'000'000 + i;
        d.mime = "application/pdf";
        d.size = content.size();
        d.sha256 = sha256(content);
        std::vector<Bytes> records = *d.encode(content);
        for (auto& r : records) doc.push_back(std::move(r));
    }

    auto header = [](StreamKind kind, const char* codec) {
        RecordingHeader h;
        h.kind = kind;
        h.codec = codec;
        h.mid = "0";
        h.chunkSize = kChunk;
        return h;
    };
    std::vector<double> chatPlain, chatSealed, docPlain, docSealed;
    int file = 0;
    for (int r = 0; r < rounds; ++r) {
        for (auto* set : {&chat, &doc}) {
            const bool isChat = set == &chat;
            {
                PlainWriter w(dir + "/" + std::to_string(file++), kChunk);
                double s = run(
                    *set, [&](uint64_t t, const Bytes& b) { w.append(t, b); }, [&] { w.finish(); });
                (isChat ? chatPlain : docPlain).push_back(s);
            }
            {
                RecordingWriter w(dir + "/" + std::to_string(file++), header(StreamKind::Chat, "chat"), key, ring);
                double s = run(
                    *set, [&](uint64_t t, const Bytes& b) { w.append(t, b); }, [&] { w.finish(); });
                (isChat ? chatSealed : docSealed).push_back(s);
            }
            std::filesystem::remove_all(dir);
            std::filesystem::create_directories(dir);
        }
    }
    std::filesystem::remove_all(dir);
    const double cp = median(chatPlain) / static_cast<double>(messages) * 1e6,
                 cs = median(chatSealed) / static_cast<double>(messages) * 1e6;
    const double dp = median(docPlain) / static_cast<double>(mib) * 1e3,
                 dsl = median(docSealed) / static_cast<double>(mib) * 1e3;
    std::printf(
        "chat: %zu messages, %d rounds (medians)\n  plain  %.2f CPU us/message\n  sealed %.2f CPU us/message (x%.2f)\n",
        messages, rounds, cp, cs, cs / cp);
    std::printf(
        "document: %zu MiB as 1 MiB documents (start + 65522-byte parts)\n  plain  %.2f CPU ms/MiB\n  sealed %.2f CPU "
        "ms/MiB (x%.2f)\n",
        mib, dp, dsl, dsl / dp);
    return 0;
}

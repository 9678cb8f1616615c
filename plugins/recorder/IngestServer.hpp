#pragma once
// Receives SRTP RTP forwards on UDP (one socket per stream, ports from a configured range), checks
// and decrypts them with libsrtp and appends them to each stream's RecordingWriter. One receiver
// thread of our own (never a Janus thread); control calls (open/close/stats) come from any thread.
#include "RecordingWriter.hpp"
#include "SrtpSession.hpp"
#include "UniqueFd.hpp"
#include "hipaa/Json.hpp"
#include "hipaa/Logger.hpp"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hipaa::recorder {

struct IngestSettings {
    std::string address = "127.0.0.1";
    int portMin = 20000, portMax = 20999;
    int64_t chunkMs = 1000;  // a partly filled chunk is sealed after this long
};

struct StreamCounters {
    uint64_t received = 0, recorded = 0, srtpFailed = 0, bytes = 0;
};

class IngestServer {
public:
    struct StreamSink {
        std::unique_ptr<RecordingWriter> writer;
        std::unique_ptr<SrtpSession> srtp;
    };

    IngestServer(IngestSettings settings, Logger log);
    ~IngestServer();  // stops the thread; open recordings are finished (sealed)
    IngestServer(const IngestServer&) = delete;
    IngestServer& operator=(const IngestServer&) = delete;

    // Binds one UDP socket per sink on free ports of the range; returns the ports in sink order.
    // Throws Error(kRecorderNoPorts) when the range is exhausted (nothing stays allocated).
    std::vector<int> open(const std::string& recording, std::vector<StreamSink> sinks);
    // Stops receiving and seals every stream; summaries in stream order. Empty if unknown.
    std::vector<FileSummary> close(const std::string& recording);
    bool active(const std::string& recording) const;
    std::vector<StreamCounters> counters(const std::string& recording) const;
    std::vector<std::string> recordings() const;

private:
    struct Stream {
        StreamSink sink;
        UniqueFd socket;
        int port = 0;
        StreamCounters counters;
        int64_t lastSealMs = 0;
    };
    using Streams = std::vector<std::unique_ptr<Stream>>;

    void run();
    void drain(Stream& s);
    void wake();
    UniqueFd bindPort(int port) const;

    IngestSettings settings_;
    Logger log_;
    mutable std::mutex mutex_;
    std::map<std::string, Streams> recordings_;
    uint64_t generation_ = 0;
    UniqueFd wakeFd_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace hipaa::recorder

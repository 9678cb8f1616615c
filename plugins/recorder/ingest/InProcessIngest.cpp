// SPDX-License-Identifier: GPL-3.0-or-later
#include "InProcessIngest.hpp"

#include <algorithm>
#include <chrono>

#include "WriteError.hpp"
#include "hipaa/Errors.hpp"

namespace hipaa::recorder {
namespace {

int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}
uint64_t wallUs() {
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}

}  // namespace

InProcessIngest::InProcessIngest(int64_t chunkMs, Logger log, WriteFailureHandler onWriteFailure)
    : chunkMs_(chunkMs), log_(std::move(log)), onWriteFailure_(std::move(onWriteFailure)) {
    thread_ = std::thread([this] { run(); });
}

InProcessIngest::~InProcessIngest() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
    for (const auto& id : recordings()) {
        try {
            close(id);
        } catch (const std::exception& e) {
            log_.error(std::string("sealing a recording at shutdown failed: ") + e.what());
        }
    }
}

void InProcessIngest::open(const std::string& recording, std::vector<std::unique_ptr<RecordingWriter>> writers) {
    auto r = std::make_shared<Recording>();
    int64_t now = nowMs();
    for (auto& w : writers) r->streams.push_back(Stream{std::move(w), {}, now});
    {
        std::lock_guard lock(mutex_);
        if (!recordings_.emplace(recording, std::move(r)).second)
            throw Error(errc::kInvalidField, "recording already active");
    }
    cv_.notify_all();
}

std::shared_ptr<InProcessIngest::Recording> InProcessIngest::find(const std::string& recording) const {
    std::lock_guard lock(mutex_);
    auto it = recordings_.find(recording);
    return it == recordings_.end() ? nullptr : it->second;
}

RecordingSink::Write InProcessIngest::write(const std::string& recording, size_t stream, ByteView packet) noexcept {
    using Write = RecordingSink::Write;
    std::shared_ptr<Recording> r = find(recording);
    if (!r || packet.size() < 12) return Write::Refused;
    std::vector<Failure> failures;
    Write result = Write::Refused;
    {
        std::lock_guard lock(r->mutex);
        if (r->closed || stream >= r->streams.size()) return Write::Refused;
        Stream& s = r->streams[stream];
        ++s.counters.received;
        if (s.counters.writeError) {
            ++s.counters.lost;  // the file cannot take it: counted, never retried
            return Write::Failed;
        }
        try {
            if (s.writer->append(wallUs(), packet)) {
                ++s.counters.recorded;
                s.counters.bytes += packet.size();
                if (s.writer->bufferedBytes() == 0) s.lastSealMs = nowMs();
                result = Write::Recorded;
            }
        } catch (const WriteError& e) {
            ++s.counters.lost;
            streamFailed(s, stream, e.errnum(), failures);
            result = Write::Failed;
        } catch (const std::exception& e) {
            log_.error(std::string("recording write failed: ") + e.what());
        }
    }
    report(recording, failures);
    return result;
}

std::vector<FileSummary> InProcessIngest::close(const std::string& recording, std::vector<StreamCounters>* counters) {
    std::shared_ptr<Recording> r;
    {
        std::lock_guard lock(mutex_);
        auto it = recordings_.find(recording);
        if (it == recordings_.end()) return {};
        r = std::move(it->second);
        recordings_.erase(it);
    }
    std::vector<FileSummary> out;
    std::vector<Failure> failures;
    {
        std::lock_guard lock(r->mutex);  // waits for a write in progress; none comes after
        r->closed = true;
        for (size_t i = 0; i < r->streams.size(); ++i) {
            Stream& s = r->streams[i];
            out.push_back(s.writer->finish());  // never throws for I/O
            if (!out.back().complete && !s.counters.writeError) streamFailed(s, i, out.back().error, failures);
            if (counters) counters->push_back(s.counters);
        }
    }
    report(recording, failures);
    return out;
}

void InProcessIngest::streamFailed(Stream& s, size_t index, int errnum, std::vector<Failure>& failures) {
    if (s.counters.writeError) return;
    s.counters.writeError = errnum ? errnum : EIO;
    failures.push_back({index, s.counters.writeError});
}

void InProcessIngest::report(const std::string& recording, const std::vector<Failure>& failures) noexcept {
    for (const auto& f : failures) {
        try {
            log_.error("recording " + recording + " stream " + std::to_string(f.stream) + ": write failed (" +
                       WriteError::reasonFor(f.errnum) +
                       "); the stream keeps what was written before and records nothing more");
            if (onWriteFailure_) onWriteFailure_(recording, f.stream, f.errnum);
        } catch (const std::exception&) {
            // the stream's counters say it failed; `status` and `stop` report it
        }
    }
}

bool InProcessIngest::active(const std::string& recording) const { return find(recording) != nullptr; }

std::vector<StreamCounters> InProcessIngest::counters(const std::string& recording) const {
    std::vector<StreamCounters> out;
    if (std::shared_ptr<Recording> r = find(recording)) {
        std::lock_guard lock(r->mutex);
        for (const auto& s : r->streams) out.push_back(s.counters);
    }
    return out;
}

std::vector<std::string> InProcessIngest::recordings() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& [id, r] : recordings_) out.push_back(id);
    return out;
}

void InProcessIngest::run() {
    // Checks a few times per chunk_ms (at most every 100 ms, as the UDP receiver's poll does).
    const auto period = std::chrono::milliseconds(std::clamp<int64_t>(chunkMs_ / 4, 5, 100));
    std::unique_lock lock(mutex_);
    while (!stop_) {
        cv_.wait(lock, [this] { return stop_ || !recordings_.empty(); });
        if (cv_.wait_for(lock, period, [this] { return stop_; })) break;
        std::vector<std::pair<std::string, std::shared_ptr<Recording>>> open(recordings_.begin(), recordings_.end());
        lock.unlock();
        for (auto& [id, r] : open) {
            std::vector<Failure> failures;
            {
                std::lock_guard rl(r->mutex);
                int64_t now = nowMs();
                for (size_t i = 0; i < r->streams.size() && !r->closed; ++i) {
                    Stream& s = r->streams[i];
                    if (s.writer->bufferedBytes() == 0 || now - s.lastSealMs < chunkMs_) continue;
                    try {
                        s.writer->flush();
                    } catch (const WriteError& e) {
                        streamFailed(s, i, e.errnum(), failures);
                    } catch (const std::exception& e) {
                        log_.error(std::string("sealing a chunk failed: ") + e.what());
                    }
                    s.lastSealMs = now;
                }
            }
            report(id, failures);
        }
        lock.lock();
    }
}

}  // namespace hipaa::recorder

// SPDX-License-Identifier: GPL-3.0-or-later
#include "IngestServer.hpp"

#include "RecorderErrors.hpp"
#include "WriteError.hpp"
#include "hipaa/Clock.hpp"
#include "hipaa/Errors.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <set>

namespace hipaa::recorder {

void IngestServer::checkSettings(const IngestSettings& settings) {
    in_addr probe{};
    if (::inet_pton(AF_INET, settings.address.c_str(), &probe) != 1)
        throw ConfigError("general.rtp_address: not an IPv4 address");
    if (settings.portMin < 1024 || settings.portMax > 65535 || settings.portMin > settings.portMax)
        throw ConfigError("general.rtp_port_min/rtp_port_max: invalid range");
}

IngestServer::IngestServer(IngestSettings settings, Logger log, WriteFailureHandler onWriteFailure)
    : settings_(std::move(settings)), log_(std::move(log)), onWriteFailure_(std::move(onWriteFailure)) {
    checkSettings(settings_);
    wakeFd_.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (!wakeFd_) throw Error(errc::kInternal, "eventfd failed");
    thread_ = std::thread([this] { run(); });
}

IngestServer::~IngestServer() {
    stop_ = true;
    wake();
    if (thread_.joinable()) thread_.join();
    for (const auto& id : recordings()) {
        try {
            close(id);
        } catch (const std::exception& e) {
            log_.error(std::string("sealing a recording at shutdown failed: ") + e.what());
        }
    }
}

void IngestServer::wake() {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wakeFd_.get(), &one, sizeof one);
}

UniqueFd IngestServer::bindPort(int port) const {
    UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) return fd;
    int size = 4 << 20;  // absorb bursts (video keyframes) while a chunk is being sealed
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, settings_.address.c_str(), &addr.sin_addr);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) fd.reset();
    return fd;
}

std::vector<int> IngestServer::open(const std::string& recording, std::vector<StreamSink> sinks) {
    std::lock_guard lock(mutex_);
    if (recordings_.count(recording)) throw Error(errc::kInvalidField, "recording already active");
    std::set<int> used;
    for (const auto& [id, streams] : recordings_)
        for (const auto& s : streams) used.insert(s->port);
    Streams streams;
    std::vector<int> ports;
    int port = settings_.portMin;
    for (auto& sink : sinks) {
        auto s = std::make_unique<Stream>();
        for (; port <= settings_.portMax && !s->socket; ++port) {
            if (used.count(port)) continue;
            s->socket = bindPort(port);
            if (s->socket) s->port = port;
        }
        if (!s->socket) throw Error(errc::kNoPorts, "no free port left in the configured RTP range");
        s->recording = recording;
        s->index = streams.size();
        s->sink = std::move(sink);
        s->lastSealMs = Clock::monotonicMs();
        ports.push_back(s->port);
        streams.push_back(std::move(s));
    }
    recordings_.emplace(recording, std::move(streams));
    ++generation_;
    wake();
    return ports;
}

std::vector<FileSummary> IngestServer::close(const std::string& recording, std::vector<StreamCounters>* counters) {
    Streams streams;
    std::vector<Failure> failures;
    {
        std::lock_guard lock(mutex_);
        auto it = recordings_.find(recording);
        if (it == recordings_.end()) return {};
        for (auto& s : it->second) drain(*s, failures);  // what already arrived belongs to the recording
        streams = std::move(it->second);
        recordings_.erase(it);
        ++generation_;
    }
    wake();
    std::vector<FileSummary> out;
    for (auto& s : streams) {
        s->socket.reset();
        out.push_back(s->sink.writer->finish());  // never throws for I/O
        if (!out.back().complete && !s->counters.writeError) streamFailed(*s, out.back().error, failures);
        if (counters) counters->push_back(s->counters);
    }
    report(failures);
    return out;
}

void IngestServer::streamFailed(Stream& s, int errnum, std::vector<Failure>& failures) {
    if (s.counters.writeError) return;
    s.counters.writeError = errnum ? errnum : EIO;
    failures.push_back({s.recording, s.index, s.counters.writeError});
}

void IngestServer::report(const std::vector<Failure>& failures) {
    for (const auto& f : failures) {
        log_.error("recording " + f.recording + " stream " + std::to_string(f.stream) + ": write failed (" +
                   WriteError::reasonFor(f.errnum) +
                   "); the stream keeps what was written before and records nothing more");
        if (onWriteFailure_) onWriteFailure_(f.recording, f.stream, f.errnum);
    }
}

bool IngestServer::active(const std::string& recording) const {
    std::lock_guard lock(mutex_);
    return recordings_.count(recording) != 0;
}

std::vector<StreamCounters> IngestServer::counters(const std::string& recording) const {
    std::lock_guard lock(mutex_);
    std::vector<StreamCounters> out;
    if (auto it = recordings_.find(recording); it != recordings_.end())
        for (const auto& s : it->second) out.push_back(s->counters);
    return out;
}

std::vector<std::string> IngestServer::recordings() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& [id, s] : recordings_) out.push_back(id);
    return out;
}

void IngestServer::drain(Stream& s, std::vector<Failure>& failures) {
    // Called with mutex_ held. Bounded so that one busy stream cannot starve the others.
    uint8_t buf[2048];
    for (int i = 0; i < 256; ++i) {
        ssize_t n = ::recv(s.socket.get(), buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0) return;  // EAGAIN (or a transient error): nothing more now
        ++s.counters.received;
        size_t len = static_cast<size_t>(n);
        if (len >= 12 && !ssrcAccepted(s, buf, false)) continue;  // before any crypto work
        if (!s.sink.srtp->unprotect(buf, len)) {
            ++s.counters.srtpFailed;  // counted and dropped, never recorded
            continue;
        }
        if (!ssrcAccepted(s, buf, true)) continue;
        if (s.counters.writeError) {
            ++s.counters.lost;  // the file cannot take it: counted, never retried
            continue;
        }
        try {
            if (s.sink.writer->append(static_cast<uint64_t>(Clock::wallUs()), ByteView(buf, len))) {
                ++s.counters.recorded;
                s.counters.bytes += len;
                if (s.sink.writer->bufferedBytes() == 0) s.lastSealMs = Clock::monotonicMs();
            }
        } catch (const WriteError& e) {
            ++s.counters.lost;
            streamFailed(s, e.errnum(), failures);
        } catch (const std::exception& e) {
            log_.error(std::string("recording write failed: ") + e.what());
        }
    }
}

bool IngestServer::ssrcAccepted(Stream& s, const uint8_t* packet, bool authenticated) {
    // Called with mutex_ held.
    if (!s.sink.pinSsrc) return true;
    uint32_t ssrc = uint32_t{packet[8]} << 24 | uint32_t{packet[9]} << 16 | uint32_t{packet[10]} << 8 | packet[11];
    if (s.ssrc) {
        if (*s.ssrc == ssrc) return true;
        ++s.counters.ssrcRefused;
        return false;
    }
    if (!authenticated) return true;  // only an authenticated packet may pin the port
    for (const auto& other : recordings_.at(s.recording)) {
        if (other.get() != &s && other->ssrc == ssrc) {
            ++s.counters.ssrcRefused;  // another port's stream
            return false;
        }
    }
    s.ssrc = ssrc;
    return true;
}

void IngestServer::run() {
    std::vector<pollfd> fds;
    std::vector<Stream*> owners;
    uint64_t seen = ~uint64_t{0};
    while (!stop_) {
        {
            std::lock_guard lock(mutex_);
            if (seen != generation_) {
                seen = generation_;
                fds.assign(1, pollfd{wakeFd_.get(), POLLIN, 0});
                owners.assign(1, nullptr);
                for (auto& [id, streams] : recordings_)
                    for (auto& s : streams) {
                        fds.push_back(pollfd{s->socket.get(), POLLIN, 0});
                        owners.push_back(s.get());
                    }
            }
        }
        int n = ::poll(fds.data(), fds.size(), 100);
        if (n < 0 && errno != EINTR) break;
        if (fds[0].revents & POLLIN) {
            uint64_t v;
            [[maybe_unused]] ssize_t r = ::read(wakeFd_.get(), &v, sizeof v);
        }
        std::vector<Failure> failures;
        {
            std::lock_guard lock(mutex_);
            if (seen != generation_) continue;  // a stream went away: `owners` may dangle
            int64_t now = Clock::monotonicMs();
            for (size_t i = 1; i < fds.size(); ++i) {
                Stream& s = *owners[i];
                if (fds[i].revents & POLLIN) drain(s, failures);
                if (s.sink.writer->bufferedBytes() > 0 && now - s.lastSealMs >= settings_.chunkMs) {
                    try {
                        s.sink.writer->flush();
                    } catch (const WriteError& e) {
                        streamFailed(s, e.errnum(), failures);
                    } catch (const std::exception& e) {
                        log_.error(std::string("sealing a chunk failed: ") + e.what());
                    }
                    s.lastSealMs = now;
                }
            }
        }
        report(failures);
    }
}

}  // namespace hipaa::recorder

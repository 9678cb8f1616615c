#include "RecordingTap.hpp"

#include "hipaa/Clock.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/Zeroize.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>

namespace hipaa::room {

RecordingTap::RecordingTap(RecorderCall recorder, TapSettings settings, Logger log)
    : recorder_(std::move(recorder)), settings_(std::move(settings)), log_(std::move(log)), ring_(settings_.slots),
      buffer_(TapSlot::kMaxPacket + SrtpProtector::kMaxTrailer) {
    socket_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (socket_ < 0) throw Error(errc::kInternal, "recording tap: no UDP socket");
    thread_ = std::thread([this] { run(); });
}

RecordingTap::~RecordingTap() {
    if (armed_.load()) {
        try {
            stop();
        } catch (const std::exception& e) {
            log_.error(std::string("recording tap: stop at destruction failed: ") + e.what());
        }
    }
    {
        std::lock_guard lock(mutex_);
        quit_ = true;
    }
    cv_.notify_all();
    thread_.join();
    stopAll();  // the thread is gone: whatever it still held is sealed here
    ::close(socket_);
}

// ---- media threads: O(1), no lock, no allocation ----

void RecordingTap::streamAdded(const TapStream& stream) noexcept {
    bool ok = ring_.tryPush([&](TapSlot& s) {
        s.kind = TapSlot::Kind::StreamAdded;
        s.feed = stream.feed;
        s.mindex = stream.mindex;
        s.video = stream.video;
        s.payloadType = stream.payloadType;
        size_t n = std::min(stream.codec.size(), TapSlot::kMaxCodec - 1);
        std::memcpy(s.codec, stream.codec.data(), n);
        s.codec[n] = '\0';
        s.length = 0;
    });
    if (!ok) dropped_.fetch_add(1, std::memory_order_relaxed);
}

void RecordingTap::streamRemoved(uint64_t feed, int mindex) noexcept {
    bool ok = ring_.tryPush([&](TapSlot& s) {
        s.kind = TapSlot::Kind::StreamRemoved;
        s.feed = feed;
        s.mindex = mindex;
        s.length = 0;
    });
    if (!ok) dropped_.fetch_add(1, std::memory_order_relaxed);
}

void RecordingTap::rtp(uint64_t feed, int mindex, const uint8_t* packet, size_t length) noexcept {
    if (!armed_.load(std::memory_order_relaxed)) return;
    if (length < 12 || length > TapSlot::kMaxPacket) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    bool ok = ring_.tryPush([&](TapSlot& s) {
        s.kind = TapSlot::Kind::Rtp;
        s.feed = feed;
        s.mindex = mindex;
        s.length = static_cast<uint16_t>(length);
        std::memcpy(s.data, packet, length);
    });
    (ok ? packets_ : dropped_).fetch_add(1, std::memory_order_relaxed);
}

// ---- control: the room's worker thread ----

void RecordingTap::start() {
    JsonPtr probe = jsonObject();
    jsonSet(probe.get(), "request", "info");
    recorder_(probe.get());  // throws when the recorder is not loaded or refuses
    armed_.store(true);
}

std::vector<std::string> RecordingTap::stop() {
    armed_.store(false);
    std::unique_lock lock(mutex_);
    stopRequested_ = true;
    stopDone_ = false;
    cv_.notify_all();
    cv_.wait(lock, [this] { return stopDone_ || quit_; });
    return std::move(stopped_);
}

RecordingTap::Stats RecordingTap::stats() const {
    return {packets_.load(), dropped_.load(), sent_.load(), unknown_.load(), failed_.load(), failures_.load()};
}

std::vector<std::string> RecordingTap::recordings() const {
    std::lock_guard lock(mutex_);
    return recordings_;
}

// ---- the tap thread ----

void RecordingTap::run() {
    for (;;) {
        bool stopRequested, quit;
        {
            std::lock_guard lock(mutex_);
            stopRequested = stopRequested_;
            quit = quit_;
        }
        while (ring_.tryPop([this](TapSlot& s) { handle(s); })) {
        }
        int64_t now = Clock::monotonicMs();
        if (!sealed_ && now - lastPollMs_ >= settings_.pollMs) {
            lastPollMs_ = now;
            poll();
        }
        if (stopRequested) {
            stopAll();
            sealed_ = true;
            std::lock_guard lock(mutex_);
            stopRequested_ = false;
            stopDone_ = true;
            cv_.notify_all();
        }
        if (quit) return;
        std::unique_lock lock(mutex_);
        cv_.wait_for(lock, std::chrono::milliseconds(2), [this] { return stopRequested_ || quit_; });
    }
}

void RecordingTap::handle(TapSlot& s) {
    switch (s.kind) {
        case TapSlot::Kind::StreamAdded: {
            Feed& f = feeds_[s.feed];
            f.streams[s.mindex] = StreamInfo{s.video, std::string(s.codec)};
            f.failed = false;
            // A stream the running recording does not have: seal that segment; the next packet starts
            // a new recording with every stream of the feed.
            if (!f.recording.empty() && !f.senders.contains(s.mindex)) stopFeed(f);
            return;
        }
        case TapSlot::Kind::StreamRemoved: {
            auto it = feeds_.find(s.feed);
            if (it == feeds_.end()) return;
            it->second.streams.erase(s.mindex);
            if (it->second.streams.empty()) {
                stopFeed(it->second);
                feeds_.erase(it);
            }
            return;
        }
        case TapSlot::Kind::Rtp: {
            if (sealed_) return;  // a late packet after stop
            auto it = feeds_.find(s.feed);
            if (it == feeds_.end() || !it->second.streams.contains(s.mindex)) {
                unknown_.fetch_add(1, std::memory_order_relaxed);
                return;
            }
            send(it->second, s.mindex, s.data, s.length);
            return;
        }
    }
}

void RecordingTap::send(Feed& f, int mindex, const uint8_t* data, size_t length) {
    if (f.recording.empty()) {
        if (f.failed) {
            failed_.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        startFeed(f);
        if (f.recording.empty()) return;
    }
    auto it = f.senders.find(mindex);
    if (it == f.senders.end()) {
        unknown_.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    std::memcpy(buffer_.data(), data, length);
    size_t n = length;
    if (!it->second.srtp->protect(buffer_.data(), n)) {
        failed_.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    const sockaddr_in& a = it->second.address;
    if (::sendto(socket_, buffer_.data(), n, 0, reinterpret_cast<const sockaddr*>(&a), sizeof a) == static_cast<ssize_t>(n))
        sent_.fetch_add(1, std::memory_order_relaxed);
    else
        failed_.fetch_add(1, std::memory_order_relaxed);
}

void RecordingTap::startFeed(Feed& f) {
    JsonPtr req = jsonObject();
    jsonSet(req.get(), "request", "start");
    jsonSet(req.get(), "srtp_suite", settings_.srtpSuite);
    // A key per stream: a packet of one stream, replayed to another stream's port, does not authenticate.
    jsonSet(req.get(), "srtp_keys", "per_stream");
    if (!settings_.policy.empty()) jsonSet(req.get(), "policy", settings_.policy);
    JsonPtr streams = jsonArray();
    std::vector<int> order;
    for (const auto& [mindex, info] : f.streams) {
        if (order.size() == kMaxStreams) break;  // the recorder's limit per recording: reported below
        JsonPtr st = jsonObject();
        jsonSet(st.get(), "kind", info.video ? "video" : "audio");
        jsonSet(st.get(), "codec", info.codec);
        jsonSet(st.get(), "mid", std::to_string(mindex));
        json_array_append_new(streams.get(), st.release());
        order.push_back(mindex);
    }
    jsonSet(req.get(), "streams", std::move(streams));
    try {
        JsonPtr ans = recorder_(req.get());
        // The answer carries the streams' SRTP keys: wiped in it before it is freed, on every path.
        struct WipeKeys {
            json_t* answer;
            ~WipeKeys() {
                size_t i;
                json_t* st;
                json_array_foreach(json_object_get(answer, "streams"), i, st) zeroizeJsonString(st, "srtp_crypto");
                zeroizeJsonString(answer, "srtp_crypto");
            }
        } wipe{ans.get()};
        if (auto code = jsonInt(ans.get(), "error_code"))
            throw Error(static_cast<int>(*code), std::string(jsonString(ans.get(), "error").value_or("refused")));
        std::string id(jsonString(ans.get(), "recording").value_or(""));
        std::string host(jsonString(ans.get(), "host").value_or(""));
        int64_t suite = jsonInt(ans.get(), "srtp_suite").value_or(0);
        const json_t* ports = json_object_get(ans.get(), "streams");
        sockaddr_in base{};
        base.sin_family = AF_INET;
        if (id.empty() || json_array_size(ports) != order.size() || ::inet_pton(AF_INET, host.c_str(), &base.sin_addr) != 1)
            throw Error(errc::kInternal, "unexpected answer from the recorder");
        std::map<int, Sender> senders;
        for (size_t i = 0; i < order.size(); ++i) {
            const json_t* st = json_array_get(ports, i);
            std::optional<Bytes> decoded = base64Decode(jsonString(st, "srtp_crypto").value_or(""));
            if (!decoded) throw Error(errc::kInternal, "unexpected answer from the recorder (no stream key)");
            SecretBytes key(decoded->begin(), decoded->end());
            zeroize(decoded->data(), decoded->size());
            Sender snd;
            snd.address = base;
            snd.address.sin_port = htons(static_cast<uint16_t>(jsonInt(st, "port").value_or(0)));
            snd.srtp = std::make_unique<SrtpProtector>(static_cast<int>(suite), key);
            senders.emplace(order[i], std::move(snd));
        }
        f.senders = std::move(senders);
        f.recording = id;
        f.writeFailed = false;
        {
            std::lock_guard lock(mutex_);
            recordings_.push_back(id);
        }
        if (f.streams.size() > kMaxStreams) {
            log_.error("recording tap: a feed has " + std::to_string(f.streams.size()) + " streams; only " +
                       std::to_string(kMaxStreams) + " are recorded");
            report("too_many_streams", id);
        }
    } catch (const std::exception& e) {
        f.failed = true;
        failed_.fetch_add(1, std::memory_order_relaxed);
        log_.error(std::string("recording tap: recorder start failed: ") + e.what());
        report("start_failed", {});
    }
}

void RecordingTap::poll() {
    for (auto& [feed, f] : feeds_) {
        if (f.recording.empty() || f.writeFailed) continue;
        JsonPtr req = jsonObject();
        jsonSet(req.get(), "request", "status");
        jsonSet(req.get(), "recording", f.recording);
        try {
            JsonPtr ans = recorder_(req.get());
            if (jsonString(ans.get(), "failure")) {
                f.writeFailed = true;
                report("write_failed", f.recording);
            }
        } catch (const std::exception&) {
            // asked again at the next poll; start/stop report their own failures
        }
    }
}

void RecordingTap::report(const char* reason, const std::string& recording) {
    failures_.fetch_add(1, std::memory_order_relaxed);
    if (!settings_.onFailure) return;
    try {
        settings_.onFailure(reason, recording);
    } catch (const std::exception& e) {
        log_.error(std::string("recording tap: failure report lost: ") + e.what());
    }
}

void RecordingTap::stopFeed(Feed& f) {
    if (f.recording.empty()) return;
    JsonPtr req = jsonObject();
    jsonSet(req.get(), "request", "stop");
    jsonSet(req.get(), "recording", f.recording);
    try {
        JsonPtr ans = recorder_(req.get());
        if (jsonString(ans.get(), "status").value_or("sealed") != "sealed" && !f.writeFailed)
            report("write_failed", f.recording);
    } catch (const std::exception& e) {
        // e.g. the manifest could not be written: the recording is left interrupted, not sealed
        log_.error(std::string("recording tap: recorder stop failed: ") + e.what());
        report("stop_failed", f.recording);
    }
    {
        std::lock_guard lock(mutex_);
        stopped_.push_back(f.recording);
    }
    f.recording.clear();
    f.senders.clear();
}

void RecordingTap::stopAll() {
    for (auto& [feed, f] : feeds_) stopFeed(f);
}

}  // namespace hipaa::room

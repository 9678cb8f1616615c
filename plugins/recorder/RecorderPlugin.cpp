#include "RecorderPlugin.hpp"

#include "hipaa/InProcessAdmin.hpp"

#include "RecorderErrors.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/JcfgParser.hpp"
#include "hipaa/SecureRandom.hpp"
#include "hipaa/SecretFile.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <cerrno>
#include <chrono>
#include <filesystem>

namespace hipaa::recorder {
namespace {

int64_t wallMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string requireRecordingId(const json_t* request) {
    std::string id(jsonRequireString(request, "recording"));
    if (!recordingIdFromHex(id)) throw RequestError(errc::kInvalidField, "recording must be 32 hex digits");
    return id;
}

std::string requireReason(const json_t* request) {
    std::string reason(jsonRequireString(request, "reason"));
    if (reason.empty() || reason.size() > 256) throw RequestError(errc::kInvalidField, "reason must be 1-256 characters");
    return reason;
}

JsonPtr ok(const std::string& id) {
    JsonPtr j = jsonObject();
    jsonSet(j.get(), "recorder", "ok");
    if (!id.empty()) jsonSet(j.get(), "recording", id);
    return j;
}

}  // namespace

void ensurePrivateDirectory(const std::string& dir, const std::string& key) {
    if (dir.empty() || dir[0] != '/') throw ConfigError(key + ": must be an absolute path");
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) {
        if (errno != ENOENT || ::mkdir(dir.c_str(), 0700) != 0 || ::stat(dir.c_str(), &st) != 0)
            throw ConfigError(key + ": cannot create " + dir);
    }
    if (!S_ISDIR(st.st_mode)) throw ConfigError(key + ": " + dir + " is not a directory");
    if ((st.st_mode & 077) != 0) throw ConfigError(key + ": " + dir + " must not be accessible to group or others (chmod 700)");
}

RecorderPlugin::RecorderPlugin(Config config, Logger log, MediaHost& host)
    : config_(std::move(config)), log_(std::move(log)), host_(host) {
    recordingsDir_ = config_.string("general.recordings_dir", "/var/lib/janus-hipaa/recordings");
    exportDir_ = config_.string("general.export_dir", recordingsDir_ + "/exports");
    // Defaults match the sample; the files are loaded (and their modes checked) only after every
    // key and folder was validated, so a typo is reported before a missing key file.
    std::string keyringPath = config_.secretPath("general.keyring", "/etc/janus/hipaa/recorder-keyring");
    std::string signingPath = config_.secretPath("general.signing_key", "/etc/janus/hipaa/recorder-signing.key");
    IngestSettings ingest;
    ingest.address = rtpAddress_ = config_.string("general.rtp_address", "127.0.0.1");
    ingest.portMin = static_cast<int>(config_.integer("general.rtp_port_min", 20000, 1024, 65535));
    ingest.portMax = static_cast<int>(config_.integer("general.rtp_port_max", 20999, 1024, 65535));
    ingest.chunkMs = config_.integer("general.chunk_ms", 1000, 10, 60000);
    chunkBytes_ = config_.integer("general.chunk_bytes", 65536, 1024, 4 << 20);
    exportTtlMs_ = RetentionPolicy::parseDuration(config_.string("general.export_ttl", "1h"), "general.export_ttl");
    sweepMs_ = config_.integer("general.sweep_seconds", 60, 1, 86400) * 1000;
    defaultPolicy_ = config_.string("general.default_policy", "standard");
    RetentionPolicies policies;
    if (const json_t* cat = config_.category("policies")) {
        const char* name;
        json_t* value;
        json_object_foreach(const_cast<json_t*>(cat), name, value) {
            std::string key = std::string("policies.") + name;
            if (!json_is_string(value)) throw ConfigError(key + ": must be a duration string such as \"30d\"");
            policies[name] = RetentionPolicy{name, RetentionPolicy::parseDuration(json_string_value(value), key)};
        }
    }
    // Without a `policies` category: six years, the HIPAA retention period for documentation.
    if (policies.empty()) policies["standard"] = RetentionPolicy{"standard", 2190LL * 86'400'000};
    config_.finish();
    if (!policies.count(defaultPolicy_)) throw ConfigError("general.default_policy: no such policy in `policies`");
    ensurePrivateDirectory(recordingsDir_, "general.recordings_dir");
    ensurePrivateDirectory(exportDir_, "general.export_dir");
    keyring_ = loadSecret("general.keyring", [&] { return Keyring::fromFile(keyringPath); });
    signer_.emplace(loadSecret("general.signing_key", [&] { return Ed25519Signer::fromKeyFile(signingPath); }));
    store_ = std::make_unique<RecordingStore>(recordingsDir_, keyring_, *signer_, std::move(policies));
    ingest_ = std::make_unique<IngestServer>(ingest, log_);
    sweeper_ = std::thread([this] { sweeperLoop(); });
    // The room plugin in the same process starts and stops consult recordings through this.
    InProcessAdmin::instance().provide(kRecorderInfo.package, [this](const json_t* r) { return handleAdmin(r); });
}

RecorderPlugin::~RecorderPlugin() {
    InProcessAdmin::instance().withdraw(kRecorderInfo.package);  // waits for in-process calls in flight
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    sweeperCv_.notify_all();
    if (sweeper_.joinable()) sweeper_.join();
    // Seal what is still recording, so a clean shutdown never leaves an interrupted recording.
    if (ingest_) {
        for (const auto& id : ingest_->recordings()) {
            try {
                stop(id);
            } catch (const std::exception& e) {
                log_.error(std::string("sealing at shutdown failed: ") + e.what());
            }
        }
    }
}

std::unique_ptr<MediaPluginCore> RecorderPlugin::create(const std::string& configFile, Logger log, MediaHost& host) {
    return std::make_unique<RecorderPlugin>(Config(JcfgParser::parseFile(configFile), configFile), std::move(log), host);
}

void RecorderPlugin::createSession(SessionId session) {
    std::lock_guard lock(mutex_);
    sessions_.insert(session);
}

void RecorderPlugin::destroySession(SessionId session) {
    std::lock_guard lock(mutex_);
    sessions_.erase(session);
}

MediaPluginCore::Reply RecorderPlugin::handleMessage(SessionId, const std::string&, JsonPtr message, JsonPtr) {
    if (!json_is_object(message.get())) throw RequestError(errc::kInvalidJson, "message must be a JSON object");
    jsonRequireString(message.get(), "request");
    return Reply::ok(jsonError(errc::kNotImplemented, "the recorder is controlled through the Admin API (message_plugin)"));
}

void RecorderPlugin::notify(const char* event, const std::string& id, JsonPtr extra) {
    if (!host_.eventsEnabled()) return;
    JsonPtr e = extra ? std::move(extra) : jsonObject();
    jsonSet(e.get(), "event", event);
    jsonSet(e.get(), "recording", id);
    host_.notifyEvent(0, e.get());
}

JsonPtr RecorderPlugin::handleAdmin(const json_t* request) {
    if (!json_is_object(request)) throw RequestError(errc::kInvalidJson, "request must be a JSON object");
    std::string what(jsonRequireString(request, "request"));
    if (what == "info") {
        JsonPtr info = infoResponse(kRecorderInfo, config_.effective());
        jsonSet(info.get(), "active", static_cast<uint64_t>(ingest_->recordings().size()));
        {
            std::lock_guard lock(mutex_);
            jsonSet(info.get(), "sessions", static_cast<uint64_t>(sessions_.size()));
        }
        jsonSet(info.get(), "key_version", static_cast<int64_t>(keyring_.newest()));
        jsonSet(info.get(), "signing_public_key", hexEncode(signer_->publicKey()));
        return info;
    }
    if (what == "start") return start(request);
    if (what == "list") {
        JsonPtr j = ok("");
        jsonSet(j.get(), "recordings", store_->list());
        return j;
    }
    static const std::set<std::string> kPerRecording{"stop", "status", "hold", "release", "delete", "verify", "rewrap", "export"};
    if (!kPerRecording.count(what)) throw RequestError(errc::kUnknownRequest, "unknown request");
    std::string id = requireRecordingId(request);
    if (what == "stop") return stop(id);
    if (what == "status") return status(id);
    if (what == "hold") {
        store_->hold(id, requireReason(request));
        notify("hold", id);
        return ok(id);
    }
    if (what == "release") {
        store_->release(id, requireReason(request));
        notify("released", id);
        return ok(id);
    }
    if (what == "delete") {
        std::string reason = requireReason(request);
        std::lock_guard control(controlMutex_);
        JsonPtr receipt = store_->remove(id, reason, wallMs());
        JsonPtr e = jsonObject();
        jsonSet(e.get(), "trigger", "request");
        jsonSet(e.get(), "receipt", jsonRetain(receipt.get()));
        notify("deleted", id, std::move(e));
        JsonPtr j = ok(id);
        jsonSet(j.get(), "receipt", std::move(receipt));
        return j;
    }
    if (what == "verify") {
        JsonPtr report = store_->verify(id);
        JsonPtr e = jsonObject();
        jsonSet(e.get(), "ok", jsonBool(report.get(), "ok").value_or(false));
        notify("verified", id, std::move(e));
        JsonPtr j = ok(id);
        jsonSet(j.get(), "verification", std::move(report));
        return j;
    }
    if (what == "rewrap") {
        uint32_t v = store_->rewrap(id);
        JsonPtr e = jsonObject();
        jsonSet(e.get(), "key_version", static_cast<int64_t>(v));
        notify("rewrapped", id, std::move(e));
        JsonPtr j = ok(id);
        jsonSet(j.get(), "key_version", static_cast<int64_t>(v));
        return j;
    }
    if (what == "export") return exportRecording(id);
    throw RequestError(errc::kUnknownRequest, "unknown request");
}

JsonPtr RecorderPlugin::start(const json_t* request) {
    const json_t* streams = json_object_get(request, "streams");
    if (!streams) throw RequestError(errc::kMissingField, "missing field: streams");
    if (!json_is_array(streams) || json_array_size(streams) == 0 || json_array_size(streams) > 8)
        throw RequestError(errc::kInvalidField, "streams must be an array of 1-8 streams");
    std::vector<StreamSpec> specs;
    size_t i;
    json_t* s;
    json_array_foreach(streams, i, s) {
        StreamSpec spec;
        std::string_view kind = jsonRequireString(s, "kind");
        if (kind == "audio") spec.kind = StreamKind::Audio;
        else if (kind == "video") spec.kind = StreamKind::Video;
        else throw RequestError(errc::kInvalidField, "stream kind must be audio or video");
        spec.codec = std::string(jsonRequireString(s, "codec"));
        spec.mid = std::string(jsonString(s, "mid").value_or(std::to_string(i)));
        RecordingHeader probe;
        probe.codec = spec.codec;
        probe.mid = spec.mid;
        probe.kind = spec.kind;
        probe.fixedBytes();  // validates codec and mid (Error kInvalidField)
        specs.push_back(spec);
    }
    std::string policy(jsonString(request, "policy").value_or(defaultPolicy_));
    if (!store_->policies().count(policy)) throw RequestError(kRecorderUnknownPolicy, "unknown retention policy");
    int64_t suite = jsonInt(request, "srtp_suite").value_or(80);
    if (suite != 32 && suite != 80) throw RequestError(errc::kInvalidField, "srtp_suite must be 32 or 80");

    std::lock_guard control(controlMutex_);
    RecordingId rid{};
    secureRandom(rid);
    std::string id = recordingIdHex(rid);
    Bytes srtpKey = secureRandomBytes(SrtpSession::kMasterLength);
    Bytes dataKey = secureRandomBytes(32);
    std::vector<std::string> paths = store_->create(id, policy, specs);
    std::vector<IngestServer::StreamSink> sinks;
    std::vector<int> ports;
    try {
        for (size_t k = 0; k < specs.size(); ++k) {
            RecordingHeader h;
            h.recordingId = rid;
            h.kind = specs[k].kind;
            h.codec = specs[k].codec;
            h.mid = specs[k].mid;
            h.chunkSize = static_cast<uint32_t>(chunkBytes_);
            IngestServer::StreamSink sink;
            sink.writer = std::make_unique<RecordingWriter>(paths[k], h, dataKey, keyring_);
            sink.srtp = std::make_unique<SrtpSession>(static_cast<int>(suite), srtpKey);
            sinks.push_back(std::move(sink));
        }
        ports = ingest_->open(id, std::move(sinks));
    } catch (...) {
        OPENSSL_cleanse(dataKey.data(), dataKey.size());
        OPENSSL_cleanse(srtpKey.data(), srtpKey.size());
        // Nothing was received: the started files are sealed empty and the recording is marked
        // interrupted, so no half-registered recording remains.
        store_->markInterrupted(id);
        throw;
    }
    OPENSSL_cleanse(dataKey.data(), dataKey.size());
    JsonPtr j = ok(id);
    jsonSet(j.get(), "host", rtpAddress_);
    jsonSet(j.get(), "srtp_suite", suite);
    jsonSet(j.get(), "srtp_crypto", base64Encode(srtpKey));
    OPENSSL_cleanse(srtpKey.data(), srtpKey.size());
    jsonSet(j.get(), "policy", policy);
    JsonPtr out = jsonArray();
    for (size_t k = 0; k < specs.size(); ++k) {
        JsonPtr e = jsonObject();
        jsonSet(e.get(), "mid", specs[k].mid);
        jsonSet(e.get(), "kind", specs[k].kind == StreamKind::Audio ? "audio" : "video");
        jsonSet(e.get(), "port", ports[k]);
        json_array_append_new(out.get(), jsonRelease(std::move(e)));
    }
    jsonSet(j.get(), "streams", std::move(out));
    JsonPtr e = jsonObject();
    jsonSet(e.get(), "policy", policy);
    jsonSet(e.get(), "streams", static_cast<int64_t>(specs.size()));
    notify("started", id, std::move(e));
    return j;
}

JsonPtr RecorderPlugin::stop(const std::string& id) {
    std::lock_guard control(controlMutex_);
    if (!store_->exists(id)) throw RequestError(kRecorderUnknownRecording, "no such recording");
    std::vector<StreamCounters> counters = ingest_->counters(id);
    std::vector<FileSummary> files = ingest_->close(id);
    if (files.empty()) throw RequestError(kRecorderNotActive, "recording is not active");
    store_->sealed(id, files);
    JsonPtr j = ok(id);
    JsonPtr arr = jsonArray();
    uint64_t packets = 0, failed = 0;
    for (size_t k = 0; k < files.size(); ++k) {
        JsonPtr e = jsonObject();
        jsonSet(e.get(), "file", files[k].file);
        jsonSet(e.get(), "sha256", hexEncode(files[k].sha256));
        jsonSet(e.get(), "packets", files[k].packets);
        jsonSet(e.get(), "chunks", files[k].chunks);
        jsonSet(e.get(), "bytes", files[k].bytes);
        if (k < counters.size()) {
            jsonSet(e.get(), "srtp_failed", counters[k].srtpFailed);
            failed += counters[k].srtpFailed;
        }
        packets += files[k].packets;
        json_array_append_new(arr.get(), jsonRelease(std::move(e)));
    }
    jsonSet(j.get(), "files", std::move(arr));
    JsonPtr e = jsonObject();
    jsonSet(e.get(), "packets", packets);
    jsonSet(e.get(), "srtp_failed", failed);
    notify("stopped", id, std::move(e));
    return j;
}

JsonPtr RecorderPlugin::status(const std::string& id) {
    JsonPtr j = store_->describe(id);
    if (ingest_->active(id)) {
        JsonPtr arr = jsonArray();
        for (const auto& c : ingest_->counters(id)) {
            JsonPtr e = jsonObject();
            jsonSet(e.get(), "received", c.received);
            jsonSet(e.get(), "recorded", c.recorded);
            jsonSet(e.get(), "srtp_failed", c.srtpFailed);
            jsonSet(e.get(), "bytes", c.bytes);
            json_array_append_new(arr.get(), jsonRelease(std::move(e)));
        }
        jsonSet(j.get(), "counters", std::move(arr));
    }
    return j;
}

JsonPtr RecorderPlugin::exportRecording(const std::string& id) {
    std::string prefix = id + "-" + std::to_string(wallMs());
    std::vector<std::string> files = store_->exportMjr(id, exportDir_, prefix);
    JsonPtr j = ok(id);
    JsonPtr arr = jsonArray();
    for (const auto& f : files) json_array_append_new(arr.get(), json_string(f.c_str()));
    jsonSet(j.get(), "files", std::move(arr));
    jsonSet(j.get(), "expires_ms", wallMs() + exportTtlMs_);
    JsonPtr e = jsonObject();
    jsonSet(e.get(), "files", static_cast<int64_t>(files.size()));
    notify("exported", id, std::move(e));
    return j;
}

int RecorderPlugin::sweep(int64_t nowMs) {
    int deleted = 0;
    for (const auto& id : store_->expired(nowMs)) {
        try {
            std::lock_guard control(controlMutex_);
            JsonPtr receipt = store_->remove(id, "retention policy", nowMs);
            JsonPtr e = jsonObject();
            jsonSet(e.get(), "trigger", "retention");
            jsonSet(e.get(), "receipt", std::move(receipt));
            notify("deleted", id, std::move(e));
            ++deleted;
        } catch (const std::exception& ex) {
            // A hold placed since expired() was computed lands here too: skipped, retried next sweep.
            log_.warn(std::string("retention sweep skipped a recording: ") + ex.what());
        }
    }
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(exportDir_, ec)) {
        struct stat st {};
        if (::stat(entry.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        int64_t mtimeMs = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
        if (nowMs - mtimeMs >= exportTtlMs_) ::unlink(entry.path().c_str());
    }
    return deleted;
}

void RecorderPlugin::sweeperLoop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        sweeperCv_.wait_for(lock, std::chrono::milliseconds(sweepMs_), [this] { return stopping_; });
        if (stopping_) break;
        lock.unlock();
        try {
            sweep(wallMs());
        } catch (const std::exception& e) {
            log_.error(std::string("retention sweep failed: ") + e.what());
        }
        lock.lock();
    }
}

JsonPtr RecorderPlugin::querySession(SessionId session) {
    JsonPtr j = jsonObject();
    jsonSet(j.get(), "session", session);
    return j;
}

}  // namespace hipaa::recorder

// SPDX-License-Identifier: GPL-3.0-or-later
#include "RecorderPlugin.hpp"

#include "CopySelection.hpp"
#include "HeldLease.hpp"
#include "PatientCopyBuilder.hpp"
#include "RecorderConfig.hpp"
#include "RecorderErrors.hpp"
#include "RecordingAccess.hpp"
#include "RecordingContextJson.hpp"
#include "WriteError.hpp"
#include "hipaa/Clock.hpp"
#include "hipaa/ConfigTrail.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/JcfgParser.hpp"
#include "hipaa/JsonBuilder.hpp"
#include "hipaa/SecureRandom.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <map>

namespace hipaa::recorder {
namespace {

std::string requireRecordingId(const json_t* request) {
    std::string id(jsonRequireString(request, "recording"));
    if (!recordingIdFromHex(id)) throw RequestError(errc::kInvalidField, "recording must be 32 hex digits");
    return id;
}

std::string requireReason(const json_t* request) {
    std::string reason(jsonRequireString(request, "reason"));
    if (reason.empty() || reason.size() > 256)
        throw RequestError(errc::kInvalidField, "reason must be 1-256 characters");
    return reason;
}

// A stream as `start` takes it; the header's rules check codec and mid (Error kInvalidField).
StreamSpec streamSpec(StreamKind kind, std::string codec, std::string mid) {
    StreamSpec spec;
    spec.kind = kind;
    spec.codec = std::move(codec);
    spec.mid = std::move(mid);
    RecordingHeader probe;
    probe.codec = spec.codec;
    probe.mid = spec.mid;
    probe.kind = spec.kind;
    probe.fixedBytes();
    return spec;
}

// Long enough to ride out a slow statement or a short network blip, short enough that a crashed
// instance's leases lapse before an operator retries. Renewed every third of it.
constexpr std::chrono::milliseconds kLeaseTtl{30000};

// The answer's envelope ("hipaa.recorder": "success") is added by the glue (envelopeAnswer).
JsonPtr ok(const std::string& id) { return JsonBuilder().set("recording", id).build(); }

}  // namespace

void ensurePrivateDirectory(const std::string& dir, const std::string& key) {
    if (dir.empty() || dir[0] != '/') throw ConfigError(key + ": must be an absolute path");
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) {
        if (errno != ENOENT || ::mkdir(dir.c_str(), 0700) != 0 || ::stat(dir.c_str(), &st) != 0)
            throw ConfigError(key + ": cannot create " + dir);
    }
    if (!S_ISDIR(st.st_mode)) throw ConfigError(key + ": " + dir + " is not a directory");
    if ((st.st_mode & 077) != 0)
        throw ConfigError(key + ": " + dir + " must not be accessible to group or others (chmod 700)");
}

RecorderPlugin::RecorderPlugin(Config config, Logger log, MediaHost& host)
    : config_(std::move(config)), log_(std::move(log)), host_(host) {
    RecorderConfig c = RecorderConfig::read(config_);
    recordingsDir_ = c.recordingsDir;
    exportDir_ = c.exportDir;
    rtpAddress_ = c.ingest.address;
    chunkBytes_ = c.chunkBytes;
    exportTtlMs_ = c.exportTtlMs;
    sweepMs_ = c.sweepMs;
    defaultPolicy_ = c.defaultPolicy;
    copyConverter_ = c.copyConverter;
    copyTimeoutMs_ = c.copyTimeoutMs;
    ensurePrivateDirectory(recordingsDir_, "general.recordings_dir");
    ensurePrivateDirectory(exportDir_, "general.export_dir");
    refuseOverlap(recordingsDir_, exportDir_);  // both exist now: symlinks resolved
    keyring_ = c.loadKeyring();
    signer_.emplace(c.loadSigner());
    gate_ =
        std::make_unique<ActorGate>(std::string(kRecorderInfo.package), c.actors.development, c.actors.loadVerifier());
    if (c.actors.development)
        log_.warn(
            "general.development is true: the Admin API secret alone is enough for every request "
            "(never for real visits)");
    RetentionPolicies policies = c.policies;
    IngestSettings ingest = c.ingest;
    instanceId_ = c.cluster.instanceId;
    store_ = std::make_unique<RecordingStore>(recordingsDir_, exportDir_, keyring_, *signer_, std::move(policies),
                                              StoreSharing{c.cluster.shared(), c.cluster.instanceId});
    if (c.cluster.shared()) {
        leases_ = std::make_unique<RecordingLeases>(c.cluster.conninfo, instanceId_, kLeaseTtl);
        keeper_ = std::make_unique<LeaseKeeper>(*leases_, log_);
    }
    auto onWriteFailure = [this](const std::string& id, size_t stream, int errnum) { writeFailed(id, stream, errnum); };
    ingest_ = std::make_unique<IngestServer>(ingest, log_, onWriteFailure);
    inProcess_ = std::make_unique<InProcessIngest>(ingest.chunkMs, log_, onWriteFailure);
    sweeper_ = std::thread([this] { sweeperLoop(); });
    // The room plugin in the same process records its consults through this.
    RecordingSink::inProcess().provide(*this);
    // The FHIR handler reads a visit's kept chat and documents through this.
    KeptRecordSource::inProcess().provide(*this);
    // One state file per instance: several may share recordings_dir.
    ConfigTrail::record(std::string(kRecorderInfo.package), config_,
                        recordingsDir_ + "/config-state." + instanceId_ + ".json", log_);
}

RecorderPlugin::~RecorderPlugin() {
    KeptRecordSource::inProcess().withdraw(*this);  // waits for in-process reads in flight
    RecordingSink::inProcess().withdraw(*this);     // waits for in-process calls in flight
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    sweeperCv_.notify_all();
    if (sweeper_.joinable()) sweeper_.join();
    // Seal what is still recording, so a clean shutdown never leaves an interrupted recording.
    std::vector<std::string> open = ingest_->recordings(), direct = inProcess_->recordings();
    open.insert(open.end(), direct.begin(), direct.end());
    for (const auto& id : open) {
        try {
            seal(id);
        } catch (const std::exception& e) {
            log_.error(std::string("sealing at shutdown failed: ") + e.what());
        }
    }
    if (keeper_) {
        keeper_.reset();
        try {
            leases_->releaseAll();  // else they lapse after the ttl
        } catch (const std::exception&) {
        }
    }
}

std::unique_ptr<MediaPluginCore> RecorderPlugin::create(const std::string& configFile, Logger log, MediaHost& host) {
    return std::make_unique<RecorderPlugin>(Config(JcfgParser::parseFile(configFile), configFile), std::move(log),
                                            host);
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
    return Reply::ok(
        jsonError(errc::kNotImplemented, "the recorder is controlled through the Admin API (message_plugin)"));
}

void RecorderPlugin::notify(const char* event, const std::string& id, JsonPtr extra) {
    if (!host_.eventsEnabled()) return;
    JsonPtr e = JsonBuilder().set("event", event).set("recording", id).build();
    if (extra) json_object_update(e.get(), extra.get());
    host_.notifyEvent(0, e.get());
}

JsonPtr RecorderPlugin::handleAdmin(const json_t* request) {
    if (!json_is_object(request)) throw RequestError(errc::kInvalidJson, "request must be a JSON object");
    std::string what(jsonRequireString(request, "request"));
    if (what == "info") {
        size_t sessions;
        {
            std::lock_guard lock(mutex_);
            sessions = sessions_.size();
        }
        JsonPtr info = infoResponse(kRecorderInfo, config_.effective());
        if (leases_)
            json_object_update(info.get(), JsonBuilder()
                                               .set("instance_id", instanceId_)
                                               .set("cluster_reachable", keeper_->reachable())
                                               .set("leases_held", static_cast<uint64_t>(leases_->held()))
                                               .set("leases_pending", static_cast<uint64_t>(keeper_->pending()))
                                               .build()
                                               .get());
        json_object_update(info.get(), JsonBuilder()
                                           .set("active", static_cast<uint64_t>(ingest_->recordings().size() +
                                                                                inProcess_->recordings().size()))
                                           .set("sessions", static_cast<uint64_t>(sessions))
                                           .set("write_failures", writeFailures_.load())
                                           .set("retention_deleted", retentionDeleted_.load())
                                           .set("key_version", static_cast<int64_t>(keyring_.newest()))
                                           .set("signing_public_key", hexEncode(signer_->publicKey()))
                                           .build()
                                           .get());
        return info;
    }
    if (what == "start") return startRequest(request);
    if (what == "stats") return stats();
    if (what == "patient_copy") return patientCopy(request);
    if (what == "list") return listRequest(request);
    static const std::set<std::string> kPerRecording{"stop",   "status", "hold",   "release",
                                                     "delete", "verify", "rewrap", "export"};
    if (!kPerRecording.count(what)) throw RequestError(errc::kUnknownRequest, "unknown request");
    std::string id = requireRecordingId(request);
    if (what == "stop") return stopRequest(id);
    // Everything else reads or changes a recording, its keys, retention or hold: who asks, first.
    ActorDecision actor = admitTo(request, what, id);
    if (what == "status") {
        JsonPtr j = status(id);
        RecordingAccess::narrow(actor, j.get());
        return j;
    }
    if (what == "hold") {
        std::string reason = requireReason(request);
        return leased(id, [&] {
            store_->hold(id, reason);
            notify("hold", id);
            return ok(id);
        });
    }
    if (what == "release") {
        std::string reason = requireReason(request);
        return leased(id, [&] {
            store_->release(id, reason);
            notify("released", id);
            return ok(id);
        });
    }
    if (what == "delete") {
        std::string reason = requireReason(request);
        // No controlMutex_: the store refuses a recording that is still recording, and deleting an
        // hour of video must not hold up every start and stop.
        return leased(id, [&] {
            JsonPtr receipt = store_->remove(id, reason, Clock::wallMs());
            JsonPtr e = JsonBuilder().set("trigger", "request").set("receipt", jsonRetain(receipt.get())).build();
            notify("deleted", id, std::move(e));
            return JsonBuilder().set("recording", id).set("receipt", std::move(receipt)).build();
        });
    }
    if (what == "verify") {
        JsonPtr report = store_->verify(id);
        JsonPtr e = JsonBuilder().set("ok", jsonBool(report.get(), "ok").value_or(false)).build();
        notify("verified", id, std::move(e));
        return JsonBuilder().set("recording", id).set("verification", std::move(report)).build();
    }
    if (what == "rewrap") {
        uint32_t v = 0;
        leased(id, [&] {
            v = store_->rewrap(id);
            return JsonPtr();
        });
        JsonPtr e = JsonBuilder().set("key_version", static_cast<int64_t>(v)).build();
        notify("rewrapped", id, std::move(e));
        return JsonBuilder().set("recording", id).set("key_version", static_cast<int64_t>(v)).build();
    }
    if (what == "export") return exportRecording(id);
    throw RequestError(errc::kUnknownRequest, "unknown request");
}

JsonPtr RecorderPlugin::listRequest(const json_t* request) {
    ActorDecision actor = gate_->admit(request, "recording.list", nullptr);
    gate_->allow(actor, nullptr);
    JsonPtr all = store_->list();
    JsonPtr shown = jsonArray();
    size_t i;
    json_t* entry;
    json_array_foreach(all.get(), i, entry) {
        if (!RecordingAccess::listed(actor, entry)) continue;
        RecordingAccess::narrow(actor, entry);
        json_array_append(shown.get(), entry);
    }
    return JsonBuilder().set("recordings", std::move(shown)).build();
}

ActorDecision RecorderPlugin::admitTo(const json_t* request, const std::string& what, const std::string& id) {
    JsonPtr object = JsonBuilder().set("recording", id).build();
    ActorDecision actor = gate_->admit(request, "recording." + what, object);
    // Who took part and the status decide (bookkeeping, not the recording); an unknown id is refused
    // like someone else's recording unless the role sees every recording anyway.
    JsonPtr entry;
    try {
        entry = store_->describe(id);
    } catch (const RequestError& e) {
        if (e.code() != errc::kUnknownRecording) throw;
    }
    if (auto visit = jsonString(entry.get(), "visit"); visit && !visit->empty()) jsonSet(object.get(), "visit", *visit);
    std::string reason = RecordingAccess::refusal(actor, entry.get());
    if (reason == "not_a_participant")
        gate_->refuse(actor, object, reason, "only a participant of the recorded visit may " + actor.action);
    if (reason == "not_sealed") gate_->refuse(actor, object, reason, "the recording is not sealed yet");
    if (!reason.empty()) gate_->refuse(actor, object, reason, "the role " + actor.role + " may not " + actor.action);
    gate_->allow(actor, object);
    return actor;
}

JsonPtr RecorderPlugin::startRequest(const json_t* request) {
    const json_t* streams = json_object_get(request, "streams");
    if (!streams) throw RequestError(errc::kMissingField, "missing field: streams");
    if (!json_is_array(streams) || json_array_size(streams) == 0 || json_array_size(streams) > 8)
        throw RequestError(errc::kInvalidField, "streams must be an array of 1-8 streams");
    std::vector<StreamSpec> specs;
    specs.reserve(json_array_size(streams));
    size_t i;
    json_t* s;
    json_array_foreach(streams, i, s) {
        if (!json_is_object(s)) throw RequestError(errc::kInvalidField, "streams: entries must be objects");
        StreamKind kind;
        std::string_view k = jsonRequireString(s, "kind");
        if (k == "audio")
            kind = StreamKind::Audio;
        else if (k == "video")
            kind = StreamKind::Video;
        else
            throw RequestError(errc::kInvalidField, "stream kind must be audio or video");
        std::string codec(jsonRequireString(s, "codec"));
        auto mid = jsonOptionalString(s, "mid");
        specs.push_back(streamSpec(kind, std::move(codec), mid ? std::string(*mid) : std::to_string(i)));
    }
    auto policyField = jsonOptionalString(request, "policy", 1, 64);
    int64_t suite = jsonOptionalInt(request, "srtp_suite").value_or(80);
    if (suite != 32 && suite != 80) throw RequestError(errc::kInvalidField, "srtp_suite must be 32 or 80");
    // shared: one key for every stream (one VideoRoom rtp_forward; each port then pins its SSRC);
    // per_stream: a key per stream (one rtp_forward per stream).
    const std::string keys(jsonOptionalString(request, "srtp_keys").value_or("shared"));
    if (keys != "shared" && keys != "per_stream")
        throw RequestError(errc::kInvalidField, "srtp_keys must be \"shared\" or \"per_stream\"");
    const bool perStream = keys == "per_stream";
    std::string policy = policyField ? std::string(*policyField) : defaultPolicy_;
    std::optional<RecordingContext> context = RecordingContextJson::fromRequest(request);

    std::vector<Bytes> srtpKeys;
    struct Wipe {
        std::vector<Bytes>& keys;
        ~Wipe() {
            for (auto& key : keys) OPENSSL_cleanse(key.data(), key.size());
        }
    } wipe{srtpKeys};
    for (size_t k = 0; k < (perStream ? specs.size() : 1); ++k)
        srtpKeys.push_back(secureRandomBytes(SrtpSession::kMasterLength));
    std::vector<int> ports;
    std::string id = open(
        specs, policy, context, [&](const std::string& rid, std::vector<std::unique_ptr<RecordingWriter>> writers) {
            std::vector<IngestServer::StreamSink> sinks;
            for (size_t k = 0; k < writers.size(); ++k) {
                IngestServer::StreamSink sink;
                sink.writer = std::move(writers[k]);
                sink.srtp = std::make_unique<SrtpSession>(static_cast<int>(suite), srtpKeys[perStream ? k : 0]);
                sink.pinSsrc = !perStream;
                sinks.push_back(std::move(sink));
            }
            ports = ingest_->open(rid, std::move(sinks));
        });
    // The keys leave only in this answer (the caller hands them to rtp_forward); the local copies
    // and their base64 text are wiped.
    auto setKey = [](JsonBuilder& b, const Bytes& key) {
        std::string text = base64Encode(key);
        b.set("srtp_crypto", text);
        OPENSSL_cleanse(text.data(), text.size());
    };
    JsonPtr out = jsonArray();
    for (size_t k = 0; k < specs.size(); ++k) {
        JsonBuilder e;
        e.set("mid", specs[k].mid)
            .set("kind", specs[k].kind == StreamKind::Audio ? "audio" : "video")
            .set("port", ports[k]);
        if (perStream) setKey(e, srtpKeys[k]);
        json_array_append_new(out.get(), jsonRelease(std::move(e).build()));
    }
    JsonBuilder j;
    j.set("recording", id)
        .set("host", rtpAddress_)
        .set("srtp_suite", suite)
        .set("srtp_keys", keys)
        .set("policy", policy);
    if (!perStream) setKey(j, srtpKeys[0]);
    return std::move(j).set("streams", std::move(out)).build();
}

std::string RecorderPlugin::start(const std::vector<RecordingStreamSpec>& streams, const std::string& policy,
                                  const RecordingContext& context) {
    if (streams.empty() || streams.size() > 8) throw RequestError(errc::kInvalidField, "streams must be 1-8 streams");
    if (policy.size() > 64) throw RequestError(errc::kInvalidField, "policy must be at most 64 bytes");
    RecordingContextJson::check(context);
    std::vector<StreamSpec> specs;
    specs.reserve(streams.size());
    for (const auto& s : streams)
        specs.push_back(
            streamSpec(s.chat ? StreamKind::Chat : (s.video ? StreamKind::Video : StreamKind::Audio), s.codec, s.mid));
    return open(specs, policy.empty() ? defaultPolicy_ : policy, context,
                [this](const std::string& id, std::vector<std::unique_ptr<RecordingWriter>> writers) {
                    inProcess_->open(id, std::move(writers));
                });
}

std::string RecorderPlugin::open(const std::vector<StreamSpec>& specs, const std::string& policy,
                                 const std::optional<RecordingContext>& context, const Attach& attach) {
    // Every field was checked before the policy is looked up and anything is allocated.
    if (!store_->policies().count(policy)) throw RequestError(errc::kUnknownPolicy, "unknown retention policy");
    std::lock_guard control(controlMutex_);
    RecordingId rid{};
    secureRandom(rid);
    std::string id = recordingIdHex(rid);
    std::vector<std::string> paths;
    try {
        paths = store_->create(id, policy, specs, context);
    } catch (const WriteError& e) {
        throw RequestError(errc::kWriteFailed, std::string("cannot write the recording's state (") + e.reason() + ")");
    }
    // Taken by the keeper's thread, never waited for here: a visit is recorded even while the cluster
    // store is down (the state file names this instance as the writer meanwhile).
    if (keeper_) keeper_->opened(id);
    Bytes dataKey = secureRandomBytes(32);
    // Nothing was received: the files started so far are left as they are and the recording is marked
    // interrupted (in memory at least, if its state file cannot be written), so no half-registered
    // recording remains.
    auto abandon = [&] {
        OPENSSL_cleanse(dataKey.data(), dataKey.size());
        try {
            store_->markInterrupted(id);
        } catch (const std::exception&) {
        }
        if (keeper_) keeper_->closed(id);
    };
    try {
        std::vector<std::unique_ptr<RecordingWriter>> writers;
        for (size_t k = 0; k < specs.size(); ++k) {
            RecordingHeader h;
            h.recordingId = rid;
            h.kind = specs[k].kind;
            h.codec = specs[k].codec;
            h.mid = specs[k].mid;
            h.chunkSize = static_cast<uint32_t>(chunkBytes_);
            writers.push_back(std::make_unique<RecordingWriter>(paths[k], h, dataKey, keyring_));
        }
        attach(id, std::move(writers));
    } catch (const WriteError& e) {
        abandon();
        throw RequestError(errc::kWriteFailed, std::string("cannot write the recording's files (") + e.reason() + ")");
    } catch (...) {
        abandon();
        throw;
    }
    OPENSSL_cleanse(dataKey.data(), dataKey.size());
    JsonPtr e = JsonBuilder().set("policy", policy).set("streams", static_cast<int64_t>(specs.size())).build();
    notify("started", id, std::move(e));
    return id;
}

RecordingSink::Write RecorderPlugin::write(const std::string& recording, size_t stream, const uint8_t* packet,
                                           size_t length) noexcept {
    return inProcess_->write(recording, stream, ByteView(packet, length));
}

std::string RecorderPlugin::failure(const std::string& recording) {
    for (const auto& c : inProcess_->counters(recording))
        if (c.writeError) return WriteError::reasonFor(c.writeError);
    return {};
}

RecordingStopped RecorderPlugin::stop(const std::string& recording) {
    Sealed s = seal(recording);
    return RecordingStopped{s.failure.empty(), s.failure};
}

void RecorderPlugin::writeFailed(const std::string& id, size_t stream, int errnum) {
    writeFailures_.fetch_add(1);
    JsonPtr e =
        JsonBuilder().set("stream", static_cast<uint64_t>(stream)).set("reason", WriteError::reasonFor(errnum)).build();
    notify("write_failed", id, std::move(e));
}

RecorderPlugin::Sealed RecorderPlugin::seal(const std::string& id) {
    std::lock_guard control(controlMutex_);
    if (!store_->exists(id) && !store_->shared()) throw RequestError(errc::kUnknownRecording, "no such recording");
    Sealed out;
    out.files = ingest_->close(id, &out.counters);
    if (out.files.empty()) out.files = inProcess_->close(id, &out.counters);
    if (out.files.empty()) {
        JsonPtr d = store_->describe(id);  // 421 when no instance has it
        std::string status(jsonString(d.get(), "status").value_or(""));
        if (status == "deleted") throw RequestError(errc::kDeleted, "recording was deleted");
        std::string owner(jsonString(d.get(), "instance").value_or(""));
        if (status == "recording" && !owner.empty() && owner != instanceId_)
            throw RequestError(errc::kOpenElsewhere, "recording is open on instance " + owner + ": stop it there");
        throw RequestError(errc::kNotActive, "recording is not active");
    }
    // Sealed or not, this instance writes it no more: the open lease goes back.
    struct Close {
        LeaseKeeper* keeper;
        const std::string& id;
        ~Close() {
            if (keeper) keeper->closed(id);
        }
    } close{keeper_.get(), id};
    try {
        store_->sealed(id, out.files);  // `failed` when a file is incomplete
    } catch (const WriteError& e) {
        // No manifest: the recording is left as a crash would leave it (its files' authentic prefixes).
        try {
            store_->markInterrupted(id);
        } catch (const std::exception&) {
            // the state file cannot be written either; the status in memory is interrupted
        }
        JsonPtr ev = JsonBuilder().set("status", "interrupted").set("failure", e.reason()).build();
        notify("stopped", id, std::move(ev));
        throw RequestError(errc::kWriteFailed, std::string("the recording's manifest could not be written (") +
                                                   e.reason() + "): it is interrupted");
    }
    uint64_t packets = 0, failed = 0;
    for (size_t k = 0; k < out.files.size(); ++k) {
        if (!out.files[k].complete && out.failure.empty()) out.failure = WriteError::reasonFor(out.files[k].error);
        if (k < out.counters.size()) failed += out.counters[k].srtpFailed;
        packets += out.files[k].packets;
    }
    JsonPtr e = JsonBuilder()
                    .set("status", out.failure.empty() ? "sealed" : "failed")
                    .setIf(!out.failure.empty(), "failure", out.failure)
                    .set("packets", packets)
                    .set("srtp_failed", failed)
                    .build();
    notify("stopped", id, std::move(e));
    return out;
}

JsonPtr RecorderPlugin::stopRequest(const std::string& id) {
    Sealed s = seal(id);
    JsonPtr arr = jsonArray();
    for (size_t k = 0; k < s.files.size(); ++k) {
        const FileSummary& f = s.files[k];
        JsonBuilder e;
        e.set("file", f.file)
            .set("sha256", hexEncode(f.sha256))
            .set("packets", f.packets)
            .set("chunks", f.chunks)
            .set("bytes", f.bytes)
            .set("complete", f.complete);
        if (!f.complete) e.set("write_error", WriteError::reasonFor(f.error));
        if (k < s.counters.size())
            e.set("srtp_failed", s.counters[k].srtpFailed)
                .set("lost", s.counters[k].lost)
                .set("ssrc_refused", s.counters[k].ssrcRefused);
        json_array_append_new(arr.get(), jsonRelease(std::move(e).build()));
    }
    return JsonBuilder()
        .set("recording", id)
        .set("status", s.failure.empty() ? "sealed" : "failed")
        .setIf(!s.failure.empty(), "failure", s.failure)
        .set("files", std::move(arr))
        .build();
}

JsonPtr RecorderPlugin::status(const std::string& id) {
    JsonPtr j = store_->describe(id);
    bool udp = ingest_->active(id);
    if (udp || inProcess_->active(id)) {
        JsonPtr arr = jsonArray();
        std::string failure;
        for (const auto& c : udp ? ingest_->counters(id) : inProcess_->counters(id)) {
            JsonBuilder e;
            e.set("received", c.received)
                .set("recorded", c.recorded)
                .set("srtp_failed", c.srtpFailed)
                .set("bytes", c.bytes)
                .set("lost", c.lost)
                .set("ssrc_refused", c.ssrcRefused);
            if (c.writeError) {
                e.set("write_error", WriteError::reasonFor(c.writeError));
                if (failure.empty()) failure = WriteError::reasonFor(c.writeError);
            }
            json_array_append_new(arr.get(), jsonRelease(std::move(e).build()));
        }
        // While still recording: a stream already failed, `stop` will leave the recording `failed`.
        json_object_update(
            j.get(),
            JsonBuilder().set("counters", std::move(arr)).setIf(!failure.empty(), "failure", failure).build().get());
    }
    return j;
}

JsonPtr RecorderPlugin::stats() {
    JsonPtr list = store_->list();
    std::map<std::pair<std::string, std::string>, uint64_t> counts;
    uint64_t onHold = 0, failedStreams = 0;
    uint64_t bytes = 0, received = 0, recorded = 0, srtpFailed = 0, lost = 0, ssrcRefused = 0;
    size_t i;
    const json_t* r;
    json_array_foreach(list.get(), i, r) {
        std::string status(jsonString(r, "status").value_or(""));
        ++counts[{status, std::string(jsonString(r, "policy").value_or(""))}];
        if (jsonBool(r, "hold").value_or(false)) ++onHold;
        if (status != "recording") continue;
        std::string id(jsonString(r, "recording").value_or(""));
        bool udp = ingest_->active(id);
        if (!udp && !inProcess_->active(id)) continue;
        for (const auto& c : udp ? ingest_->counters(id) : inProcess_->counters(id)) {
            bytes += c.bytes;
            received += c.received;
            recorded += c.recorded;
            srtpFailed += c.srtpFailed;
            lost += c.lost;
            ssrcRefused += c.ssrcRefused;
            if (c.writeError) ++failedStreams;
        }
    }
    JsonPtr byStatus = jsonArray();
    for (const auto& [key, n] : counts)
        json_array_append_new(
            byStatus.get(),
            jsonRelease(JsonBuilder().set("status", key.first).set("policy", key.second).set("count", n).build()));
    return JsonBuilder()
        .set("recordings", std::move(byStatus))
        .set("on_hold", onHold)
        .set("active", JsonBuilder()
                           .set("bytes", bytes)
                           .set("received", received)
                           .set("recorded", recorded)
                           .set("srtp_failed", srtpFailed)
                           .set("lost", lost)
                           .set("ssrc_refused", ssrcRefused)
                           .set("failed_streams", failedStreams)
                           .build())
        .build();
}

JsonPtr RecorderPlugin::exportRecording(const std::string& id) {
    std::vector<std::string> files = store_->exportMjr(id, Clock::wallMs());
    JsonPtr arr = jsonArray();
    for (const auto& f : files) json_array_append_new(arr.get(), json_string(f.c_str()));
    JsonPtr j = JsonBuilder()
                    .set("recording", id)
                    .set("files", std::move(arr))
                    .set("expires_ms", Clock::wallMs() + exportTtlMs_)
                    .build();
    JsonPtr e = JsonBuilder().set("files", static_cast<int64_t>(files.size())).build();
    notify("exported", id, std::move(e));
    return j;
}

JsonPtr RecorderPlugin::patientCopy(const json_t* request) {
    const int64_t now = Clock::wallMs();
    auto patientField = jsonOptionalString(request, "patient", 36, 36);
    if (patientField && (patientField->substr(0, 4) != "ps1_" ||
                         patientField->find_first_not_of("0123456789abcdef", 4) != std::string_view::npos))
        throw RequestError(errc::kInvalidField, "patient must be a participant pseudonym (ps1_ and 32 hex digits)");
    int64_t from = jsonOptionalInt(request, "from", 0, INT64_MAX).value_or(0);
    int64_t to = jsonOptionalInt(request, "to", 1, INT64_MAX).value_or(now + 1);
    if (to <= from) throw RequestError(errc::kInvalidField, "to must be after from");
    // First, so that the passphrase is wiped (in the request too) whatever the gate decides.
    CopyRecipient recipient = CopyRecipient::fromRequest(json_object_get(request, "recipient"));
    JsonPtr object = JsonBuilder().set("from", from).set("to", to).build();
    if (patientField) jsonSet(object.get(), "patient", *patientField);
    ActorDecision actor = gate_->admit(request, "recording.patient_copy", object);
    // A patient's own copy (their token names them); a records officer, or the development secret,
    // names the patient on whose behalf it is made.
    std::string patient;
    if (actor.actorRole == ActorRole::Patient) {
        if (patientField && *patientField != actor.pseudonym)
            gate_->refuse(actor, object, "not_own", "a patient may ask only for a copy of their own visits");
        patient = actor.pseudonym;
    } else {
        if (!patientField) throw RequestError(errc::kMissingField, "missing field: patient (on whose behalf)");
        patient = std::string(*patientField);
    }
    jsonSet(object.get(), "patient", patient);
    std::vector<CopyRecording> recordings = CopySelection::select(store_->list().get(), patient, from, to);
    JsonPtr ids = jsonArray();
    for (const auto& r : recordings) json_array_append_new(ids.get(), json_string(r.id.c_str()));
    jsonSet(object.get(), "recordings", std::move(ids));
    gate_->allow(actor, object);  // recorded before anything is read
    PatientCopyBuilder::Options options;
    options.recordingsDir = recordingsDir_;
    options.exportDir = exportDir_;
    options.converter = copyConverter_;
    options.limits.wallClock = std::chrono::milliseconds(copyTimeoutMs_);
    options.limits.cpuSeconds = static_cast<int>(copyTimeoutMs_ / 1000);
    CopyResult r = PatientCopyBuilder(*store_, *signer_, options).build(patient, from, to, recordings, recipient, now);
    if (host_.eventsEnabled()) {
        JsonPtr e = JsonBuilder()
                        .set("event", "patient_copy")
                        .set("recordings", static_cast<uint64_t>(r.recordings))
                        .set("bytes", r.bytes)
                        .build();
        host_.notifyEvent(0, e.get());
    }
    return JsonBuilder()
        .set("file", r.file)
        .set("bytes", r.bytes)
        .set("recordings", static_cast<uint64_t>(r.recordings))
        .set("notes", static_cast<uint64_t>(r.notes))
        .set("notes_available", r.notesAvailable)
        .set("disclosures", static_cast<uint64_t>(r.disclosures))
        .set("disclosures_available", r.disclosuresAvailable)
        .set("expires_ms", now + exportTtlMs_)
        .build();
}

int RecorderPlugin::sweep(int64_t nowMs) {
    int deleted = 0;
    for (const auto& id : store_->expired(nowMs)) {
        std::optional<HeldLease> lease;
        if (leases_) {
            // No deletion without the recording's lease: never two instances shredding the same
            // recording, never a sweep racing a delete or a hold of another instance.
            try {
                if (leases_->acquire(id, LeaseKind::Sweep)) continue;  // another instance has it now
            } catch (const Error& ex) {
                if (!sweepBlockedLogged_) log_.warn(std::string("retention sweep skipped: ") + ex.what());
                sweepBlockedLogged_ = true;
                break;
            }
            sweepBlockedLogged_ = false;
            lease.emplace(*leases_, id, LeaseKind::Sweep);
        }
        try {
            // Under the lease the state file is read again: deleted or held meanwhile elsewhere is refused.
            JsonPtr receipt = store_->remove(id, "retention policy", nowMs);
            JsonPtr e = JsonBuilder().set("trigger", "retention").set("receipt", std::move(receipt)).build();
            notify("deleted", id, std::move(e));
            retentionDeleted_.fetch_add(1);
            ++deleted;
        } catch (const RequestError& ex) {
            if (ex.code() == errc::kDeleted) continue;  // another instance's sweep or delete came first
            log_.warn(std::string("retention sweep skipped a recording: ") + ex.what());
        } catch (const std::exception& ex) {
            // A hold placed since expired() was computed lands here too: skipped, retried next sweep.
            log_.warn(std::string("retention sweep skipped a recording: ") + ex.what());
        }
    }
    std::error_code ec, removeEc;
    for (const auto& entry : std::filesystem::directory_iterator(exportDir_, ec)) {
        // Only what `export` and `patient_copy` wrote: anything else an operator put there is not ours.
        std::string name = entry.path().filename().string();
        bool copy = PatientCopyBuilder::isCopyName(name);
        if (!copy && !RecordingStore::isExportName(name)) continue;
        struct stat st {};
        if (::lstat(entry.path().c_str(), &st) != 0) continue;
        int64_t mtimeMs = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
        if (nowMs - mtimeMs < exportTtlMs_) continue;
        if (S_ISREG(st.st_mode))
            ::unlink(entry.path().c_str());
        else if (copy && S_ISDIR(st.st_mode))
            std::filesystem::remove_all(entry.path(), removeEc);  // a work folder a crash left behind
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
            sweep(Clock::wallMs());
        } catch (const std::exception& e) {
            log_.error(std::string("retention sweep failed: ") + e.what());
        }
        lock.lock();
    }
}

JsonPtr RecorderPlugin::leased(const std::string& id, const std::function<JsonPtr()>& fn) {
    if (!leases_ || ingest_->active(id) || inProcess_->active(id)) return fn();
    store_->describe(id);  // 421 before the store is asked for an id nobody has
    if (auto holder = leases_->acquire(id, LeaseKind::Op)) refuseHeld(id, *holder);
    HeldLease lease(*leases_, id, LeaseKind::Op);
    return fn();
}

void RecorderPlugin::refuseHeld(const std::string& id, const LeaseHolder& holder) {
    if (holder.kind == "open" && jsonString(store_->describe(id).get(), "status").value_or("") == "recording")
        throw RequestError(errc::kOpenElsewhere, "recording is open on instance " + holder.owner + ": ask it there");
    throw RequestError(errc::kBusyElsewhere, "instance " + (holder.owner.empty() ? std::string("?") : holder.owner) +
                                                 " is working on this recording right now (" + holder.kind +
                                                 "): retry shortly");
}

JsonPtr RecorderPlugin::querySession(SessionId session) {
    JsonPtr j = JsonBuilder().set("session", session).build();
    return j;
}

KeptVisitRecords RecorderPlugin::read(const std::string& recording) {
    const bool hex32 = recording.size() == 32 && std::all_of(recording.begin(), recording.end(), [](char c) {
                           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                       });
    if (!hex32) throw RequestError(errc::kUnknownRecording, "no such recording");
    return store_->readKept(recording);
}

}  // namespace hipaa::recorder

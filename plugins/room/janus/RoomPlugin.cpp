// SPDX-License-Identifier: GPL-3.0-or-later
#include "RoomPlugin.hpp"

#include "hipaa/ConfigTrail.hpp"

#include "RoomConfig.hpp"
#include "RoomErrors.hpp"
#include "RoomEvent.hpp"
#include "RoomPush.hpp"
#include "RoomState.hpp"

#include "hipaa/AuditHealthProbe.hpp"
#include "hipaa/Clock.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/JcfgParser.hpp"
#include "hipaa/JsonBuilder.hpp"

#include <chrono>
#include <condition_variable>

namespace hipaa::room {
namespace {

// Asks janus.eventhandler.hipaa.audit in this process whether it takes records. Anything but a clear
// "healthy" is a reason to refuse (fail closed): not loaded, an error.
std::string auditProblem() {
    try {
        auto probe = AuditHealthProbe::inProcess().acquire();
        if (!probe) return "audit_not_loaded";
        return probe->auditProblem();
    } catch (const std::exception&) {
        return "audit_error";
    }
}

}  // namespace

RoomPlugin::RoomPlugin(Config config, Logger log, MediaHost& host, VisitPublisher publisher, Clock clock,
                       const RecordingTap::Sink* recorder)
    : config_(std::move(config)),
      log_(std::move(log)),
      host_(host),
      relay_(host),
      clock_(clock ? std::move(clock) : &hipaa::Clock::wallUs),
      recorder_(recorder ? *recorder : RecordingSink::inProcess()) {
    RoomConfig c = RoomConfig::read(config_);
    development_ = c.development;
    keySources_ = c.keySources;
    RoomConfig::Keys loaded = c.loadKeys();
    std::shared_ptr<const KeyStore> keys = loaded.store;
    relay_.setChatLimit(c.chat);
    // Documents (docs/room.md, "Documents"): one desk for every room; shares and refusals become
    // PHI-free events for the audit trail (never a name or a byte of the document).
    DocumentDeskSettings ds;
    ds.relay = [this](SessionId from, const std::vector<Bytes>& frames) { return relay_.relayFrames(from, frames); };
    // A class that keeps documents: sealed in the room's kept chat first (no keeper: refused 487).
    ds.keep = [this](const ChatSpeaker& from, const SharedDocument& doc) {
        std::shared_ptr<ChatKeeper> k;
        {
            std::lock_guard lock(tapsMutex_);
            auto it = keepers_.find(from.room);
            if (it != keepers_.end()) k = it->second;
        }
        return k && k->keepDocument(from, DocumentTypes::mime(doc.type), doc.content, doc.sha256, clock_());
    };
    ds.onShared = [this](const DocumentShare& s) {
        JsonPtr e = event::documentShared(s.from.room, s.from.pseudonym, s.from.role, DocumentTypes::mime(s.type),
                                          s.bytes, hexEncode(s.sha256), s.recipients);
        host_.notifyEvent(s.session, e.get());
    };
    ds.onRefused = [this](const DocumentRefusal& r) {
        JsonPtr e = event::documentRefused(r.from.room, r.from.pseudonym, r.from.role, r.code, r.reason);
        host_.notifyEvent(r.session, e.get());
        // The sender is told too (its page shows why); a sender gone meanwhile is simply not found.
        JsonPtr told = push::documentRefused(r.from.room, r.code, r.reason);
        host_.pushEvent(r.session, {}, told.get(), nullptr);
    };
    desk_ = std::make_shared<DocumentDesk>(std::move(ds), log_);
    relay_.setDocumentDesk(desk_);
    RoomSettings settings = c.settings;
    if (c.requireAudit)
        settings.auditCheck = &auditProblem;
    else
        log_.warn("general.require_audit = false: visits start even when the audit trail cannot record them");
    bool anyHs = false;
    for (const auto& [n, cls] : settings.classes) {
        anyHs |= cls.allowHs256;
        dobCheck_ |= cls.dobCheck;
    }
    if (!keySources_.hmacFiles.empty() && !anyHs)
        log_.warn("HS256 keys are configured but no room class allows HS256: they are never used");

    verifier_ = std::make_shared<TokenVerifier>(c.tokens, keys);
    if (c.cluster.shared()) {
        sharedState_ = std::make_shared<PgTokenState>(
            PgTokenState::Options{.conninfo = c.cluster.conninfo, .instanceId = c.cluster.instanceId});
        settings.shared = sharedState_;
        // Not fatal: joins are refused (468) until it answers, running visits never depend on it.
        if (!sharedState_->ping())
            log_.warn("cluster: the shared token state cannot be reached yet: joins are refused (468) until it can");
    }
    settings.recorder = true;  // apply() hands StartRecording/StopRecording to the recorder thread
    service_ = std::make_unique<RoomService>(std::move(settings), verifier_, std::move(loaded.pseudonyms),
                                             std::move(publisher), MediaControl{&relay_, host_.sdp()});
    for (const auto& [n, cls] : c.settings.classes) classes_.insert(n);
    int64_t now = clock_();
    // The .jcfg's rooms are checked here whatever the directory says (a bad class refuses to load).
    RoomState check(c.settings);
    for (const auto& r : c.rooms) {
        try {
            check.createRoom(r.id, r.className, r.description, now);
        } catch (const Error& e) {
            throw ConfigError(config_.name() + ": room-" + r.id + ": " + e.what());
        }
    }
    std::vector<std::string> hosted;
    if (c.cluster.shared()) {
        directory_ = std::make_unique<DirectoryBridge>(
            c.cluster, c.deadAfterS, [this](JsonPtr e) { host_.notifyEvent(0, e.get()); }, log_);
        for (const auto& r : c.rooms) configured_[r.id] = r;
        std::map<std::string, std::string> classes;
        for (const auto& r : c.rooms) classes[r.id] = r.className;
        // Reached later (a database outage at start): the starting thread hands the rooms this instance
        // hosts to the worker, which creates them.
        auto constructor = std::this_thread::get_id();
        auto hostedNow = std::make_shared<std::vector<std::string>>();
        directory_->start(classes, [this, constructor, hostedNow](const std::vector<std::string>& rooms) {
            if (std::this_thread::get_id() == constructor) {
                *hostedNow = rooms;
                return;
            }
            while (!stopping_) {
                Task t;
                t.kind = Task::Kind::ConfiguredRooms;
                t.ids = rooms;
                if (enqueue(std::move(t))) break;
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
        });
        hosted = *hostedNow;
    } else {
        for (const auto& r : c.rooms) hosted.push_back(r.id);
        for (const auto& r : c.rooms) configured_[r.id] = r;
    }
    for (const auto& id : hosted) {
        const auto& r = configured_.at(id);
        service_->createRoom(r.id, r.className, r.description, now);
    }
    if (development_ || keys->hasDevelopmentKey())
        log_.warn("DEVELOPMENT MODE: development keys accepted; this room plugin must not carry real patient visits");
    recorderThread_ = std::thread([this] { recorderLoop(); });
    worker_ = std::thread([this] { run(); });
    if (sharedState_) {
        listener_ =
            std::make_unique<RevocationListener>(c.cluster.conninfo, [this](const SharedTokenState::Revocation& r) {
                Task t;
                t.kind = Task::Kind::SharedRevocation;
                t.message = JsonBuilder().set("kind", r.kind).set("target", r.target).set("until", r.until).build();
                // Full queue: the join check still refuses the revoked; the periodic poll does not
                // resend it, so say so.
                if (!enqueue(std::move(t))) log_.warn("cluster: a revocation could not be queued: worker queue full");
            });
        listener_->start();
    }
    ConfigTrail::record(std::string(kRoomInfo.package), config_, c.stateDir + "/config-state.json", log_);
}

RoomPlugin::~RoomPlugin() {
    relay_.setDocumentDesk(nullptr);
    desk_->stop();      // before the relay it sends through goes
    listener_.reset();  // delivers nothing more to the queue
    stopping_ = true;
    queue_.close();
    if (worker_.joinable()) worker_.join();
    {
        std::lock_guard lock(jobsMutex_);
        jobsClosed_ = true;
    }
    jobsCv_.notify_all();
    if (recorderThread_.joinable()) recorderThread_.join();  // runs the stops still queued
    std::map<std::string, std::shared_ptr<RecordingTap>> taps;
    {
        std::lock_guard lock(tapsMutex_);
        taps.swap(taps_);
        retired_.clear();
    }
    for (auto& [room, t] : taps) t->stop();  // seals what the recorder still records
    std::map<std::string, std::shared_ptr<ChatKeeper>> keepers;
    {
        std::lock_guard lock(tapsMutex_);
        keepers.swap(keepers_);
    }
    for (auto& [room, k] : keepers) {
        relay_.setChatSink(room, nullptr);
        k->stop();  // seals the kept chat
    }
}

void RoomPlugin::startChat(const std::string& room, const std::string& policy, const RecordingContext& context) {
    ChatKeeperSettings cs;
    cs.policy = policy;
    cs.context = context;
    cs.onFailure = [this, room](const std::string&, const std::string&) {
        recordingFailures_.fetch_add(1, std::memory_order_relaxed);
        reportUnkept(room, "keeper_failed");
    };
    auto k = std::make_shared<ChatKeeper>(recorder_, cs, log_);
    k->start();  // throws when the recorder does not answer: the room's kept chat stays unrelayed
    {
        std::lock_guard lock(tapsMutex_);
        keepers_[room] = k;
    }
    relay_.setChatSink(room, k);
}

void RoomPlugin::reportUnkept(const std::string& room, const char* reason) {
    Task t;
    t.kind = Task::Kind::ChatUnkept;
    t.message = JsonBuilder().set("room", room).set("reason", reason).build();
    if (!enqueue(std::move(t))) log_.warn("kept chat failure not reported to the room: worker queue full");
}

std::string RoomPlugin::stopChat(const std::string& room) {
    std::shared_ptr<ChatKeeper> k;
    {
        std::lock_guard lock(tapsMutex_);
        auto it = keepers_.find(room);
        if (it == keepers_.end()) return {};
        k = it->second;
        keepers_.erase(it);
    }
    relay_.setChatSink(room, nullptr);  // from here on the room's kept chat is not relayed
    std::string id = k->stop();
    return k->sealed() ? id : std::string();
}

std::shared_ptr<MediaTap> RoomPlugin::tap(const std::string& room) const {
    std::lock_guard lock(tapsMutex_);
    auto it = taps_.find(room);
    return it == taps_.end() ? nullptr : it->second;
}

void RoomPlugin::setTapObserver(TapObserver observer) {
    std::lock_guard lock(tapsMutex_);
    tapObserver_ = std::move(observer);
}

void RoomPlugin::startTap(const std::string& room, const std::string& policy, const RecordingContext& context) {
    TapSettings ts;
    ts.policy = policy;
    ts.context = context;
    // A failed part of the recording reaches the room on its worker, like any other event.
    ts.onFailure = [this, room](const std::string& reason, const std::string& recording) {
        recordingFailures_.fetch_add(1, std::memory_order_relaxed);
        Task t;
        t.kind = Task::Kind::RecordingFailure;
        t.message = JsonBuilder().set("room", room).set("reason", reason).set("recording", recording).build();
        if (!enqueue(std::move(t)))
            log_.warn("recording failure not reported to the room: worker queue full (counted in info)");
    };
    auto t = std::make_shared<RecordingTap>(recorder_, ts, log_);
    t->start();  // throws when the recorder does not answer
    TapObserver observer;
    {
        std::lock_guard lock(tapsMutex_);
        taps_[room] = t;
        observer = tapObserver_;
        // Stopped taps nobody else holds any more are freed here, on the worker.
        std::erase_if(retired_, [](const auto& r) { return r.use_count() == 1; });
    }
    relay_.setTap(room, t);  // announces the room's current streams, then feeds it packets
    if (observer) observer(room, t);
}

std::vector<std::string> RoomPlugin::stopTap(const std::string& room) {
    std::shared_ptr<RecordingTap> t;
    TapObserver observer;
    {
        std::lock_guard lock(tapsMutex_);
        auto it = taps_.find(room);
        if (it == taps_.end()) return {};
        t = it->second;
        taps_.erase(it);
        observer = tapObserver_;
    }
    relay_.setTap(room, nullptr);
    if (observer) observer(room, nullptr);
    std::vector<std::string> ids = t->stop();
    std::lock_guard lock(tapsMutex_);
    retired_.push_back(std::move(t));
    return ids;
}

std::unique_ptr<MediaPluginCore> RoomPlugin::create(const std::string& configFile, Logger log, MediaHost& host) {
    return std::make_unique<RoomPlugin>(Config(JcfgParser::parseFile(configFile), configFile), std::move(log), host);
}

void RoomPlugin::apply(const Effects& effects) {
    if (directory_) directory_->observe(effects);
    for (auto& e : effects) {
        switch (e.kind) {
            case Effect::Kind::Push:
                host_.pushEvent(e.session, e.transaction, e.body.get(), e.jsep.get());
                break;
            case Effect::Kind::Notify:
                host_.notifyEvent(e.session, e.body.get());
                break;
            case Effect::Kind::End:
                host_.endSession(e.session);
                break;
            case Effect::Kind::Hangup:
                host_.closePeerConnection(e.session);
                break;
            case Effect::Kind::KeepChat:
            case Effect::Kind::StopChat: {
                RecorderJob job;
                job.chat = e.kind == Effect::Kind::KeepChat ? RecorderJob::Chat::Keep : RecorderJob::Chat::Stop;
                if (job.chat == RecorderJob::Chat::Stop) queued_.fetch_add(1);  // its outcome is a task
                job.ticket = e.ticket;
                job.room = e.room;
                job.policy = e.policy;
                job.context = e.context;
                {
                    std::lock_guard lock(jobsMutex_);
                    jobs_.push_back(std::move(job));
                }
                jobsCv_.notify_one();
                break;
            }
            case Effect::Kind::StartRecording:
            case Effect::Kind::StopRecording: {
                queued_.fetch_add(1);  // its outcome is a task: drain() waits for it
                {
                    std::lock_guard lock(jobsMutex_);
                    jobs_.push_back({e.kind == Effect::Kind::StartRecording, e.room, e.policy, e.ticket, e.context});
                }
                jobsCv_.notify_one();
                break;
            }
        }
    }
}

void RoomPlugin::recorderLoop() {
    for (;;) {
        RecorderJob job;
        bool closed;
        {
            std::unique_lock lock(jobsMutex_);
            jobsCv_.wait(lock, [this] { return jobsClosed_ || !jobs_.empty(); });
            if (jobs_.empty()) return;
            job = std::move(jobs_.front());
            jobs_.pop_front();
            closed = jobsClosed_;
        }
        if (job.chat != RecorderJob::Chat::None) {
            std::string sealed;
            try {
                if (job.chat == RecorderJob::Chat::Stop)
                    sealed = stopChat(job.room);
                else if (!closed)
                    startChat(job.room, job.policy, job.context);
            } catch (const std::exception& e) {
                recordingFailures_.fetch_add(1, std::memory_order_relaxed);
                log_.error(std::string("kept chat could not start: ") + e.what());
                if (job.chat == RecorderJob::Chat::Keep) reportUnkept(job.room, "no_keeper");
            }
            if (job.chat != RecorderJob::Chat::Stop) continue;
            // The visit's end waits for this (VisitEnded names the sealed kept chats).
            for (;;) {
                Task t;
                t.kind = Task::Kind::ChatSealed;
                t.ticket = job.ticket;
                if (!sealed.empty()) t.ids = {sealed};
                if (queue_.push(std::move(t))) break;
                if (stopping_) {
                    handled_.fetch_add(1);
                    break;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
            continue;
        }
        bool ok = false;
        std::vector<std::string> ids;
        if (job.start && closed) {
            // Shutting down: nothing to start.
        } else if (job.start) {
            try {
                startTap(job.room, job.policy, job.context);
                ok = true;
            } catch (const std::exception& e) {
                log_.error(std::string("recording could not start: ") + e.what());
            }
        } else {
            try {
                ids = stopTap(job.room);
                ok = true;
            } catch (const std::exception& e) {
                log_.error(std::string("recording could not be stopped: ") + e.what());
            }
        }
        // The outcome goes to the service in order with everything else the worker does. The queue
        // refuses only when full (retried: the worker is draining it) or closed (shutting down).
        for (;;) {
            Task t;
            t.kind = job.start ? Task::Kind::RecordingStarted : Task::Kind::RecordingStopped;
            t.ticket = job.ticket;
            t.ok = ok;
            t.ids = ids;
            if (queue_.push(std::move(t))) break;
            if (stopping_) {
                handled_.fetch_add(1);
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }
}

void RoomPlugin::run() {
    std::vector<Task> batch;
    int64_t lastTick = 0;
    for (;;) {
        batch.clear();
        bool open = queue_.popBatch(batch, 64, std::chrono::milliseconds(200));
        // Sessions created before any message of this batch was queued exist before it is handled.
        applySessionChanges();
        for (auto& t : batch) {
            if (t.kind == Task::Kind::SessionChanges) {
                handled_.fetch_add(1);
                continue;
            }
            if (directory_ && t.kind == Task::Kind::Message && redirected(t)) {
                handled_.fetch_add(1);
                continue;
            }
            Effects out;
            try {
                std::lock_guard lock(mutex_);
                if (t.kind == Task::Kind::RecordingStarted) {
                    out = service_->recordingStarted(t.ticket, t.ok);
                } else if (t.kind == Task::Kind::RecordingStopped) {
                    out = service_->recordingStopped(t.ticket, t.ids, t.ok);
                } else if (t.kind == Task::Kind::ChatSealed) {
                    out = service_->chatSealed(t.ticket, t.ids.empty() ? std::string() : t.ids.front());
                } else if (t.kind == Task::Kind::RecordingFailure) {
                    const json_t* m = t.message.get();
                    out = service_->recordingFailed(std::string(jsonString(m, "room").value_or("")),
                                                    std::string(jsonString(m, "reason").value_or("")),
                                                    std::string(jsonString(m, "recording").value_or("")), clock_());
                } else if (t.kind == Task::Kind::ConfiguredRooms) {
                    for (const auto& id : t.ids) {
                        const auto& r = configured_.at(id);
                        if (!service_->hasRoom(id)) service_->createRoom(r.id, r.className, r.description, clock_());
                    }
                } else if (t.kind == Task::Kind::SharedRevocation) {
                    const json_t* m = t.message.get();
                    out = service_->sharedRevocation({.kind = std::string(jsonString(m, "kind").value_or("")),
                                                      .target = std::string(jsonString(m, "target").value_or("")),
                                                      .until = jsonInt(m, "until").value_or(0),
                                                      .by = {},
                                                      .reason = {}},
                                                     clock_());
                } else if (!sessions_.contains(t.session)) {
                    // a destroyed session's queued messages just drop
                } else if (t.kind == Task::Kind::ChatUnkept) {
                    const json_t* m = t.message.get();
                    out = service_->chatUnkept(std::string(jsonString(m, "room").value_or("")),
                                               std::string(jsonString(m, "reason").value_or("")));
                } else if (t.kind == Task::Kind::WaitingData) {
                    out = service_->dataWhileWaiting(t.session, t.video, t.ticket);
                } else if (t.kind == Task::Kind::MediaGone) {
                    out = service_->mediaGone(t.session, clock_());
                } else if (t.kind == Task::Kind::SlowLink) {
                    out = service_->slowLink(t.session, t.uplink, t.video, clock_());
                } else {
                    out = service_->handle(t.session, t.transaction, t.message.get(), clock_(), t.jsep.get());
                }
            } catch (const std::exception& e) {
                log_.error(std::string("room request failed: ") + e.what());
            }
            apply(out);
            handled_.fetch_add(1);
        }
        int64_t now = clock_();
        if (now - lastTick >= 200000) {
            lastTick = now;
            Effects out;
            {
                std::lock_guard lock(mutex_);
                out = service_->tick(now);
            }
            apply(out);
            relay_.reclaim();  // what media threads can no longer hold is freed here, not on them
        }
        if (!open) {
            applySessionChanges();
            return;
        }
    }
}

bool RoomPlugin::redirected(const Task& t) {
    const json_t* m = t.message.get();
    if (jsonString(m, "request").value_or("") != "join") return false;
    auto room = jsonString(m, "room");
    if (!room || !RoomState::validRoomId(std::string(*room))) return false;  // the service refuses it
    std::string id(*room);
    {
        std::lock_guard lock(mutex_);
        // A room whose visit ended here may have been created again on another instance.
        if (!sessions_.contains(t.session) || service_->hasLiveRoom(id)) return false;
    }
    // The directory lookup runs here, on the worker, under no lock; the token is checked (not spent)
    // before the host is named.
    auto vouch = [&](const std::string& className, Effects& refused) {
        std::lock_guard lock(mutex_);
        switch (service_->vouchForRedirect(t.session, t.transaction, m, className, clock_(), refused)) {
            case RoomService::Vouch::Redirect:
                return DirectoryBridge::Verdict::Redirect;
            case RoomService::Vouch::Refused:
                return DirectoryBridge::Verdict::Refused;
            case RoomService::Vouch::Other:
                break;
        }
        return DirectoryBridge::Verdict::Other;
    };
    Effects out;
    if (!directory_->redirect(t.session, t.transaction, id, vouch, out)) return false;
    apply(out);
    return true;
}

JsonPtr RoomPlugin::createShared(const json_t* request) {
    // The id is chosen here so that the directory and this instance register the same one.
    JsonPtr req = jsonAdopt(json_deep_copy(request));
    std::string id;
    if (auto room = jsonOptionalString(request, "room")) {
        id = std::string(*room);
    } else {
        id = RoomState::newId("r_");
        json_object_set_new(req.get(), "room", json_string(id.c_str()));
    }
    std::string cls(jsonOptionalString(request, "class", 1, 64).value_or("default"));
    bool hosted;
    {
        std::lock_guard lock(mutex_);
        hosted = service_->hasRoom(id);
    }
    // What the service refuses by itself (a bad id or class, a room already here) never reaches the
    // directory; the directory call runs under no lock (the worker keeps going).
    bool claimed = RoomState::validRoomId(id) && classes_.contains(cls) && !hosted && directory_->claim(id, cls);
    Effects out;
    JsonPtr res;
    try {
        std::lock_guard lock(mutex_);
        res = service_->admin(req.get(), clock_(), out);
    } catch (...) {
        if (claimed) directory_->release(id);
        throw;
    }
    apply(out);
    return res;
}

void RoomPlugin::drain() {
    while (handled_.load() < queued_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
}

void RoomPlugin::createSession(SessionId session) {
    // Janus' thread never takes mutex_ (the worker may hold it for a database round trip): the worker
    // adds the session before it handles any message queued after this.
    noteSession(session, host_.clientSession(session), true);
}

void RoomPlugin::destroySession(SessionId session) {
    relay_.removeSession(session);  // media stops before the state goes
    {
        std::lock_guard lock(waitingDataMutex_);
        waitingData_.erase(session);
    }
    noteSession(session, 0, false);
}

void RoomPlugin::noteSession(SessionId session, uint64_t client, bool created) {
    queued_.fetch_add(1);  // drain() waits for it
    {
        std::lock_guard lock(sessionChangesMutex_);
        sessionChanges_.push_back({session, client, created});
    }
    // Wakes the worker; when the queue is full the worker is busy and applies the change before its
    // next batch anyway.
    Task wake;
    wake.kind = Task::Kind::SessionChanges;
    enqueue(std::move(wake));
}

void RoomPlugin::applySessionChanges() {
    std::deque<SessionChange> changes;
    {
        std::lock_guard lock(sessionChangesMutex_);
        changes.swap(sessionChanges_);
    }
    for (const auto& c : changes) {
        Effects out;
        {
            std::lock_guard lock(mutex_);
            if (c.created) {
                sessions_.insert(c.session);
                service_->sessionCreated(c.session, c.client);
            } else {
                sessions_.erase(c.session);
                out = service_->sessionGone(c.session, clock_());
            }
        }
        apply(out);
        handled_.fetch_add(1);
    }
}

void RoomPlugin::setupMedia(SessionId session) {
    // A subscriber's PeerConnection is up: the keyframes asked for at subscribe time went nowhere.
    relay_.requestKeyframes(session);
}

void RoomPlugin::hangupMedia(SessionId session) {
    relay_.removeSession(session);
    Task t;
    t.kind = Task::Kind::MediaGone;
    t.session = session;
    enqueue(std::move(t));
}

bool RoomPlugin::enqueue(Task t) noexcept {
    try {
        if (!queue_.push(std::move(t))) return false;
        queued_.fetch_add(1);
        return true;
    } catch (...) {
        return false;
    }
}

void RoomPlugin::slowLink(SessionId session, bool uplink, bool video) noexcept {
    // Janus rate-limits these per direction and medium; the client is told on the worker.
    slowLinks_.fetch_add(1, std::memory_order_relaxed);
    Task t;
    t.kind = Task::Kind::SlowLink;
    t.session = session;
    t.uplink = uplink;
    t.video = video;
    enqueue(std::move(t));
}

void RoomPlugin::incomingRtp(SessionId session, MediaPacket& packet) noexcept { relay_.incomingRtp(session, packet); }

void RoomPlugin::incomingRtcp(SessionId session, MediaPacket& packet) noexcept { relay_.incomingRtcp(session, packet); }

void RoomPlugin::incomingData(SessionId session, const char* label, bool binary, const uint8_t* data,
                              size_t length) noexcept {
    // Relayed within the sender's chat limit and counted; the worker's tick turns the counts into
    // `chat` audit summaries (Publishing::flushChat), so a flood never fills the worker's queue.
    bool noDataStream = false;
    const int64_t now = clock_();
    relay_.incomingData(session, label, binary, data, length, now, &noDataStream);
    if (!noDataStream) return;
    // Someone waiting (or sent back to it while its PeerConnection closes): the worker refuses it with
    // 484 and records that, at most once a second per handle with the count since.
    Task t;
    t.kind = Task::Kind::WaitingData;
    t.session = session;
    try {
        std::lock_guard lock(waitingDataMutex_);
        WaitingDataCount& c = waitingData_[session];
        const bool document = binary && DocumentFrame::looksLikeFrame(ByteView(data, length));
        ++(document ? c.documents : c.messages);
        if (c.lastUs != 0 && now - c.lastUs < 1000000) return;
        c.lastUs = now;
        t.video = document;  // the kind of the message that reports them all
        t.ticket = c.messages + c.documents;
        c.messages = c.documents = 0;
    } catch (...) {
        return;  // out of memory: not reported
    }
    enqueue(std::move(t));
}

MediaPluginCore::Reply RoomPlugin::handleMessage(SessionId session, const std::string& transaction, JsonPtr message,
                                                 JsonPtr jsep) {
    // O(1) on the transport thread: parsing and everything else happen on the worker.
    if (!json_is_object(message.get())) throw RequestError(errc::kInvalidJson, "message must be a JSON object");
    bool join = jsonRequireString(message.get(), "request") == "join";
    if (!queue_.push(Task{Task::Kind::Message, session, transaction, std::move(message), std::move(jsep)})) {
        if (join) {  // a refused join is recorded whatever refused it
            JsonPtr e = JsonBuilder()
                            .set("event", "join")
                            .set("outcome", "refused")
                            .set("error_code", errc::kBusy)
                            .set("reason", "busy")
                            .build();
            host_.notifyEvent(session, e.get());
        }
        return Reply::ok(jsonError(errc::kBusy, "room worker busy; retry"));
    }
    queued_.fetch_add(1);
    return Reply::wait();
}

JsonPtr RoomPlugin::reloadKeys() {
    std::shared_ptr<const KeyStore> keys;
    try {
        keys = KeyStore::load(keySources_);
        if (keys->empty()) throw ConfigError("no token verification key");
        if (keys->hasDevelopmentKey() && !development_) throw ConfigError("development key outside development");
        if (dobCheck_ && keys->dobKey().empty()) throw ConfigError("a class has dob_check and no dob key was read");
    } catch (const Error& e) {
        log_.error(std::string("reload_keys refused: ") + e.what());
        return jsonError(errc::kKeyReload, std::string("keys not reloaded (previous keys stay active): ") + e.what());
    }
    verifier_->setKeys(keys);
    JsonPtr described = keys->describe();
    JsonPtr e = JsonBuilder()
                    .set("event", "keys_reloaded")
                    .set("keys", static_cast<uint64_t>(json_array_size(described.get())))
                    .build();
    host_.notifyEvent(0, e.get());
    return JsonBuilder().set("reloaded", true).set("keys", std::move(described)).build();
}

JsonPtr RoomPlugin::sharedStateInfo() const {
    if (!sharedState_) return JsonBuilder().set("mode", "local").build();
    JsonPtr d = sharedState_->describe();
    json_object_update(d.get(), JsonBuilder()
                                    .set("listening", listener_ && listener_->listening())
                                    .set("revocations_heard", listener_ ? listener_->delivered() : uint64_t{0})
                                    .build()
                                    .get());
    return d;
}

JsonPtr RoomPlugin::handleAdmin(const json_t* request) {
    if (!json_is_object(request)) throw RequestError(errc::kInvalidJson, "request must be a JSON object");
    std::string_view what = jsonRequireString(request, "request");
    if (what == "info" && !json_object_get(request, "room")) {
        JsonPtr info = infoResponse(kRoomInfo, config_.effective());
        std::lock_guard lock(mutex_);
        json_object_update(info.get(), JsonBuilder()
                                           .set("sessions", static_cast<uint64_t>(sessions_.size()))
                                           .set("rooms", static_cast<uint64_t>(service_->roomCount()))
                                           .set("pseudonym_key_loaded", true)
                                           .set("development", development_)
                                           .set("publishers", relay_.publisherCount())
                                           .set("relayed_packets", relay_.relayedPackets())
                                           .set("chat_messages_relayed", relay_.chatRelayed())
                                           .set("chat_messages_dropped", relay_.chatDropped())
                                           .set("chat_messages_unkept", relay_.chatUnkept())
                                           .set("slow_links", slowLinks_.load())
                                           .set("recording_failures", recordingFailures_.load())
                                           .set("keys", verifier_->keys()->describe())
                                           .set("dob_key_loaded", !verifier_->keys()->dobKey().empty())
                                           .set("shared_state", sharedStateInfo())
                                           .build()
                                           .get());
        return info;
    }
    if (what == "reload_keys") return reloadKeys();
    if (what == "directory") {
        RoomDirectory::Filter filter = DirectoryBridge::filterOf(request);
        if (!directory_) throw RequestError(errc::kDirectoryDisabled, "no room directory: cluster.conninfo is not set");
        return directory_->listing(filter);
    }
    if (what == "create" && directory_) return createShared(request);
    Effects out;
    JsonPtr res;
    {
        std::lock_guard lock(mutex_);
        res = service_->admin(request, clock_(), out);
    }
    apply(out);
    return res;
}

JsonPtr RoomPlugin::querySession(SessionId session) { return JsonBuilder().set("session", session).build(); }

}  // namespace hipaa::room

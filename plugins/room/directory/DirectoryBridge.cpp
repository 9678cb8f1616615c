// SPDX-License-Identifier: GPL-3.0-or-later
#include "DirectoryBridge.hpp"

#include "RoomErrors.hpp"
#include "RoomEvent.hpp"
#include "RoomPush.hpp"
#include "RoomState.hpp"

#include "hipaa/JsonBuilder.hpp"

#include <cctype>

namespace hipaa::room {
namespace {

constexpr const char* kUnavailable = "the clinic's shared room directory is unreachable; try again";

}  // namespace

DirectoryBridge::DirectoryBridge(const ClusterConfig& cluster, int64_t deadAfterS, Notify notify, Logger log,
                                 std::chrono::milliseconds heartbeat)
    : cluster_(cluster),
      deadAfterS_(deadAfterS),
      notify_(std::move(notify)),
      log_(std::move(log)),
      heartbeatInterval_(heartbeat),
      directory_(cluster.conninfo, cluster.instanceId, cluster.publicUrl, deadAfterS) {}

DirectoryBridge::~DirectoryBridge() {
    {
        std::lock_guard lock(stopMutex_);
        stopping_ = true;
    }
    stopCv_.notify_all();
    if (starter_.joinable()) starter_.join();
    {
        std::lock_guard lock(heartbeatMutex_);
        heartbeat_.reset();
    }
    try {
        flush(directory_);  // visits that ended just before the stop
        // A clean stop (Janus' destroy): this instance's rooms are gone, nobody may be sent to them.
        if (started_) directory_.endAll("normal");
    } catch (const std::exception& e) {
        log_.warn(std::string("room directory: rooms not ended at stop (the next start or another instance will): ") +
                  e.what());
    }
}

bool DirectoryBridge::start(const std::map<std::string, std::string>& configured, const Host& host) {
    if (tryStart(configured, host)) return true;
    log_.warn(
        "cluster: the room directory cannot be reached yet: joins of rooms not hosted here and create "
        "answer 468, the configured rooms are registered once it can");
    starter_ = std::thread([this, configured, host] {
        std::unique_lock lock(stopMutex_);
        while (!stopCv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; })) {
            lock.unlock();
            bool done = tryStart(configured, host);
            lock.lock();
            if (done) return;
        }
    });
    return false;
}

bool DirectoryBridge::tryStart(const std::map<std::string, std::string>& configured, const Host& host) {
    std::vector<RoomDirectory::Ended> restarted;
    std::vector<std::string> hosted;
    try {
        if (!started_) restarted = directory_.start();
    } catch (const std::exception&) {
        return false;
    }
    if (!restarted.empty())
        log_.warn("room directory: " + std::to_string(restarted.size()) +
                  " room(s) of this instance's earlier run ended abnormally");
    if (!started_) {
        started_ = true;
        auto own =
            std::make_unique<RoomDirectory>(cluster_.conninfo, cluster_.instanceId, cluster_.publicUrl, deadAfterS_);
        std::lock_guard lock(heartbeatMutex_);
        heartbeat_ = std::make_unique<DirectoryHeartbeat>(
            std::move(own), heartbeatInterval_, std::move(restarted),
            [this](const RoomDirectory::Ended& e, const char* detectedBy) {
                notify_(event::visitEndedAbnormally(e.room, e.instanceId, detectedBy, cluster_.instanceId));
            },
            [this](RoomDirectory& d) {
                flush(d);
                reclaim(d);
            },
            log_);
    }
    // In a cluster every instance may configure the same rooms: the first to start hosts each. A claim
    // repeated after a failure finds the room its own.
    try {
        for (const auto& [room, cls] : configured)
            if (claimConfigured(room, cls)) hosted.push_back(room);
    } catch (const std::exception& e) {
        log_.warn(std::string("room directory: configured rooms not registered yet: ") + e.what());
        return false;
    }
    host(hosted);
    ready_ = true;
    return true;
}

void DirectoryBridge::poke() {
    std::lock_guard lock(heartbeatMutex_);
    if (heartbeat_) heartbeat_->poke();
}

bool DirectoryBridge::claimConfigured(const std::string& room, const std::string& className) {
    RoomDirectory::ClaimResult r;
    try {
        r = directory_.claim(room, className);
    } catch (const std::exception& e) {
        throw ConfigError("room-" + room + ": the room directory is unreachable: " + e.what());
    }
    if (r.outcome != RoomDirectory::Claim::Elsewhere) {
        std::lock_guard lock(pendingMutex_);
        hosted_[room] = className;
        return true;
    }
    // Room ids are configuration, not PHI.
    log_.info("room-" + room + " is hosted by instance " + r.host.instanceId + ": joins here are redirected there");
    return false;
}

bool DirectoryBridge::claim(const std::string& room, const std::string& className) {
    if (!ready_) throw RequestError(errc::kSharedStateUnavailable, kUnavailable);
    RoomDirectory::ClaimResult r;
    try {
        r = directory_.claim(room, className);
    } catch (const std::exception& e) {
        log_.warn(std::string("room directory: create refused: ") + e.what());
        throw RequestError(errc::kSharedStateUnavailable, kUnavailable);
    }
    if (r.outcome == RoomDirectory::Claim::Elsewhere)
        throw RequestError(errc::kRoomHostedElsewhere,
                           "the room is live on instance " + r.host.instanceId + " (" + r.host.publicUrl + ")");
    {
        std::lock_guard lock(pendingMutex_);
        hosted_[room] = className;
    }
    return r.outcome == RoomDirectory::Claim::Claimed;
}

void DirectoryBridge::release(const std::string& room) {
    {
        std::lock_guard lock(pendingMutex_);
        pending_.emplace_back(room, "destroyed");
        hosted_.erase(room);
    }
    poke();
}

bool DirectoryBridge::redirect(SessionId session, const std::string& transaction, const std::string& room,
                               const Vouch& vouch, Effects& out) {
    std::optional<RoomDirectory::Host> host;
    try {
        if (!ready_) throw Error(errc::kSharedStateUnavailable, "not registered yet");
        host = directory_.lookup(room);
    } catch (const std::exception& e) {
        log_.warn(std::string("room directory: join refused: ") + e.what());
        out.push_back(Effect::push(session, transaction, push::error(errc::kSharedStateUnavailable, kUnavailable)));
        // The room id is the client's string and unverified: the event leaves it out.
        out.push_back(Effect::notify(
            session, event::joinRefused("", errc::kSharedStateUnavailable, "shared_state_unavailable", "")));
        return true;
    }
    if (!host || host->instanceId == directory_.instanceId()) return false;
    switch (vouch(host->className, out)) {
        case Verdict::Redirect:
            break;
        case Verdict::Refused:
            return true;
        case Verdict::Other:
            return false;
    }
    JsonPtr answer = push::error(errc::kRoomElsewhere, "the room is hosted by another instance: join there");
    json_object_set_new(answer.get(), "instance_id", json_string(host->instanceId.c_str()));
    json_object_set_new(answer.get(), "instance_url", json_string(host->publicUrl.c_str()));
    out.push_back(Effect::push(session, transaction, std::move(answer)));
    out.push_back(Effect::notify(session, event::joinRefused(room, errc::kRoomElsewhere, "room_elsewhere", "")));
    return true;
}

void DirectoryBridge::observe(const Effects& effects) {
    for (const auto& e : effects) {
        if (e.kind != Effect::Kind::Notify || e.session != 0) continue;
        auto name = jsonString(e.body.get(), "event");
        auto room = jsonString(e.body.get(), "room");
        if (!name || !room) continue;
        const char* reason = nullptr;
        if (*name == "visit_ended")
            reason = jsonString(e.body.get(), "reason").value_or("") == "destroyed" ? "destroyed" : "normal";
        else if (*name == "room_destroyed")
            reason = "destroyed";
        if (!reason) continue;
        {
            std::lock_guard lock(pendingMutex_);
            pending_.emplace_back(std::string(*room), reason);
            hosted_.erase(std::string(*room));
        }
        poke();
    }
}

void DirectoryBridge::flush(RoomDirectory& directory) {
    std::vector<std::pair<std::string, std::string>> todo;
    {
        std::lock_guard lock(pendingMutex_);
        todo.swap(pending_);
    }
    size_t done = 0;
    try {
        for (; done < todo.size(); ++done) directory.end(todo[done].first, todo[done].second);
    } catch (const std::exception&) {
        // Kept for the next flush; if this instance dies first, its restart or another instance's
        // heartbeat check ends them (abnormal).
        std::lock_guard lock(pendingMutex_);
        pending_.insert(pending_.begin(), todo.begin() + static_cast<std::ptrdiff_t>(done), todo.end());
    }
}

void DirectoryBridge::reclaim(RoomDirectory& directory) {
    std::map<std::string, std::string> hosted;
    {
        std::lock_guard lock(pendingMutex_);
        hosted = hosted_;
    }
    if (hosted.empty()) return;
    std::vector<std::string> rooms;
    rooms.reserve(hosted.size());
    for (const auto& [room, cls] : hosted) rooms.push_back(room);
    try {
        for (const auto& room : directory.lost(rooms)) {
            RoomDirectory::ClaimResult r = directory.claim(room, hosted.at(room));
            if (r.outcome != RoomDirectory::Claim::Elsewhere) {
                log_.warn("room directory: room " + room +
                          " was ended by another instance while it lived here: registered again");
                notify_(event::roomReregistered(room, cluster_.instanceId));
                continue;
            }
            // Two instances host the id now: nothing here can merge them. Joins elsewhere go to the
            // other; this one keeps its participants until the visit ends. Reported once.
            log_.error("room directory: room " + room + " lives here and on instance " + r.host.instanceId);
            notify_(event::roomConflict(room, cluster_.instanceId, r.host.instanceId));
            std::lock_guard lock(pendingMutex_);
            hosted_.erase(room);
        }
    } catch (const std::exception&) {
        // The heartbeat reports the outage; tried again on the next beat.
    }
}

RoomDirectory::Filter DirectoryBridge::filterOf(const json_t* request) {
    RoomDirectory::Filter f;
    if (auto inst = jsonOptionalString(request, "instance", 1, 64)) {
        f.instanceId = std::string(*inst);
        for (unsigned char c : f.instanceId)
            if (!std::isalnum(c) && c != '_' && c != '-' && c != '.')
                throw RequestError(errc::kInvalidField, "instance: 1 to 64 of [A-Za-z0-9_.-]");
    }
    f.liveOnly = jsonOptionalBool(request, "live_only").value_or(false);
    f.limit = static_cast<int>(jsonOptionalInt(request, "limit", 1, 1000).value_or(100));
    return f;
}

JsonPtr DirectoryBridge::listing(const RoomDirectory::Filter& f) {
    std::vector<RoomDirectory::Entry> rooms;
    std::vector<RoomDirectory::Instance> instances;
    bool truncated = false;
    try {
        if (!ready_) throw Error(errc::kSharedStateUnavailable, "not registered yet");
        rooms = directory_.list(f, truncated);
        instances = directory_.instances();
    } catch (const std::exception& e) {
        log_.warn(std::string("room directory: listing refused: ") + e.what());
        throw RequestError(errc::kSharedStateUnavailable, kUnavailable);
    }
    JsonArrayBuilder roomsOut;
    for (const auto& r : rooms) {
        JsonBuilder b;
        b.set("room", r.room)
            .set("instance_id", r.instanceId)
            .set("instance_url", r.publicUrl)
            .set("class", r.className)
            .set("created_us", r.createdUs)
            .set("live", !r.endedUs.has_value());
        if (r.endedUs) b.set("ended_us", *r.endedUs).set("end_reason", r.endReason);
        roomsOut.push(std::move(b).build());
    }
    JsonArrayBuilder instancesOut;
    for (const auto& i : instances)
        instancesOut.push(JsonBuilder()
                              .set("instance_id", i.instanceId)
                              .set("instance_url", i.publicUrl)
                              .set("started_us", i.startedUs)
                              .set("last_heartbeat_us", i.lastHeartbeatUs)
                              .set("alive", i.alive)
                              .build());
    return JsonBuilder()
        .set("instance_id", directory_.instanceId())
        .set("rooms", std::move(roomsOut).build())
        .set("truncated", truncated)
        .set("instances", std::move(instancesOut).build())
        .build();
}

}  // namespace hipaa::room

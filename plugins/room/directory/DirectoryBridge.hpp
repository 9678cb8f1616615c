// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The room plugin's side of the room directory (cluster.conninfo set): registers the rooms this
// instance hosts, ends them there when their visit ends or they are destroyed, answers joins for
// rooms another instance hosts with a redirect (469), refuses to create a room another instance hosts
// (471), runs the heartbeat, and answers the Admin API `directory` listing. Rooms this instance
// hosts that another instance ended meanwhile (this one could not heartbeat for longer than
// dead_after) are registered again, or reported as a conflict when the id went live elsewhere. Fails closed: a
// directory it cannot reach refuses create and joins of rooms not hosted here with 468. Thread use:
// start()/claimConfigured() at init; claim()/release()/listing() on the Admin API thread; redirect() on the room's
// worker; observe() wherever effects are applied.
#include "DirectoryHeartbeat.hpp"
#include "Effect.hpp"
#include "RoomDirectory.hpp"

#include "hipaa/ClusterConfig.hpp"
#include "hipaa/Json.hpp"
#include "hipaa/Logger.hpp"

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace hipaa::room {

class DirectoryBridge {
public:
    using Notify = std::function<void(JsonPtr event)>;  // a PHI-free event for the event handlers; any thread
    static constexpr auto kHeartbeat = std::chrono::milliseconds(1000);

    DirectoryBridge(const ClusterConfig& cluster, int64_t deadAfterS, Notify notify, Logger log,
                    std::chrono::milliseconds heartbeat = kHeartbeat);
    ~DirectoryBridge();

    // Registers this instance, ends its rooms of an earlier run (`abnormal`, reported as events) and
    // starts the heartbeat; then claims `configured` (room -> class, the .jcfg's rooms) and passes the
    // ones this instance hosts to `host`. When the directory cannot be reached, this is retried every
    // second on a thread of its own until it succeeds (`host` then runs there) and meanwhile joins of
    // rooms not hosted here, create and the listing answer 468: Janus runs with the room plugin
    // through a database outage at start. Returns true when done now (`host` has run).
    using Host = std::function<void(const std::vector<std::string>& rooms)>;
    bool start(const std::map<std::string, std::string>& configured, const Host& host);
    // Admin `create`: true when this call registered the room (release() it if the room is then not
    // created after all). Throws RequestError 471 (hosted elsewhere) or 468 (unreachable).
    bool claim(const std::string& room, const std::string& className);
    void release(const std::string& room);
    // What the room makes of a join for a room live on another instance, of `className` there: Redirect
    // (the token is authentic and unspent), Refused (its answer in `out`), Other (the service answers).
    // The host is named only after Redirect: nobody learns where a room lives without a valid token.
    enum class Verdict { Redirect, Refused, Other };
    using Vouch = std::function<Verdict(const std::string& className, Effects& out)>;
    // A join for `room`, which this instance does not host: true when answered here (469 with the
    // host, 468, or vouch's refusal), with the answer and a refused-join event in `out`; false: not
    // live anywhere (or Other), the service answers (no such room).
    bool redirect(SessionId session, const std::string& transaction, const std::string& room, const Vouch& vouch,
                  Effects& out);
    // Notes the visits that `effects` end or the rooms they destroy; the heartbeat thread writes them
    // (within a second), so a stalled database never stalls the worker for them.
    void observe(const Effects& effects);
    // Admin `directory`: {instance?, live_only?, limit?} checked (303) whether or not there is a
    // directory, then listed. Throws RequestError (303; listing: 468).
    static RoomDirectory::Filter filterOf(const json_t* request);
    JsonPtr listing(const RoomDirectory::Filter& filter);

    const std::string& instanceId() const { return directory_.instanceId(); }

    bool ready() const { return ready_.load(); }

private:
    bool tryStart(const std::map<std::string, std::string>& configured, const Host& host);
    // A room of the .jcfg: true when this instance hosts it (claimed now or already its own), false
    // when another live instance does (then joins here are redirected there). Throws when unreachable.
    bool claimConfigured(const std::string& room, const std::string& className);
    void poke();
    void flush(RoomDirectory& directory);    // writes the noted ends; keeps what failed for the next time
    void reclaim(RoomDirectory& directory);  // registers again what was ended elsewhere (see above)

    ClusterConfig cluster_;
    int64_t deadAfterS_;
    Notify notify_;
    Logger log_;
    std::chrono::milliseconds heartbeatInterval_;
    RoomDirectory directory_;    // the worker's and the Admin API's (the heartbeat has its own)
    std::mutex heartbeatMutex_;  // guards heartbeat_ (set by the starting thread)
    std::unique_ptr<DirectoryHeartbeat> heartbeat_;
    std::atomic<bool> started_{false}, ready_{false};
    std::mutex stopMutex_;  // guards stopping_
    std::condition_variable stopCv_;
    bool stopping_ = false;
    std::thread starter_;                                       // retries start() while the directory cannot be reached
    std::mutex pendingMutex_;                                   // guards pending_, hosted_
    std::vector<std::pair<std::string, std::string>> pending_;  // (room, end reason) to write
    std::map<std::string, std::string> hosted_;                 // room -> class, registered and not ended
};

}  // namespace hipaa::room

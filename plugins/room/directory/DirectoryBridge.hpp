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

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
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
    // starts the heartbeat. Throws ConfigError when the directory cannot be reached.
    void start();
    // A room of the .jcfg: true when this instance hosts it (claimed now or already its own), false
    // when another live instance does (then joins here are redirected there). Throws ConfigError.
    bool claimConfigured(const std::string& room, const std::string& className);
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

private:
    void flush(RoomDirectory& directory);    // writes the noted ends; keeps what failed for the next time
    void reclaim(RoomDirectory& directory);  // registers again what was ended elsewhere (see above)

    ClusterConfig cluster_;
    int64_t deadAfterS_;
    Notify notify_;
    Logger log_;
    std::chrono::milliseconds heartbeatInterval_;
    RoomDirectory directory_;  // the worker's and the Admin API's (the heartbeat has its own)
    std::unique_ptr<DirectoryHeartbeat> heartbeat_;
    bool started_ = false;
    std::mutex pendingMutex_;                                   // guards pending_, hosted_
    std::vector<std::pair<std::string, std::string>> pending_;  // (room, end reason) to write
    std::map<std::string, std::string> hosted_;                 // room -> class, registered and not ended
};

}  // namespace hipaa::room

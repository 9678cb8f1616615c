#include "RoomTab.hpp"

#include "JanusProcess.hpp"

#include <algorithm>
#include <cstdio>
#include <memory>

namespace hipaa::test {
namespace {

constexpr const char* kRoomPlugin = "janus.plugin.hipaa.room";

const json_t* pluginData(const json_t* ev) { return json_object_get(json_object_get(ev, "plugindata"), "data"); }

}  // namespace

RoomTab::RoomTab(const JanusProcess& janus) : client_(janus) {
    session_ = client_.createSession();
    handle_ = client_.attach(session_, kRoomPlugin);
}

bool RoomTab::send(const std::string& json) {
    JsonPtr r = client_.message(session_, handle_, J(json).get());
    return jsonString(r.get(), "janus").value_or("") == "ack";
}

bool RoomTab::join(const std::string& room, const std::string& token) {
    JsonPtr m = jsonObject();
    jsonSet(m.get(), "request", "join");
    jsonSet(m.get(), "room", room);
    jsonSet(m.get(), "token", token);
    return send(jsonDump(m.get()));
}

JsonPtr RoomTab::wait(const std::function<bool(const json_t*)>& pred, std::chrono::milliseconds timeout) {
    // waitEvent re-checks the events it already received: remember which ones were returned.
    JsonPtr e = client_.waitEvent(
        session_,
        [&](const json_t* ev) {
            const json_t* d = pluginData(ev);
            return d && pred(d) && !used_.count(jsonDump(ev));
        },
        timeout);
    if (!e) return nullptr;
    used_.insert(jsonDump(e.get()));
    return jsonRetain(const_cast<json_t*>(pluginData(e.get())));
}

JsonPtr RoomTab::waitKind(const std::string& kind, std::chrono::milliseconds timeout) {
    return wait([&](const json_t* d) { return jsonString(d, "hipaa.room").value_or("") == kind; }, timeout);
}

std::string mintRoomToken(const JanusProcess& janus, const std::string& room, const std::string& role,
                          const std::string& sub, const std::string& extra) {
    std::string cmd = std::string("python3 ") + HIPAA_SOURCE_DIR + "/scripts/mint-token --key '" +
                      janus.configFile("keys/dev-es256.pem") + "' --room " + room + " --role " + role + " --sub " + sub +
                      " " + extra;
    std::unique_ptr<FILE, int (*)(FILE*)> p(::popen(cmd.c_str(), "r"), &::pclose);
    if (!p) return {};
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p.get())) > 0) out.append(buf, n);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return std::count(out.begin(), out.end(), '.') == 2 ? out : std::string();
}

}  // namespace hipaa::test

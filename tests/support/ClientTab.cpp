// SPDX-License-Identifier: GPL-3.0-or-later
#include "ClientTab.hpp"

#include <stdexcept>

namespace hipaa::test {
namespace {

constexpr const char* kRoom = "janus.plugin.hipaa.room";

const json_t* dataOf(const json_t* event) { return json_object_get(json_object_get(event, "plugindata"), "data"); }

}  // namespace

ClientTab::ClientTab(const JanusProcess& janus) : client_(janus) {
    session_ = client_.createSession();
    handle_ = client_.attach(session_, kRoom);
}

uint64_t ClientTab::attach() { return client_.attach(session_, kRoom); }

void ClientTab::sendOn(uint64_t handle, const json_t* body, const json_t* jsep) {
    JsonPtr reply = client_.message(session_, handle, body, jsep);
    if (jsonString(reply.get(), "janus").value_or("") != "ack")
        throw std::runtime_error("room message not acknowledged: " + jsonDump(reply.get()));
}

void ClientTab::sendOffer(const std::string& request, const std::string& sdp) {
    JsonPtr jsep = jsonObject();
    jsonSet(jsep.get(), "type", "offer");
    jsonSet(jsep.get(), "sdp", sdp);
    send(J(request).get(), jsep.get());
}

JsonPtr ClientTab::joinMessage(const std::string& room, const std::string& token, const std::string& dob,
                               const std::string& display) {
    JsonPtr m = jsonObject();
    jsonSet(m.get(), "request", "join");
    jsonSet(m.get(), "room", room);
    jsonSet(m.get(), "token", token);
    if (!dob.empty()) jsonSet(m.get(), "dob", dob);
    if (!display.empty()) jsonSet(m.get(), "display", display);
    return m;
}

void ClientTab::join(const std::string& room, const std::string& token, const std::string& dob,
                     const std::string& display) {
    send(joinMessage(room, token, dob, display).get());
}

JsonPtr ClientTab::next(const std::function<bool(const json_t*)>& pred, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto& seen = client_.events();
        for (size_t i = 0; i < seen.size(); ++i)
            if (!returned_.count(i) && pred(seen[i].get())) {
                returned_.insert(i);
                return jsonRetain(seen[i].get());
            }
        if (std::chrono::steady_clock::now() >= deadline) return nullptr;
        // Until something new arrives (events() grows) or the deadline.
        const size_t before = seen.size();
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        client_.waitEvent(
            session_, [&](const json_t*) { return client_.events().size() > before; }, left);
    }
}

JsonPtr ClientTab::wait(const std::function<bool(const json_t*)>& pred, std::chrono::milliseconds timeout) {
    return next([&](const json_t* e) { return dataOf(e) && pred(dataOf(e)); }, timeout);
}

JsonPtr ClientTab::waitData(const std::function<bool(const json_t*)>& pred, std::chrono::milliseconds timeout) {
    JsonPtr e = wait(pred, timeout);
    return e ? jsonRetain(const_cast<json_t*>(dataOf(e.get()))) : nullptr;
}

JsonPtr ClientTab::waitKind(const std::string& kind, std::chrono::milliseconds timeout) {
    return wait([&](const json_t* d) { return jsonString(d, "hipaa.room").value_or("") == kind; }, timeout);
}

JsonPtr ClientTab::waitError(std::chrono::milliseconds timeout) {
    return wait([](const json_t* d) { return json_object_get(d, "error_code") != nullptr; }, timeout);
}

JsonPtr ClientTab::waitErrorOn(uint64_t handle, std::chrono::milliseconds timeout) {
    return next(
        [&](const json_t* e) {
            return static_cast<uint64_t>(jsonInt(e, "sender").value_or(0)) == handle && dataOf(e) &&
                   json_object_get(dataOf(e), "error_code");
        },
        timeout);
}

bool ClientTab::detached(std::chrono::milliseconds timeout) {
    return client_.waitEvent(
               session_, [](const json_t* e) { return jsonString(e, "janus").value_or("") == "detached"; }, timeout) !=
           nullptr;
}

std::vector<const json_t*> ClientTab::pluginEvents() const {
    std::vector<const json_t*> out;
    for (const auto& e : client_.events())
        if (const json_t* d = dataOf(e.get())) out.push_back(d);
    return out;
}

JsonPtr ClientTab::requestOn(uint64_t handle, const json_t* body, const json_t* jsep) {
    JsonPtr reply = client_.message(session_, handle, body, jsep);
    if (const json_t* d = dataOf(reply.get())) return jsonRetain(const_cast<json_t*>(d));
    std::string janus(jsonString(reply.get(), "janus").value_or(""));
    std::string tx(jsonString(reply.get(), "transaction").value_or(""));
    if (janus != "ack" || tx.empty()) throw std::runtime_error("room message not accepted: " + jsonDump(reply.get()));
    JsonPtr ev = client_.waitEvent(
        session_, [&](const json_t* e) { return dataOf(e) && jsonString(e, "transaction").value_or("") == tx; });
    if (!ev) throw std::runtime_error("no answer to " + jsonDump(body));
    return jsonRetain(const_cast<json_t*>(dataOf(ev.get())));
}

JsonPtr ClientTab::requestJoin(const std::string& room, const std::string& token, const std::string& dob) {
    return request(joinMessage(room, token, dob, "").get());
}

}  // namespace hipaa::test

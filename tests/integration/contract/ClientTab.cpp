#include "ClientTab.hpp"

#include <stdexcept>

namespace hipaa::test {
namespace {

const json_t* dataOf(const json_t* event) { return json_object_get(json_object_get(event, "plugindata"), "data"); }

}  // namespace

ClientTab::ClientTab(const JanusProcess& janus) : client_(janus) {
    session_ = client_.createSession();
    handle_ = client_.attach(session_, "janus.plugin.hipaa.room");
}

uint64_t ClientTab::attach() { return client_.attach(session_, "janus.plugin.hipaa.room"); }

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

JsonPtr ClientTab::join(const std::string& room, const std::string& token, const std::string& dob) {
    JsonPtr m = jsonObject();
    jsonSet(m.get(), "request", "join");
    jsonSet(m.get(), "room", room);
    jsonSet(m.get(), "token", token);
    if (!dob.empty()) jsonSet(m.get(), "dob", dob);
    return request(m.get());
}

JsonPtr ClientTab::waitData(const std::function<bool(const json_t*)>& pred, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto& seen = client_.events();
        for (size_t i = 0; i < seen.size(); ++i)
            if (const json_t* d = dataOf(seen[i].get()); d && !returned_.count(i) && pred(d)) {
                returned_.insert(i);  // each event is matched at most once
                return jsonRetain(const_cast<json_t*>(d));
            }
        if (std::chrono::steady_clock::now() >= deadline) return nullptr;
        // Until something new arrives (events() grows) or the deadline.
        const size_t before = seen.size();
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        client_.waitEvent(
            session_, [&](const json_t*) { return client_.events().size() > before; }, left);
    }
}

}  // namespace hipaa::test

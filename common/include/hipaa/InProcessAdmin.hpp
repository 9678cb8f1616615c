#pragma once
// In-process access to another plugin's Admin API contract (message_plugin), for plugins loaded into
// the same Janus process. It lives in libhipaa_common.so, so every plugin shares one directory (like
// the VisitBus). The recorder provides its handler at init and withdraws it before it is destroyed;
// the room calls it to start and stop consult recordings without HTTP or the Admin API secret.
//
// call() runs the handler on the caller's thread while holding a shared lock, so withdraw() waits for
// calls in flight and a withdrawn plugin is never called. Control path only: never from media threads.
#include "hipaa/Json.hpp"

#include <functional>
#include <map>
#include <shared_mutex>
#include <string>

namespace hipaa {

class InProcessAdmin {
public:
    using Handler = std::function<JsonPtr(const json_t* request)>;
    static constexpr int kUnavailable = 350;  // shared error code: the plugin is not loaded in this process

    static InProcessAdmin& instance();
    InProcessAdmin() = default;
    InProcessAdmin(const InProcessAdmin&) = delete;
    InProcessAdmin& operator=(const InProcessAdmin&) = delete;

    // Replaces any handler under that plugin name.
    void provide(const std::string& plugin, Handler handler);
    // Removes it; returns after every call already running has returned.
    void withdraw(const std::string& plugin);
    bool available(const std::string& plugin) const;
    // The handler's answer. Throws Error(kUnavailable) when nobody provides `plugin`; the handler's
    // own exceptions pass through.
    JsonPtr call(const std::string& plugin, const json_t* request) const;

private:
    mutable std::shared_mutex mutex_;
    std::map<std::string, Handler> handlers_;
};

}  // namespace hipaa

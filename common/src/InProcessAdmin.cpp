#include "hipaa/InProcessAdmin.hpp"

#include "hipaa/Errors.hpp"

#include <mutex>

namespace hipaa {

InProcessAdmin& InProcessAdmin::instance() {
    static InProcessAdmin directory;
    return directory;
}

void InProcessAdmin::provide(const std::string& plugin, Handler handler) {
    std::unique_lock lock(mutex_);
    handlers_[plugin] = std::move(handler);
}

void InProcessAdmin::withdraw(const std::string& plugin) {
    std::unique_lock lock(mutex_);  // waits for shared holders: calls in flight
    handlers_.erase(plugin);
}

bool InProcessAdmin::available(const std::string& plugin) const {
    std::shared_lock lock(mutex_);
    return handlers_.contains(plugin);
}

JsonPtr InProcessAdmin::call(const std::string& plugin, const json_t* request) const {
    std::shared_lock lock(mutex_);
    auto it = handlers_.find(plugin);
    if (it == handlers_.end()) throw Error(kUnavailable, plugin + " is not loaded in this process");
    return it->second(request);
}

}  // namespace hipaa

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The janus_eventhandler C table, as noexcept trampolines over an EventHandlerCore.
// Traits: `static constexpr PluginInfo kInfo`, `static constexpr janus_flags kEventsMask` and
//         `static std::unique_ptr<EventHandlerCore> create(const std::string& configFile, Logger)`
//         (returning nullptr means "disabled in config": init fails quietly, as sampleevh does).
//
// Janus 1.1.2 ignores the return value of an event handler's init() (janus.c: the handler stays
// registered). So a failed or disabled handler must make itself inert: it clears its events mask
// (no events, no deep copies) and answers every admin request with the reason it is not running.
#include "hipaa/Errors.hpp"
#include "hipaa/PluginCore.hpp"
#include "hipaa/glue/JanusAbi.hpp"

#include <memory>

namespace hipaa::glue {

template <class Traits>
class EventHandlerGlue final {
public:
    static janus_eventhandler* table() { return &handler_; }

private:
    static int init(const char* configPath) noexcept {
        if (!configPath) return -1;
        Logger log = janusLogger(Traits::kInfo.package);
        handler_.events_mask = JANUS_EVENT_TYPE_NONE;
        try {
            core_ = Traits::create(configFile(configPath, Traits::kInfo.package), log);
            if (!core_) {
                notRunning() = "disabled in its configuration (general.enabled = false)";
                log.warn("disabled in its configuration: not running");
                return -1;
            }
            notRunning().clear();
            handler_.events_mask = Traits::kEventsMask;
            log.info(std::string(Traits::kInfo.name) + " " + Traits::kInfo.versionString + " initialized");
            return 0;
        } catch (const std::exception& e) {
            notRunning() = std::string("init failed: ") + e.what();
        } catch (...) {
            notRunning() = "init failed: unknown exception";
        }
        log.error(notRunning() + " (the handler stays registered in Janus but receives nothing)");
        core_.reset();
        return -1;
    }
    static void destroy() noexcept {
        handler_.events_mask = JANUS_EVENT_TYPE_NONE;
        try {
            core_.reset();  // flushes and joins
        } catch (...) {
        }
    }
    static int apiCompatibility() noexcept { return JANUS_EVENTHANDLER_API_VERSION; }
    static int version() noexcept { return Traits::kInfo.version; }
    static const char* versionString() noexcept { return Traits::kInfo.versionString; }
    static const char* description() noexcept { return Traits::kInfo.description; }
    static const char* name() noexcept { return Traits::kInfo.name; }
    static const char* author() noexcept { return "janus-hipaa"; }
    static const char* package() noexcept { return Traits::kInfo.package; }

    static void incomingEvent(json_t* event) noexcept {  // borrowed: the core releases it after the call
        if (!core_ || !event) return;
        try {
            core_->incomingEvent(event);
        } catch (...) {
            // Cores count what they could not queue; nothing may escape into Janus' event thread.
        }
    }

    static json_t* handleRequest(json_t* request) noexcept {  // borrowed; the answer is handed over
        JsonPtr answer;
        try {
            if (!core_)
                answer = jsonError(errc::kConfig, "not running: " + notRunning());
            else
                answer = core_->handleRequest(request);
        } catch (const Error& e) {
            answer = jsonError(e.code(), e.what());
        } catch (const std::exception& e) {
            janusLogger(Traits::kInfo.package).error(std::string("handle_request failed: ") + e.what());
        } catch (...) {
        }
        try {
            return envelopeAnswer(Traits::kInfo, std::move(answer)).release();  // null: internal error
        } catch (...) {
            return nullptr;  // out of memory
        }
    }

    static inline janus_eventhandler handler_ = {
        .init = &init,
        .destroy = &destroy,
        .get_api_compatibility = &apiCompatibility,
        .get_version = &version,
        .get_version_string = &versionString,
        .get_description = &description,
        .get_name = &name,
        .get_author = &author,
        .get_package = &package,
        .incoming_event = &incomingEvent,
        .handle_request = &handleRequest,
        .events_mask = Traits::kEventsMask,
    };
    static inline std::unique_ptr<EventHandlerCore> core_;
    // Why the handler does not run; empty while it runs. A function-local static: initialised on first use,
    // never at load time (no exception can escape before main).
    static std::string& notRunning() {
        static std::string why = "not initialized";
        return why;
    }
};

}  // namespace hipaa::glue

// SPDX-License-Identifier: GPL-3.0-or-later
// The janus_eventhandler table of janus.eventhandler.hipaa.audit.
#include "AuditGlue.hpp"

#include "AuditHandler.hpp"
#include "hipaa/glue/EventHandlerGlue.hpp"

namespace {
struct AuditTraits {
    static constexpr hipaa::PluginInfo kInfo = hipaa::audit::kAuditInfo;
    // Every event Janus emits: the trail must be complete.
    static constexpr janus_flags kEventsMask = JANUS_EVENT_TYPE_ALL;
    static std::unique_ptr<hipaa::EventHandlerCore> create(const std::string& file, hipaa::Logger log) {
        return hipaa::audit::AuditHandler::create(file, std::move(log));
    }
};
}  // namespace

janus_eventhandler* hipaa_audit_eventhandler() { return hipaa::glue::EventHandlerGlue<AuditTraits>::table(); }

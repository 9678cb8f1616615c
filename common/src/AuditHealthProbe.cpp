// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/AuditHealthProbe.hpp"

namespace hipaa {

InProcessSlot<AuditHealthProbe>& AuditHealthProbe::inProcess() {
    static InProcessSlot<AuditHealthProbe> slot("janus.eventhandler.hipaa.audit");
    return slot;
}

}  // namespace hipaa

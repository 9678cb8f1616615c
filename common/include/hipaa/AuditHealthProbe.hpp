// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The audit handler's typed in-process seam (janus.eventhandler.hipaa.audit provides it): the room
// asks it before every join and admission and refuses the visit (fail closed) unless the trail takes
// records. Reached only through a lease of inProcess().
#include <string>

#include "hipaa/InProcessSlot.hpp"

namespace hipaa {

class AuditHealthProbe {
public:
    virtual ~AuditHealthProbe() = default;
    // Empty while records are taken; otherwise why not, PHI-free (`spool_full`, `queue_full`).
    virtual std::string auditProblem() const = 0;

    // This process' slot (libhipaa_common.so); the audit handler registers there at init.
    static InProcessSlot<AuditHealthProbe>& inProcess();
};

}  // namespace hipaa

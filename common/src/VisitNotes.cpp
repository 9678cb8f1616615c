// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/VisitNotes.hpp"

namespace hipaa {

InProcessSlot<VisitNotes>& VisitNotes::inProcess() {
    static InProcessSlot<VisitNotes> slot("janus.eventhandler.hipaa.fhir");
    return slot;
}

}  // namespace hipaa

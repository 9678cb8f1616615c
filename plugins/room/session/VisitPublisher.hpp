// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The VisitBus seam: where notes and ended visits are published (tests count or refuse publications).
#include "hipaa/VisitBus.hpp"
#include "hipaa/VisitEvents.hpp"

#include <functional>

namespace hipaa::room {

struct VisitPublisher {
    std::function<VisitBus::PublishResult(NoteSubmitted)> note;
    std::function<VisitBus::PublishResult(VisitEnded)> ended;
    static VisitPublisher bus();
};

}  // namespace hipaa::room

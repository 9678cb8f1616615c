// SPDX-License-Identifier: GPL-3.0-or-later
#include "VisitPublisher.hpp"

namespace hipaa::room {

VisitPublisher VisitPublisher::bus() {
    return {[](NoteSubmitted n) { return VisitBus::instance().publish(std::move(n)); },
            [](VisitEnded e) { return VisitBus::instance().publish(std::move(e)); }};
}

}  // namespace hipaa::room

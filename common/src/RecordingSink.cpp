// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/RecordingSink.hpp"

namespace hipaa {

InProcessSlot<RecordingSink>& RecordingSink::inProcess() {
    static InProcessSlot<RecordingSink> slot("janus.plugin.hipaa.recorder");
    return slot;
}

}  // namespace hipaa

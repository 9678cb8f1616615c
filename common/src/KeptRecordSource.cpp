// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/KeptRecordSource.hpp"

namespace hipaa {

InProcessSlot<KeptRecordSource>& KeptRecordSource::inProcess() {
    static InProcessSlot<KeptRecordSource> slot("janus.plugin.hipaa.recorder");
    return slot;
}

}  // namespace hipaa

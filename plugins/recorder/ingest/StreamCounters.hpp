// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What one recorded stream took in so far (`status` counters, `stop` file entries).
#include <cstdint>

namespace hipaa::recorder {

struct StreamCounters {
    uint64_t received = 0, recorded = 0, srtpFailed = 0, bytes = 0;
    uint64_t lost = 0;         // packets (authenticated, on UDP) that arrived after the stream's writes failed
    uint64_t ssrcRefused = 0;  // UDP: another SSRC than the one this port accepts (a replay from another port)
    int writeError = 0;        // errno of the write that failed the stream's file (0: none)
};

}  // namespace hipaa::recorder

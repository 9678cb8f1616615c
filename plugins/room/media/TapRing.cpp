// SPDX-License-Identifier: GPL-3.0-or-later
#include "TapRing.hpp"

namespace hipaa::room {

TapRing::TapRing(size_t slots) {
    size_t n = 2;
    while (n < slots) n <<= 1;
    slots_ = std::make_unique<TapSlot[]>(n);
    mask_ = n - 1;
    for (size_t i = 0; i < n; ++i) slots_[i].sequence.store(i, std::memory_order_relaxed);
}

}  // namespace hipaa::room

// SPDX-License-Identifier: GPL-3.0-or-later
#include "StoreBackoff.hpp"

#include <algorithm>

namespace hipaa::room {

void StoreBackoff::failed(Clock::time_point now) {
    delay_ = delay_.count() == 0 ? first_ : std::min(max_, delay_ * 2);
    next_ = now + delay_;
}

}  // namespace hipaa::room

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "hipaa/Bytes.hpp"

namespace hipaa {

// Compares secrets (MACs, hashes, tokens) without leaking where they differ. Lengths are not secret.
bool constantTimeEqual(ByteView a, ByteView b) noexcept;

}  // namespace hipaa

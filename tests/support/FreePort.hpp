// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
namespace hipaa::test {
// A TCP (and UDP) port on 127.0.0.1 that was free a moment ago (bind to port 0, read, close).
int freeLoopbackPort();
}  // namespace hipaa::test

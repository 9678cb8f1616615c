// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// How many mutexes the calling thread has locked so far (see MutexCount.cpp for what is counted).
#include <pthread.h>

namespace hipaa::test {

long mutexLocksOnThisThread();

}  // namespace hipaa::test

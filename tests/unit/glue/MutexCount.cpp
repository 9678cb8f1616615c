// SPDX-License-Identifier: GPL-3.0-or-later
// Counts pthread_mutex_lock calls per thread. The executable is linked with
// -Wl,--wrap=pthread_mutex_lock, so every std::mutex::lock compiled into it (the glue templates, the
// static libraries of the cores) comes through here; shared libraries are not counted.
#include "MutexCount.hpp"

extern "C" int __real_pthread_mutex_lock(pthread_mutex_t* m);

namespace hipaa::test {
namespace {
thread_local long locksOnThisThread = 0;
}  // namespace

long mutexLocksOnThisThread() { return locksOnThisThread; }

}  // namespace hipaa::test

// Default visibility: the project builds with hidden symbols, and under ASan the linker checks the
// wrapper against the sanitizer runtime's references too.
extern "C" __attribute__((visibility("default"))) int __wrap_pthread_mutex_lock(pthread_mutex_t* m) {
    ++hipaa::test::locksOnThisThread;
    return __real_pthread_mutex_lock(m);
}

// SPDX-License-Identifier: GPL-3.0-or-later
#include "FreedMemoryLog.hpp"

#include <jansson.h>
#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>

namespace hipaa::test {
namespace {

// Blocks up to kMaxBlock bytes (keys, their text, small JSON values) are logged; larger ones are not
// where key material lives in this code.
constexpr size_t kMaxBlock = 4096;
constexpr size_t kLogBytes = size_t{64} << 20;

struct Entry {
    size_t offset, size;
};
constexpr size_t kMaxEntries = size_t{1} << 20;

std::atomic<bool> g_on{false};
std::atomic<size_t> g_used{0}, g_entries{0};
std::atomic<bool> g_overflow{false};
unsigned char g_log[kLogBytes];
Entry g_index[kMaxEntries];

void logBlock(void* p) noexcept {
    if (!p || !g_on.load(std::memory_order_acquire)) return;
    size_t n = ::malloc_usable_size(p);
    if (n == 0 || n > kMaxBlock) return;
    size_t at = g_used.fetch_add(n, std::memory_order_relaxed);
    size_t e = g_entries.fetch_add(1, std::memory_order_relaxed);
    if (at + n > kLogBytes || e >= kMaxEntries) {
        g_overflow = true;
        return;
    }
    std::memcpy(g_log + at, p, n);
    g_index[e] = {at, n};
}

void loggingFree(void* p) {
    logBlock(p);
    std::free(p);
}

void* allocate(size_t n) {
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}

}  // namespace

FreedMemoryLog::FreedMemoryLog() {
    g_used = 0;
    g_entries = 0;
    g_overflow = false;
    json_set_alloc_funcs(&std::malloc, &loggingFree);
    g_on.store(true, std::memory_order_release);
}

FreedMemoryLog::~FreedMemoryLog() {
    stop();
    json_set_alloc_funcs(&std::malloc, &std::free);
}

void FreedMemoryLog::stop() { g_on.store(false, std::memory_order_release); }

size_t FreedMemoryLog::blocks() const { return std::min(g_entries.load(), kMaxEntries); }

bool FreedMemoryLog::overflowed() const { return g_overflow.load(); }

size_t FreedMemoryLog::freedBlocksHolding(ByteView needle) const {
    size_t hits = 0;
    for (size_t i = 0; i < blocks(); ++i) {
        const Entry& e = g_index[i];
        if (e.size == 0) continue;  // reserved by a free still copying (the log is read after stop())
        if (::memmem(g_log + e.offset, e.size, needle.data(), needle.size())) ++hits;
    }
    return hits;
}

}  // namespace hipaa::test

// The replaced global allocation functions: malloc/free underneath, every freed block offered to the log.
void* operator new(size_t n) { return hipaa::test::allocate(n); }
void* operator new[](size_t n) { return hipaa::test::allocate(n); }
void* operator new(size_t n, const std::nothrow_t&) noexcept { return std::malloc(n ? n : 1); }
void* operator new[](size_t n, const std::nothrow_t&) noexcept { return std::malloc(n ? n : 1); }
void operator delete(void* p) noexcept { hipaa::test::loggingFree(p); }
void operator delete[](void* p) noexcept { hipaa::test::loggingFree(p); }
void operator delete(void* p, size_t) noexcept { hipaa::test::loggingFree(p); }
void operator delete[](void* p, size_t) noexcept { hipaa::test::loggingFree(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { hipaa::test::loggingFree(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { hipaa::test::loggingFree(p); }

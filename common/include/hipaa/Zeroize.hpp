// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Wiping key material before its memory is freed or reused (OPENSSL_cleanse, which the compiler does not
// optimise away): SecretBytes wipes every block it frees, also the old block when it grows; the JSON
// helper wipes a string value that jansson owns (an answer that carried a key) before json_decref.
#include <jansson.h>

#include <cstddef>
#include <memory>
#include <vector>

#include "hipaa/Bytes.hpp"

namespace hipaa {

void zeroize(void* data, size_t size) noexcept;
// Overwrites the string value of obj[key] in place; no-op when it is absent or not a string.
void zeroizeJsonString(json_t* obj, const char* key) noexcept;

template <class T>
struct ZeroizingAllocator {
    using value_type = T;
    ZeroizingAllocator() noexcept = default;
    template <class U>
    ZeroizingAllocator(const ZeroizingAllocator<U>&) noexcept {}
    T* allocate(size_t n) { return std::allocator<T>().allocate(n); }
    void deallocate(T* p, size_t n) noexcept {
        zeroize(p, n * sizeof(T));
        std::allocator<T>().deallocate(p, n);
    }
    template <class U>
    bool operator==(const ZeroizingAllocator<U>&) const noexcept {
        return true;
    }
};

// Bytes that never leave a copy behind in freed memory (keys held for the process lifetime).
using SecretBytes = std::vector<uint8_t, ZeroizingAllocator<uint8_t>>;

}  // namespace hipaa

// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/Zeroize.hpp"

#include <openssl/crypto.h>

namespace hipaa {

void zeroize(void* data, size_t size) noexcept {
    if (data && size) OPENSSL_cleanse(data, size);
}

void zeroizeJsonString(json_t* obj, const char* key) noexcept {
    json_t* v = json_object_get(obj, key);
    if (!json_is_string(v)) return;
    // jansson owns this buffer (one allocation per string value, never shared): writable in place.
    zeroize(const_cast<char*>(json_string_value(v)), json_string_length(v));
}

}  // namespace hipaa

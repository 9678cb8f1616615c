// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One parameter of PgConn::execParams: text (parsed by the server as the parameter's type), SQL NULL,
// or a value in its type's binary form (bytea, text[]), so that no value is escaped or hex-encoded by
// hand. Binary parameters carry their type's OID: the statement needs no cast for them.
#include <libpq-fe.h>

#include <optional>
#include <string>
#include <vector>

#include "hipaa/Bytes.hpp"

namespace hipaa {

class PgParam {
public:
    PgParam(std::nullopt_t) {}
    PgParam(std::string text) : value_(std::move(text)) {}
    PgParam(const char* text) : value_(std::string(text)) {}
    PgParam(std::optional<std::string> text) : value_(std::move(text)) {}

    static PgParam bytea(ByteView bytes);
    // A one-dimensional text[] without NULL elements ({} when empty).
    static PgParam textArray(const std::vector<std::string>& items);

    const char* value() const { return value_ ? value_->data() : nullptr; }
    int length() const { return value_ ? static_cast<int>(value_->size()) : 0; }
    int format() const { return binary_ ? 1 : 0; }
    Oid type() const { return type_; }  // 0: the server infers it from the statement

private:
    PgParam(std::string bytes, Oid type) : value_(std::move(bytes)), type_(type), binary_(true) {}

    std::optional<std::string> value_;
    Oid type_ = 0;
    bool binary_ = false;
};

}  // namespace hipaa

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Builds one JSON object (or array) in a single expression, so a message reads as its wire shape:
//   JsonBuilder().set("event", "left").set("room", id).setIf(!by.empty(), "by", by).build()
// Values go through hipaa::jsonSet (strings, integers, booleans, JsonPtr for nested values). Keys keep
// the order they are set in (jansson's insertion order): dumps without JSON_SORT_KEYS depend on it.
// Knows nothing about rooms: every plugin builds its answers, events and files with it.
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

#include "hipaa/Json.hpp"

namespace hipaa {

class JsonBuilder {
public:
    JsonBuilder() : object_(jsonObject()) {}
    // Adds fields to an object someone else built (it must be a JSON object).
    explicit JsonBuilder(JsonPtr object) : object_(std::move(object)) {}

    template <class T>
    JsonBuilder& set(const char* key, T&& value) & {
        jsonSet(object_.get(), key, std::forward<T>(value));
        return *this;
    }
    template <class T>
    JsonBuilder&& set(const char* key, T&& value) && {
        return std::move(set(key, std::forward<T>(value)));
    }
    // Sets the key only when `condition` holds (optional fields). The value is evaluated either way.
    template <class T>
    JsonBuilder& setIf(bool condition, const char* key, T&& value) & {
        if (condition) set(key, std::forward<T>(value));
        return *this;
    }
    template <class T>
    JsonBuilder&& setIf(bool condition, const char* key, T&& value) && {
        return std::move(setIf(condition, key, std::forward<T>(value)));
    }
    // Sets the key only when the optional holds a value.
    template <class T>
    JsonBuilder& setOptional(const char* key, const std::optional<T>& value) & {
        if (value) set(key, *value);
        return *this;
    }
    template <class T>
    JsonBuilder&& setOptional(const char* key, const std::optional<T>& value) && {
        return std::move(setOptional(key, value));
    }

    JsonPtr build() && { return std::move(object_); }

private:
    JsonPtr object_;
};

// The array counterpart: JsonArrayBuilder().push(a).push(b).build(), or push() in a loop.
class JsonArrayBuilder {
public:
    JsonArrayBuilder() : array_(jsonArray()) {}

    JsonArrayBuilder& push(JsonPtr value) & {
        json_array_append_new(array_.get(), jsonRelease(std::move(value)));
        return *this;
    }
    JsonArrayBuilder& push(std::string_view value) & {
        return push(jsonAdopt(json_stringn(value.data(), value.size())));
    }
    template <class T>
    JsonArrayBuilder&& push(T&& value) && {
        return std::move(push(std::forward<T>(value)));
    }

    size_t size() const { return json_array_size(array_.get()); }
    bool empty() const { return size() == 0; }
    JsonPtr build() && { return std::move(array_); }

private:
    JsonPtr array_;
};

}  // namespace hipaa

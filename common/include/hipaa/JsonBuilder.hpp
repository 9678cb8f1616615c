#pragma once
// Builds one JSON object in a single expression, so a message reads as its wire shape:
//   JsonBuilder().set("event", "left").set("room", id).setIf(!by.empty(), "by", by).build()
// Values go through hipaa::jsonSet (strings, integers, booleans, JsonPtr for nested values). Knows
// nothing about rooms: every plugin builds its answers and events with it.
#include "hipaa/Json.hpp"

#include <utility>

namespace hipaa {

class JsonBuilder {
public:
    JsonBuilder() : object_(jsonObject()) {}

    template <class T>
    JsonBuilder& set(const char* key, T&& value) & {
        jsonSet(object_.get(), key, std::forward<T>(value));
        return *this;
    }
    template <class T>
    JsonBuilder&& set(const char* key, T&& value) && {
        return std::move(set(key, std::forward<T>(value)));
    }
    // Sets the key only when `condition` holds (optional fields).
    template <class T>
    JsonBuilder& setIf(bool condition, const char* key, T&& value) & {
        if (condition) set(key, std::forward<T>(value));
        return *this;
    }
    template <class T>
    JsonBuilder&& setIf(bool condition, const char* key, T&& value) && {
        return std::move(setIf(condition, key, std::forward<T>(value)));
    }

    JsonPtr build() && { return std::move(object_); }

private:
    JsonPtr object_;
};

}  // namespace hipaa

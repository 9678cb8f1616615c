// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

#include "hipaa/JsonBuilder.hpp"

using namespace hipaa;

namespace {

// Insertion order, no sorting: what MJR headers and every unsorted dump put on the wire.
std::string wire(const JsonPtr& j) { return jsonDump(j.get(), JSON_COMPACT); }

}  // namespace

TEST(JsonBuilder, SetsEveryTypeInInsertionOrder) {
    std::string owned = "own";
    JsonPtr j = JsonBuilder()
                    .set("z", "literal")
                    .set("y", std::string_view("view"))
                    .set("x", owned)
                    .set("w", 7)
                    .set("v", int64_t{-8000000000})
                    .set("u", uint64_t{9})
                    .set("t", true)
                    .set("s", false)
                    .set("r", 0.5)
                    .set("q", jsonParse(R"({"b":1,"a":2})"))
                    .build();
    EXPECT_EQ(wire(j), R"({"z":"literal","y":"view","x":"own","w":7,"v":-8000000000,"u":9,"t":true,"s":false,)"
                       R"("r":0.5,"q":{"b":1,"a":2}})");
}

TEST(JsonBuilder, OptionalFieldsAppearOnlyWhenPresent) {
    std::optional<std::string> some = "s", none;
    std::optional<int64_t> n = 3, noN;
    JsonPtr j = JsonBuilder()
                    .setIf(true, "kept", 1)
                    .setIf(false, "dropped", 2)
                    .setOptional("some", some)
                    .setOptional("none", none)
                    .setOptional("n", n)
                    .setOptional("no_n", noN)
                    .set("last", "x")
                    .build();
    EXPECT_EQ(wire(j), R"({"kept":1,"some":"s","n":3,"last":"x"})");
}

TEST(JsonBuilder, NestsObjectsAndArrays) {
    JsonArrayBuilder items;
    for (int i = 0; i < 3; ++i) items.push(JsonBuilder().set("i", i).setIf(i == 1, "odd", true).build());
    EXPECT_EQ(items.size(), 3u);
    EXPECT_TRUE(JsonArrayBuilder().empty());
    JsonPtr j = JsonBuilder()
                    .set("items", std::move(items).build())
                    .set("tags", JsonArrayBuilder().push("b").push(std::string("a")).build())
                    .set("inner", JsonBuilder().set("k", "v").build())
                    .build();
    EXPECT_EQ(wire(j), R"({"items":[{"i":0},{"i":1,"odd":true},{"i":2}],"tags":["b","a"],"inner":{"k":"v"}})");
}

TEST(JsonBuilder, ExtendsAnExistingObjectAfterItsKeys) {
    JsonBuilder named;  // filled step by step, as code with branches in between does
    named.set("b", 1);
    named.set("a", 2);
    JsonPtr j = JsonBuilder(std::move(named).build()).set("k", "r").build();
    EXPECT_EQ(wire(j), R"({"b":1,"a":2,"k":"r"})");
}

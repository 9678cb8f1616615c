// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/Errors.hpp"
#include "hipaa/Json.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <random>

using namespace hipaa;

TEST(Json, OwnershipHelpersBalanceReferences) {
    json_t* raw = json_object();
    {
        JsonPtr owned = jsonRetain(raw);
        EXPECT_EQ(raw->refcount, 2u);
    }
    EXPECT_EQ(raw->refcount, 1u);
    JsonPtr adopted = jsonAdopt(raw);
    EXPECT_EQ(raw->refcount, 1u);
}

TEST(Json, ParseErrorsNeverEchoInput) {
    try {
        jsonParse("{\"ssn\": \"123-45-6789\"");
        FAIL();
    } catch (const RequestError& e) {
        EXPECT_EQ(e.code(), errc::kInvalidJson);
        EXPECT_EQ(std::string(e.what()).find("123-45"), std::string::npos);
    }
    EXPECT_THROW(jsonParse(R"({"a":1,"a":2})"), RequestError);  // duplicate keys are ambiguous
}

TEST(Json, RequiredFieldsHaveSpecificCodes) {
    JsonPtr j = jsonParse(R"({"s":"x","n":3,"b":true})");
    EXPECT_EQ(jsonRequireString(j.get(), "s"), "x");
    EXPECT_EQ(jsonRequireInt(j.get(), "n"), 3);
    EXPECT_EQ(*jsonBool(j.get(), "b"), true);
    EXPECT_FALSE(jsonString(j.get(), "n"));
    try {
        jsonRequireString(j.get(), "missing");
        FAIL();
    } catch (const RequestError& e) {
        EXPECT_EQ(e.code(), errc::kMissingField);
    }
    try {
        jsonRequireString(j.get(), "n");
        FAIL();
    } catch (const RequestError& e) {
        EXPECT_EQ(e.code(), errc::kInvalidField);
    }
    JsonPtr err = jsonError(404, "nope");
    EXPECT_EQ(jsonDump(err.get()), R"({"error":"nope","error_code":404})");
}

namespace {

int codeOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const RequestError& e) {
        return e.code();
    }
    return 0;
}

}  // namespace

TEST(Json, OptionalRequestFieldsRefuseAWrongTypeInsteadOfDefaulting) {
    JsonPtr j = jsonParse(R"({"s":"abc","n":3,"b":false,"z":null,"r":1.0,"a":[],"o":{}})");
    EXPECT_EQ(jsonOptionalString(j.get(), "s"), "abc");
    EXPECT_EQ(jsonOptionalInt(j.get(), "n"), 3);
    EXPECT_EQ(jsonOptionalBool(j.get(), "b"), false);
    EXPECT_FALSE(jsonOptionalString(j.get(), "absent"));
    EXPECT_FALSE(jsonOptionalInt(j.get(), "absent"));
    EXPECT_FALSE(jsonOptionalBool(j.get(), "absent"));
    for (const char* other : {"n", "b", "z", "r", "a", "o"})
        EXPECT_EQ(codeOf([&] { jsonOptionalString(j.get(), other); }), errc::kInvalidField) << other;
    for (const char* other : {"s", "b", "z", "r", "a", "o"})  // 1.0 is a real, not an integer
        EXPECT_EQ(codeOf([&] { jsonOptionalInt(j.get(), other); }), errc::kInvalidField) << other;
    for (const char* other : {"s", "n", "z", "r", "a", "o"})
        EXPECT_EQ(codeOf([&] { jsonOptionalBool(j.get(), other); }), errc::kInvalidField) << other;
    EXPECT_EQ(codeOf([&] { jsonRequireBool(j.get(), "absent"); }), errc::kMissingField);
    EXPECT_EQ(codeOf([&] { jsonRequireBool(j.get(), "z"); }), errc::kInvalidField);
    try {
        jsonOptionalInt(j.get(), "s");
    } catch (const RequestError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("s: ", 0), 0u) << e.what();             // the message names the field
        EXPECT_EQ(std::string(e.what()).find("abc"), std::string::npos) << e.what();  // never the value
    }
}

TEST(Json, BoundedRequestFieldsRefuseValuesOutOfRange) {
    JsonPtr j = jsonParse(R"({"s":"abc","n":3})");
    json_object_set_new(j.get(), "nul",
                        json_stringn("a\0b", 3));  // Janus refuses such JSON text; in-process callers may not
    EXPECT_EQ(jsonRequireString(j.get(), "s", 3, 3), "abc");
    EXPECT_EQ(jsonOptionalString(j.get(), "s", 1, 3), "abc");
    EXPECT_EQ(codeOf([&] { jsonRequireString(j.get(), "s", 4, 10); }), errc::kInvalidField);
    EXPECT_EQ(codeOf([&] { jsonOptionalString(j.get(), "s", 0, 2); }), errc::kInvalidField);
    EXPECT_EQ(codeOf([&] { jsonOptionalString(j.get(), "nul", 0, 10); }), errc::kInvalidField);
    EXPECT_EQ(codeOf([&] { jsonRequireString(j.get(), "absent", 0, 10); }), errc::kMissingField);
    EXPECT_EQ(jsonRequireInt(j.get(), "n", 3, 3), 3);
    EXPECT_EQ(jsonOptionalInt(j.get(), "n", -5, 5), 3);
    EXPECT_EQ(codeOf([&] { jsonRequireInt(j.get(), "n", 4, 5); }), errc::kInvalidField);
    EXPECT_EQ(codeOf([&] { jsonOptionalInt(j.get(), "n", 0, 2); }), errc::kInvalidField);
    EXPECT_FALSE(jsonOptionalInt(j.get(), "absent", 0, 2));
}

namespace {

std::string canonical(const json_t* j) {
    std::string out;
    jsonDumpCanonical(j, out);
    return out;
}

// A random tree of every JSON type, with the characters that need escaping, multi-byte UTF-8, keys
// that share prefixes or differ only in length, and integers at the edges.
JsonPtr randomTree(std::mt19937& rng, int depth) {
    static const char* kStrings[] = {"",
                                     "a",
                                     "plain text",
                                     "quote \" and \\ backslash",
                                     "ctl \x01\x1f\x7f end",
                                     "tabs\tand\nnewlines\r\b\f",
                                     "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
                                     "/slash/",
                                     "\xe2\x80\xa8 line separator"};
    static const char* kKeys[] = {"a", "ab", "a b", "b", "B", "_", "z", "aa", "\xc3\xa9", "mid", "mindex", "m", ""};
    int kind = static_cast<int>(rng() % (depth > 3 ? 6 : 8));
    switch (kind) {
        case 0:
            return jsonAdopt(json_null());
        case 1:
            return jsonAdopt(json_boolean(rng() % 2));
        case 2: {
            static const json_int_t kInts[] = {0, -1, 1, 42, INT64_MAX, INT64_MIN, 1795382881811808};
            return jsonAdopt(
                json_integer(rng() % 3 ? kInts[rng() % 7] : static_cast<json_int_t>(rng()) - 2147483648LL));
        }
        case 3: {
            static const double kReals[] = {0.5, -0.0, 2.0, 1e300, 3.14159, 1e-7, 123456789.125};
            return jsonAdopt(json_real(kReals[rng() % 7]));
        }
        case 4: {
            std::string s = kStrings[rng() % 9];
            if (rng() % 4 == 0) s.push_back('\0');  // an embedded NUL: \u0000
            return jsonAdopt(json_stringn(s.data(), s.size()));
        }
        case 5:
            return jsonAdopt(json_string(kStrings[rng() % 9]));
        case 6: {
            JsonPtr a = jsonArray();
            for (auto n = rng() % 4; n > 0; --n) json_array_append_new(a.get(), randomTree(rng, depth + 1).release());
            return a;
        }
        default: {
            JsonPtr o = jsonObject();
            for (auto n = rng() % 7; n > 0; --n)
                json_object_set_new(o.get(), kKeys[rng() % 13], randomTree(rng, depth + 1).release());
            return o;
        }
    }
}

}  // namespace

TEST(Json, CanonicalDumpIsByteIdenticalToJanssonSortedCompactDump) {
    // Fixed cases first: each names a rule of jansson's output.
    for (const char* text :
         {R"({"b":1,"a":{"d":[],"c":{}},"ab":"x","a b":null})", R"([1,-2,true,false,null,"\u0001\u001f"])",
          R"({"k":"caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \b\f\n\r\t"})", R"({"z":{"y":{"x":{"w":[{"v":1},{"u":2}]}}}})",
          R"({"x":0.1,"y":1e+300,"w":2.0,"v":-0.0})", R"({"big":9223372036854775807,"small":-9223372036854775808})"}) {
        JsonPtr j = jsonParse(text);
        EXPECT_EQ(canonical(j.get()), jsonDump(j.get())) << text;
    }
    // Keys with an embedded NUL sort by bytes, then length, as jansson's do.
    JsonPtr nul = jsonObject();
    json_object_setn_new(nul.get(), "a\0b", 3, json_integer(1));
    json_object_setn_new(nul.get(), "a", 1, json_integer(2));
    EXPECT_EQ(canonical(nul.get()), jsonDump(nul.get()));
    std::mt19937 rng(20261201);
    for (int i = 0; i < 20000; ++i) {
        JsonPtr j = randomTree(rng, 0);
        ASSERT_EQ(canonical(j.get()), jsonDump(j.get())) << "tree " << i;
    }
    std::string appended = "prefix";
    jsonDumpCanonical(nullptr, appended);
    EXPECT_EQ(appended, "prefixnull");
}

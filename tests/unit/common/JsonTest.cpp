#include "hipaa/Errors.hpp"
#include "hipaa/Json.hpp"

#include <gtest/gtest.h>

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

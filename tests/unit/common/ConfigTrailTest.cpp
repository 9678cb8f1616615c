// SPDX-License-Identifier: GPL-3.0-or-later
// The config change trail: which keys changed since the previous start, by name only; the state file
// (0600, salted keyed digests) gives no value away, an unsafe one is not trusted, and one that cannot
// be written still leaves a record.
#include "AuditTrailSpy.hpp"
#include "TempDir.hpp"

#include "hipaa/AuditTrail.hpp"
#include "hipaa/ConfigTrail.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Hash.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

using namespace hipaa;
using hipaa::test::AuditTrailSpy;
using hipaa::test::readFile;
using hipaa::test::TempDir;

namespace {

// Reads every key as a plugin would (the effective config is what was read).
Config loaded(const std::string& jcfgJson) {
    Config c(jsonParse(jcfgJson));
    const json_t* tree = jsonParse(jcfgJson).release();
    const char* cat;
    json_t* keys;
    json_object_foreach(const_cast<json_t*>(tree), cat, keys) {
        const char* key;
        json_t* v;
        json_object_foreach(keys, key, v) {
            std::string path = std::string(cat) + "." + key;
            if (std::string(key) == "conninfo")
                c.secret(path);
            else if (json_is_integer(v))
                c.integer(path, std::nullopt, INT64_MIN, INT64_MAX);
            else if (json_is_boolean(v))
                c.boolean(path);
            else
                c.string(path);
        }
    }
    json_decref(const_cast<json_t*>(tree));
    return c;
}

std::vector<std::string> list(std::initializer_list<const char*> names) { return {names.begin(), names.end()}; }

unsigned modeOf(const std::string& path) {
    struct stat st {};
    ::stat(path.c_str(), &st);
    return st.st_mode & 07777;
}

constexpr const char* kFirst = R"({"general":{"key_file":"/etc/hipaa/first-secret.key","ports":40000,"debug":false},)"
                               R"("database":{"conninfo":"host=db password=hunter2-first"}})";

}  // namespace

TEST(ConfigTrail, NamesTheKeysThatChangedSinceThePreviousStartAndNoValue) {
    TempDir dir;
    std::string state = dir.file("config-state.json");
    ConfigTrail::Diff first = ConfigTrail::update(loaded(kFirst), state);
    EXPECT_EQ(first.state, "new");
    EXPECT_TRUE(first.previousDigest.empty());
    EXPECT_EQ(first.added, list({"database.conninfo", "general.debug", "general.key_file", "general.ports"}));
    EXPECT_EQ(first.digest.size(), 64u);
    EXPECT_EQ(modeOf(state), 0600u);

    // A key file path and an inline secret changed, a key went, one came.
    ConfigTrail::Diff second = ConfigTrail::update(
        loaded(R"({"general":{"key_file":"/etc/hipaa/second-secret.key","ports":40000,"verbose":true},)"
               R"("database":{"conninfo":"host=db password=hunter2-second"}})"),
        state);
    EXPECT_EQ(second.state, "ok");
    EXPECT_EQ(second.previousDigest, first.digest);
    EXPECT_EQ(second.changed, list({"database.conninfo", "general.key_file"}));
    EXPECT_EQ(second.added, list({"general.verbose"}));
    EXPECT_EQ(second.removed, list({"general.debug"}));

    // Neither the state file nor the record holds a value, or a plain hash of one.
    std::string text = readFile(state);
    std::string record = jsonDump(ConfigTrail::object(second).get());
    for (const std::string& v : {std::string("second-secret"), std::string("hunter2"), std::string("40000"),
                                 hexEncode(sha256(asBytes("host=db password=hunter2-second")))}) {
        EXPECT_EQ(text.find(v), std::string::npos) << v;
        EXPECT_EQ(record.find(v), std::string::npos) << v;
    }
    ConfigTrail::Diff same = ConfigTrail::update(
        loaded(R"({"general":{"key_file":"/etc/hipaa/second-secret.key","ports":40000,"verbose":true},)"
               R"("database":{"conninfo":"host=db password=hunter2-second"}})"),
        state);
    EXPECT_EQ(same.digest, second.digest);
    EXPECT_TRUE(same.changed.empty() && same.added.empty() && same.removed.empty());
}

TEST(ConfigTrail, EachStateFileHasItsOwnSaltKeptAcrossStarts) {
    TempDir dir;
    ConfigTrail::update(loaded(kFirst), dir.file("a.json"));
    ConfigTrail::update(loaded(kFirst), dir.file("b.json"));
    JsonPtr a = jsonParse(readFile(dir.file("a.json"))), b = jsonParse(readFile(dir.file("b.json")));
    EXPECT_EQ(jsonString(a.get(), "salt").value_or("").size(), 64u);
    EXPECT_NE(jsonString(a.get(), "salt"), jsonString(b.get(), "salt"));
    EXPECT_NE(jsonString(json_object_get(a.get(), "keys"), "general.ports"),
              jsonString(json_object_get(b.get(), "keys"), "general.ports"))
        << "the same value digests differently under another salt";
    EXPECT_EQ(jsonString(a.get(), "digest"), jsonString(b.get(), "digest")) << "the config digest is the config's";
    ConfigTrail::update(loaded(kFirst), dir.file("a.json"));
    EXPECT_EQ(jsonString(jsonParse(readFile(dir.file("a.json"))).get(), "salt"), jsonString(a.get(), "salt"));
}

TEST(ConfigTrail, AStateFileOthersCanWriteIsNotTrustedAndReplaced) {
    TempDir dir;
    std::string state = dir.file("config-state.json");
    ConfigTrail::update(loaded(kFirst), state);
    ::chmod(state.c_str(), 0666);
    ConfigTrail::Diff d = ConfigTrail::update(loaded(kFirst), state);
    EXPECT_EQ(d.state, "untrusted");
    EXPECT_TRUE(d.previousDigest.empty());
    EXPECT_NE(d.warning.find("not trusted"), std::string::npos) << d.warning;
    EXPECT_EQ(modeOf(state), 0600u);
    dir.write("config-state.json", "{not json", 0600);
    EXPECT_EQ(ConfigTrail::update(loaded(kFirst), state).state, "untrusted");
}

TEST(ConfigTrail, AStateFileThatCannotBeWrittenStillLeavesARecord) {
    TempDir dir;
    dir.write("not-a-folder", "x", 0600);
    AuditTrailSpy trail;
    ConfigTrail::record("janus.plugin.hipaa.recorder", loaded(kFirst), dir.file("not-a-folder/config-state.json"),
                        Logger());
    ASSERT_EQ(trail.records().size(), 1u);
    const AccessRecord r = trail.records()[0];
    EXPECT_EQ(r.plugin, "janus.plugin.hipaa.recorder");
    EXPECT_EQ(r.action, "config.loaded");
    EXPECT_TRUE(r.actor.empty());
    EXPECT_TRUE(r.allowed);
    EXPECT_TRUE(json_is_null(json_object_get(r.object.get(), "previous_digest")));
    EXPECT_EQ(jsonString(r.object.get(), "state"), "unwritable");
    EXPECT_EQ(json_array_size(json_object_get(r.object.get(), "added")), 4u);
}

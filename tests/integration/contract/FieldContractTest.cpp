// SPDX-License-Identifier: GPL-3.0-or-later
// Every field of every request in docs/api/*.schema.json, through the real Janus: each wrong JSON type
// is refused with 303, each crossed bound with the field's documented code, a missing required field
// with 302; the documented examples and the values right at the bounds pass the parser. Every answer
// carries the plugin's envelope (`x-api.envelope`): "success", or "error" beside error_code.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "ClientTab.hpp"
#include "ContractJanus.hpp"
#include "RequestSchema.hpp"

using namespace hipaa;
using namespace hipaa::test;

namespace {

std::vector<std::string> schemaFiles() {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(std::string(HIPAA_SOURCE_DIR) + "/docs/api"))
        if (e.path().string().ends_with(".schema.json") && !e.path().string().ends_with(".answers.schema.json"))
            out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
    return out;
}

std::string shortDump(const json_t* j) {
    std::string s = jsonDump(j);
    return s.size() > 300 ? s.substr(0, 300) + "..." : s;
}

class FieldContract : public ::testing::TestWithParam<std::string> {};

TEST_P(FieldContract, EveryFieldIsRefusedWithItsDocumentedCodeWhenMistypedOrOutOfBounds) {
    RequestSchema schema = RequestSchema::load(GetParam());
    const bool handler = schema.api() == "query_eventhandler";
    ContractJanus& c = ContractJanus::get(handler ? JanusGroup::Handlers : JanusGroup::RoomRecorder);
    std::unique_ptr<ClientTab> tab;
    if (schema.api() == "message") tab = std::make_unique<ClientTab>(c.janus());
    auto cases = schema.cases();
    int refused = 0;
    for (const auto& k : cases) {
        // A refused join counts toward its Janus session's rate limit (421): each join from a fresh session.
        if (tab && jsonString(k.body.get(), "request").value_or("") == "join")
            tab = std::make_unique<ClientTab>(c.janus());
        JsonPtr answer = tab       ? tab->request(k.body.get())
                         : handler ? c.admin().queryHandler(schema.target(), k.body.get())
                                   : c.admin().messagePlugin(schema.target(), k.body.get());
        int code = ClientTab::errorCode(answer.get());
        // A client request answered by a push keeps the push's "event" envelope (as VideoRoom's).
        std::string envelope(jsonString(answer.get(), schema.envelope().c_str()).value_or("(none)"));
        bool pushed = tab && envelope == "event";
        EXPECT_TRUE(pushed || envelope == (json_object_get(answer.get(), "error_code") ? "error" : "success"))
            << k.name << ": the answer's \"" << schema.envelope() << "\" is " << envelope << "\n  sent "
            << shortDump(k.body.get()) << "\n  got " << shortDump(answer.get());
        if (k.refusedWith) {
            ++refused;
            EXPECT_EQ(code, k.refusedWith)
                << k.name << "\n  sent " << shortDump(k.body.get()) << "\n  got " << shortDump(answer.get());
        } else {
            EXPECT_FALSE(k.notWith.count(code)) << k.name << " must pass the parser\n  sent " << shortDump(k.body.get())
                                                << "\n  got " << shortDump(answer.get());
        }
    }
    std::cout << schema.target() << " (" << schema.api() << "): " << cases.size() << " cases, " << refused
              << " refusals\n";
}

TEST_P(FieldContract, TheDocsPageLinksTheSchemasAndNamesEachRequest) {
    RequestSchema schema = RequestSchema::load(GetParam());
    std::string file = std::filesystem::path(GetParam()).filename().string();
    JsonPtr doc = jsonParse(readFile(GetParam()));
    std::string page(jsonString(json_object_get(doc.get(), "x-api"), "doc").value_or(""));
    ASSERT_FALSE(page.empty()) << file << ": x-api.doc names no page";
    std::string text = readFile(std::string(HIPAA_SOURCE_DIR) + "/" + page);
    EXPECT_NE(text.find("docs/api/" + file), std::string::npos) << page << " does not link docs/api/" << file;
    EXPECT_NE(text.find("docs/api/" + schema.answers()), std::string::npos)
        << page << " does not link docs/api/" << schema.answers();
    for (const auto& name : schema.requestNames())
        EXPECT_NE(text.find("`" + name + "`"), std::string::npos)
            << page << " does not name the request `" << name << "`";
}

INSTANTIATE_TEST_SUITE_P(Docs, FieldContract, ::testing::ValuesIn(schemaFiles()), [](const auto& p) {
    std::string n = std::filesystem::path(p.param).filename().string();
    n = n.substr(0, n.find(".schema.json"));
    std::replace(n.begin(), n.end(), '.', '_');
    return n;
});

}  // namespace

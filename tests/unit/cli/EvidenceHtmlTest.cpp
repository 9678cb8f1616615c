// SPDX-License-Identifier: GPL-3.0-or-later
// The evidence report's HTML: self-contained (nothing loaded from anywhere, a CSP that forbids it),
// every dynamic string escaped, anything but a pass in red, charts as inline SVG.
#include "evidence/EvidenceHtml.hpp"
#include "evidence/EvidenceSection.hpp"
#include "evidence/HtmlText.hpp"
#include "evidence/SvgBarChart.hpp"

#include "hipaa/JsonBuilder.hpp"

#include <gtest/gtest.h>

using namespace hipaa;
using namespace hipaa::cli;

namespace {

size_t count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

JsonPtr report(std::vector<EvidenceSection> sections) {
    JsonPtr list = jsonArray();
    for (const auto& s : sections) json_array_append_new(list.get(), s.toJson().release());
    return JsonBuilder()
        .set("generated", "2027-01-15T10:00:00Z")
        .set("period_days", int64_t{30})
        .set("tool_version", "0.1.0")
        .set("state", "fail")
        .set("sections", std::move(list))
        .build();
}

}  // namespace

TEST(HtmlText, EscapesMarkupQuotesControlsAndBrokenUtf8) {
    EXPECT_EQ(HtmlText::escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    EXPECT_EQ(HtmlText::escape("a\x1b[31mb\n"), "a\\x1B[31mb\\x0A");
    EXPECT_EQ(HtmlText::escape("caf\xc3\xa9 \xff"), "caf\xc3\xa9 &#xFFFD;");
}

TEST(EvidenceHtml, EveryDynamicStringIsEscaped) {
    EvidenceSection s("x\"><script>", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>");
    s.fail("<iframe src=\"https://evil.example\">")
        .figure("<b>", "<i>")
        .columns({"<th class=evil>"})
        .row({"</table><marquee>"});
    s.chart("<svg onload=alert(1)>", {{"<tspan>", 3}});
    std::string html = EvidenceHtml::render(report({s}).get());
    for (const char* raw :
         {"<script", "<img", "<iframe", "<b>", "<i>", "<th class=evil", "<marquee", "<svg onload", "<tspan"})
        EXPECT_EQ(html.find(raw), std::string::npos) << raw;
    EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
    EXPECT_NE(html.find("&lt;iframe src=&quot;https://evil.example&quot;&gt;"), std::string::npos);
}

TEST(EvidenceHtml, LoadsNothingAndShowsEveryNonPassInRed) {
    EvidenceSection pass("a", "A passes", "how a");
    pass.figure("n", "1");
    EvidenceSection unchecked("b", "B could not run", "how b");
    unchecked.unchecked("no --audit-conninfo");
    EvidenceSection fail("c", "C failed", "how c");
    fail.fail("chain of instance j broken at record seq 7");
    std::string html = EvidenceHtml::render(report({pass, unchecked, fail}).get());
    EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_NE(html.find("Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\""),
              std::string::npos);
    for (const char* loader :
         {"<script", "<link", "<img", "<iframe", "<object", "<embed", " src=", "href=", "url(", "@import"})
        EXPECT_EQ(html.find(loader), std::string::npos) << loader;
    EXPECT_NE(html.find(".fail,.unchecked{background:#c62828}"), std::string::npos);
    EXPECT_NE(html.find("<p class=\"problem\">could not check: no --audit-conninfo</p>"), std::string::npos);
    EXPECT_NE(html.find("<p class=\"problem\">chain of instance j broken at record seq 7</p>"), std::string::npos);
    EXPECT_EQ(count(html, "class=\"state unchecked\""), 2u);  // summary row and section heading
    EXPECT_EQ(count(html, "class=\"state pass\""), 2u);
}

TEST(SvgBarChart, OneBarPerLabelScaledToTheLargest) {
    JsonPtr chart = jsonParse(R"({"title":"refusals per day","bars":[{"label":"2027-01-01","value":2},
        {"label":"2027-01-02","value":4},{"label":"2027-01-03","value":0}]})");
    std::string svg = SvgBarChart::render(chart.get());
    EXPECT_EQ(count(svg, "<rect"), 3u);
    EXPECT_NE(svg.find("height=\"140\" fill"), std::string::npos);  // the largest is full height
    EXPECT_NE(svg.find("height=\"70\" fill"), std::string::npos);
    EXPECT_NE(svg.find("<figcaption>refusals per day</figcaption>"), std::string::npos);
    std::string empty = SvgBarChart::render(jsonParse(R"({"title":"t","bars":[]})").get());
    EXPECT_NE(empty.find("none in the period"), std::string::npos);
}

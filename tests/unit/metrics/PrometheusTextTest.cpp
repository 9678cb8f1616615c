// SPDX-License-Identifier: GPL-3.0-or-later
#include "PrometheusText.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

using namespace hipaa::metrics;

namespace {

MetricFamily family(std::string name, MetricType type, std::vector<Sample> samples, std::string help = "h") {
    return MetricFamily{std::move(name), type, std::move(help), std::move(samples)};
}

}  // namespace

TEST(PrometheusText, RendersHelpTypeAndOneLinePerSample) {
    std::vector<MetricFamily> f{
        family("x_requests_total", MetricType::Counter,
               {{{{"plugin", "room"}, {"outcome", "accepted"}}, 3}, {{{"plugin", "room"}, {"outcome", "refused"}}, 0}},
               "Requests"),
        family("x_up", MetricType::Gauge, {{{}, 1}}, "Up"),
    };
    EXPECT_EQ(PrometheusText::render(f),
              "# HELP x_requests_total Requests\n"
              "# TYPE x_requests_total counter\n"
              "x_requests_total{plugin=\"room\",outcome=\"accepted\"} 3\n"
              "x_requests_total{plugin=\"room\",outcome=\"refused\"} 0\n"
              "# HELP x_up Up\n"
              "# TYPE x_up gauge\n"
              "x_up 1\n");
}

TEST(PrometheusText, EscapesLabelValuesAndHelp) {
    EXPECT_EQ(PrometheusText::escapeLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
    EXPECT_EQ(PrometheusText::escapeLabelValue("plain"), "plain");
    EXPECT_EQ(PrometheusText::escapeHelp("say \"x\"\\n\nnext"), "say \"x\"\\\\n\\nnext");
    std::string text = PrometheusText::render({family("x", MetricType::Gauge, {{{{"l", "q\"\n"}}, 1}}, "a\nb")});
    EXPECT_EQ(text, "# HELP x a\\nb\n# TYPE x gauge\nx{l=\"q\\\"\\n\"} 1\n");
}

TEST(PrometheusText, FormatsValuesAsPrometheusReadsThem) {
    EXPECT_EQ(PrometheusText::formatValue(0), "0");
    EXPECT_EQ(PrometheusText::formatValue(-0.0), "0");
    EXPECT_EQ(PrometheusText::formatValue(42), "42");
    EXPECT_EQ(PrometheusText::formatValue(-3), "-3");
    EXPECT_EQ(PrometheusText::formatValue(1.5), "1.5");
    EXPECT_EQ(PrometheusText::formatValue(0.1), "0.1");
    EXPECT_EQ(PrometheusText::formatValue(9007199254740991.0), "9007199254740991");
    EXPECT_EQ(PrometheusText::formatValue(1e20), "1e+20");
    EXPECT_EQ(PrometheusText::formatValue(std::nan("")), "NaN");
    EXPECT_EQ(PrometheusText::formatValue(std::numeric_limits<double>::infinity()), "+Inf");
    EXPECT_EQ(PrometheusText::formatValue(-std::numeric_limits<double>::infinity()), "-Inf");
}

TEST(PrometheusText, LeavesOutFamiliesWithoutSamples) {
    EXPECT_EQ(PrometheusText::render({family("x", MetricType::Gauge, {})}), "");
}

TEST(PrometheusText, RefusesWhatWouldBeInvalidOrMisleading) {
    auto render = [](MetricFamily f) { return PrometheusText::render({std::move(f)}); };
    EXPECT_THROW(render(family("x_joins", MetricType::Counter, {{{}, 1}})), std::invalid_argument);
    EXPECT_THROW(render(family("x_total", MetricType::Gauge, {{{}, 1}})), std::invalid_argument);
    EXPECT_THROW(render(family("1x", MetricType::Gauge, {{{}, 1}})), std::invalid_argument);
    EXPECT_THROW(render(family("x-y", MetricType::Gauge, {{{}, 1}})), std::invalid_argument);
    EXPECT_THROW(render(family("", MetricType::Gauge, {{{}, 1}})), std::invalid_argument);
    EXPECT_THROW(render(family("x", MetricType::Gauge, {{{{"__name__", "y"}}, 1}})), std::invalid_argument);
    EXPECT_THROW(render(family("x", MetricType::Gauge, {{{{"a b", "y"}}, 1}})), std::invalid_argument);
    EXPECT_THROW(render(family("x", MetricType::Gauge, {{{{"a", "1"}, {"a", "2"}}, 1}})), std::invalid_argument);
    EXPECT_THROW(
        PrometheusText::render({family("x", MetricType::Gauge, {{{}, 1}}), family("x", MetricType::Gauge, {{{}, 2}})}),
        std::invalid_argument);
    EXPECT_NO_THROW(render(family("x_seconds_total", MetricType::Counter, {{{{"a_b", "v"}}, 1}})));
}

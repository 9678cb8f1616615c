// SPDX-License-Identifier: GPL-3.0-or-later
#include "MetricCatalog.hpp"
#include "MetricSet.hpp"
#include "PrometheusText.hpp"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>

using namespace hipaa::metrics;

TEST(MetricSet, RefusesWhatTheCatalogDoesNotDefine) {
    MetricSet s;
    EXPECT_THROW(s.set("janus_hipaa_no_such_metric", {}, 1), std::logic_error);
    EXPECT_THROW(s.set("janus_hipaa_up", {}, 1), std::logic_error);  // plugin label missing
    EXPECT_THROW(s.set("janus_hipaa_up", {{"plugin", "room"}, {"room", "r1"}}, 1), std::logic_error);
    EXPECT_THROW(s.set("janus_hipaa_up", {{"room", "r1"}}, 1), std::logic_error);
    EXPECT_FALSE(s.has("janus_hipaa_up"));
}

TEST(MetricSet, RefusesLabelValuesOutsideTheFixedWords) {
    MetricSet s;
    // A pseudonym, a subject, a free text: never a label value, whatever the collector passes.
    for (const char* phi : {"p_3f2a9c", "dr-1", "Jane Roe", "", "spool_full "})
        EXPECT_THROW(s.set("janus_hipaa_audit_unhealthy_reason", {{"reason", phi}}, 1), std::logic_error) << phi;
    EXPECT_THROW(s.set("janus_hipaa_up", {{"plugin", "videoroom"}}, 1), std::logic_error);
    // Names an administrator defines in a config file: a narrow pattern.
    EXPECT_NO_THROW(s.set("janus_hipaa_room_rooms", {{"class", "interpreted"}, {"state", "active"}}, 1));
    for (const char* bad : {"Jane Roe", "a/b", "x\"y", "", "\xc3\xa9t\xc3\xa9"})
        EXPECT_THROW(s.set("janus_hipaa_room_rooms", {{"class", bad}, {"state", "active"}}, 1), std::logic_error)
            << bad;
    EXPECT_THROW(s.set("janus_hipaa_room_rooms", {{"class", std::string(65, 'a')}, {"state", "active"}}, 1),
                 std::logic_error);
}

TEST(MetricSet, FoldTurnsUnknownWordsIntoOther) {
    EXPECT_EQ(MetricCatalog::fold("janus_hipaa_room_join_refusals_total", "reason", "expired"), "expired");
    EXPECT_EQ(MetricCatalog::fold("janus_hipaa_room_join_refusals_total", "reason", "Jane Roe"), "other");
    EXPECT_EQ(MetricCatalog::fold("janus_hipaa_recorder_recordings", "policy", "qa"), "qa");
    EXPECT_EQ(MetricCatalog::fold("janus_hipaa_recorder_recordings", "policy", "case 4711"), "other");
    EXPECT_EQ(MetricCatalog::fold("janus_hipaa_build_info", "version", "0.1.0"), "0.1.0");
    EXPECT_EQ(MetricCatalog::fold("janus_hipaa_build_info", "version", "0.1.0 <b>"), "other");
    EXPECT_THROW(MetricCatalog::fold("janus_hipaa_up", "reason", "x"), std::logic_error);
}

TEST(MetricSet, SetReplacesAddSumsAndLabelsFollowTheCatalogOrder) {
    MetricSet s;
    s.set("janus_hipaa_admin_request_success", {{"request", "info"}, {"plugin", "room"}}, 1);
    s.add("janus_hipaa_room_participants", {{"state", "waiting"}}, 2);
    s.add("janus_hipaa_room_participants", {{"state", "waiting"}}, 3);
    s.set("janus_hipaa_up", {{"plugin", "room"}}, 0);
    s.set("janus_hipaa_up", {{"plugin", "room"}}, 1);
    auto f = s.families();
    ASSERT_EQ(f.size(), 3u);
    EXPECT_EQ(f[0].name, "janus_hipaa_up");  // catalog order, not insertion order
    EXPECT_EQ(f[0].samples.at(0).value, 1);
    EXPECT_EQ(f[1].samples.at(0).labels, (Labels{{"plugin", "room"}, {"request", "info"}}));
    EXPECT_EQ(f[2].samples.at(0).value, 5);
}

TEST(MetricCatalog, EveryDefinitionIsUniqueDescribedAndRenders) {
    std::set<std::string_view> names;
    MetricSet s;
    for (const MetricDef& d : MetricCatalog::all()) {
        EXPECT_TRUE(names.insert(d.name).second) << d.name;
        EXPECT_EQ(d.name.substr(0, 12), "janus_hipaa_") << d.name;
        EXPECT_FALSE(d.help.empty()) << d.name;
        EXPECT_FALSE(d.source.empty()) << d.name;
        Labels labels;
        for (const LabelDef& l : d.labels)
            labels.emplace_back(std::string(l.name),
                                l.kind == LabelDef::Kind::Fixed ? std::string(l.values.at(0)) : "x");
        s.set(d.name, labels, 1);
    }
    EXPECT_NO_THROW(PrometheusText::render(s.families()));  // names, _total on counters only, label names
}

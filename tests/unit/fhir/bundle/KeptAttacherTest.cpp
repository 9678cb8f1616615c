// SPDX-License-Identifier: GPL-3.0-or-later
#include "KeptAttacher.hpp"

#include "FakeKeptSource.hpp"
#include "FhirErrors.hpp"
#include "FhirFixtures.hpp"

#include "hipaa/Errors.hpp"

#include <gtest/gtest.h>

#include <functional>

using namespace hipaa;
using namespace hipaa::fhir;
using namespace hipaa::fhir::test;

namespace {

std::shared_ptr<const BundleBuilder> keptBuilder() {
    return std::make_shared<BundleBuilder>(BundleOptions{"urn:janus-hipaa-test", "janus-1", "", "11506-3"});
}

VisitEnded keptVisit() {
    VisitEnded v = sampleVisit("v-1");
    v.keptRecordings = {"rec-1", "rec-2"};
    return v;
}

// What the outbox would seal for the visit.
std::string stored(const VisitEnded& v) {
    return jsonDump(KeptAttacher::wrap(keptBuilder()->build(v, {}, kStartUs, true), v).get());
}

int count(const std::string& bundle, const char* type) {
    JsonPtr b = jsonParse(bundle);
    int n = 0;
    size_t i;
    json_t* e;
    json_array_foreach(json_object_get(b.get(), "entry"), i, e) {
        n += jsonString(json_object_get(e, "resource"), "resourceType").value_or("") == type;
    }
    return n;
}

int errorCode(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.code();
    }
    return 0;
}

}  // namespace

TEST(KeptAttacher, AddsEveryRecordingOfTheVisitAtSendTime) {
    FakeKeptSource source;
    source.add(sampleKept("rec-1"));
    KeptVisitRecords second = sampleKept("rec-2");
    second.documents.clear();
    source.add(second);
    KeptAttacher attacher(keptBuilder(), 1 << 20);
    std::string bundle = attacher.complete(stored(keptVisit()), kStartUs);
    EXPECT_EQ(source.reads, 2);
    EXPECT_EQ(count(bundle, "Communication"), 4);
    EXPECT_EQ(count(bundle, "DocumentReference"), 2);
    EXPECT_EQ(count(bundle, "Encounter"), 1);
    EXPECT_EQ(jsonString(jsonParse(bundle).get(), "resourceType").value_or(""), "Bundle");
}

TEST(KeptAttacher, KeptOnlyLocallyOrNothingKeptSendsTheBundleAsBuilt) {
    FakeKeptSource source;
    source.add(sampleKept("rec-1"));
    VisitEnded local = keptVisit();
    local.keptToEhr = false;
    KeptAttacher attacher(keptBuilder(), 1 << 20);
    std::string plain = jsonDump(keptBuilder()->build(local, {}, kStartUs, true).get());
    EXPECT_EQ(stored(local), plain);  // no recording ids, nothing to read
    EXPECT_EQ(attacher.complete(stored(local), kStartUs), plain);
    EXPECT_EQ(stored(sampleVisit("v-1")), jsonDump(keptBuilder()->build(sampleVisit("v-1"), {}, kStartUs, true).get()));
    EXPECT_EQ(source.reads, 0);
}

TEST(KeptAttacher, RecorderMissingOrFailingIsKeptUnavailableNeverAHalfBundle) {
    KeptAttacher attacher(keptBuilder(), 1 << 20);
    const std::string s = stored(keptVisit());
    EXPECT_EQ(errorCode([&] { attacher.complete(s, kStartUs); }), fhir::errc::kKeptUnavailable);  // not loaded
    FakeKeptSource source;
    source.add(sampleKept("rec-1"));  // rec-2 unknown to the recorder
    try {
        attacher.complete(s, kStartUs);
        FAIL() << "a bundle without rec-2";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), fhir::errc::kKeptUnavailable);
        EXPECT_EQ(std::string(e.what()).find("rec-"), std::string::npos) << e.what();  // the code only
        EXPECT_NE(std::string(e.what()).find("600"), std::string::npos) << e.what();
    }
    source.add(sampleKept("rec-2"));
    source.failing = true;
    EXPECT_EQ(errorCode([&] { attacher.complete(s, kStartUs); }), fhir::errc::kKeptUnavailable);
    source.failing = false;
    EXPECT_EQ(count(attacher.complete(s, kStartUs), "Communication"), 4);  // the retry succeeds
}

TEST(KeptAttacher, ABundleOverTheLimitIsRefusedWithItsCode) {
    FakeKeptSource source;
    KeptVisitRecords big = sampleKept("rec-1");
    big.documents.push_back(keptDocument("ps1_bb", "patient", "application/pdf", Bytes(300000, 'x'), 1));
    source.add(big);
    source.add(sampleKept("rec-2"));
    EXPECT_EQ(errorCode([&] { KeptAttacher(keptBuilder(), 200000).complete(stored(keptVisit()), kStartUs); }),
              fhir::errc::kBundleTooLarge);
    EXPECT_EQ(errorCode([&] { KeptAttacher(keptBuilder(), 100).complete(stored(sampleVisit("v-1")), kStartUs); }),
              fhir::errc::kBundleTooLarge);
    EXPECT_EQ(errorCode([&] { KeptAttacher(keptBuilder(), 1 << 20).complete(stored(keptVisit()), kStartUs); }), 0);
}

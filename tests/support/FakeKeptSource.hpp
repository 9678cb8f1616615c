// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A KeptRecordSource for the FHIR tests, registered in the process' slot for its lifetime: answers
// the recordings it was given, throws for any other (as the recorder does for an unknown one), or
// throws for every read once `failing` is set.
#include "hipaa/Errors.hpp"
#include "hipaa/KeptRecordSource.hpp"

#include <atomic>
#include <map>
#include <string>

namespace hipaa::fhir::test {

class FakeKeptSource final : public KeptRecordSource {
public:
    FakeKeptSource() { KeptRecordSource::inProcess().provide(*this); }
    ~FakeKeptSource() override { KeptRecordSource::inProcess().withdraw(*this); }
    FakeKeptSource(const FakeKeptSource&) = delete;
    FakeKeptSource& operator=(const FakeKeptSource&) = delete;

    void add(KeptVisitRecords records) {
        std::string id = records.recording;
        recordings_[id] = std::move(records);
    }
    KeptVisitRecords read(const std::string& recording) override {
        reads++;
        auto it = recordings_.find(recording);
        if (failing || it == recordings_.end())
            throw Error(600, "recording " + recording + " cannot be read");  // names the id, as a real one may
        return it->second;
    }

    std::atomic<bool> failing{false};
    std::atomic<int> reads{0};

private:
    std::map<std::string, KeptVisitRecords> recordings_;
};

}  // namespace hipaa::fhir::test

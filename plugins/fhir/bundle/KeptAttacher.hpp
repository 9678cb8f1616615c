// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A visit's kept chat and documents join its bundle when a worker sends it, not when the visit ends:
// the outbox row holds the visit bundle plus the visit's kept-recording ids (sealed, like the rest);
// the sending worker reads the recordings through KeptRecordSource (the recorder, in-process) and adds
// them (BundleBuilder::addKept). So the content of the chat never rests in PostgreSQL, a recorder
// that is not loaded yet or fails is retried with the outbox's backoff, and a bundle is never sent
// without the chat its visit kept for the EHR.
#include "BundleBuilder.hpp"

#include "hipaa/Json.hpp"
#include "hipaa/VisitEvents.hpp"

#include <cstddef>
#include <memory>
#include <string>

namespace hipaa::fhir {

class KeptAttacher {
public:
    KeptAttacher(std::shared_ptr<const BundleBuilder> builder, size_t maxBundleBytes);

    // What the outbox seals for a visit bundle: the bundle itself when the visit keeps nothing for
    // the EHR, else {"bundle": ..., "kept_visit": <VisitCodec visit>}.
    static JsonPtr wrap(JsonPtr bundle, const VisitEnded& visit);

    // The Bundle JSON to send from what the outbox opened. Throws Error kKeptUnavailable when the
    // recorder is not loaded or cannot read a recording (retry), kBundleTooLarge when the bundle
    // exceeds maxBundleBytes, RequestError when a kept document does not verify (both: dead).
    std::string complete(const std::string& stored, int64_t recordedUs) const;

    size_t maxBundleBytes() const { return maxBundleBytes_; }

private:
    std::shared_ptr<const BundleBuilder> builder_;
    size_t maxBundleBytes_;
};

}  // namespace hipaa::fhir

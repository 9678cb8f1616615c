// SPDX-License-Identifier: GPL-3.0-or-later
#include "KeptAttacher.hpp"

#include "FhirErrors.hpp"
#include "VisitCodec.hpp"

#include "hipaa/Errors.hpp"
#include "hipaa/JsonBuilder.hpp"
#include "hipaa/KeptRecordSource.hpp"

#include <openssl/crypto.h>

namespace hipaa::fhir {
namespace {

void tooLarge(size_t bytes, size_t limit) {
    throw Error(errc::kBundleTooLarge, "bundle of " + std::to_string(bytes) + " bytes exceeds max_bundle_mib (" +
                                           std::to_string(limit) + " bytes)");
}

}  // namespace

KeptAttacher::KeptAttacher(std::shared_ptr<const BundleBuilder> builder, size_t maxBundleBytes)
    : builder_(std::move(builder)), maxBundleBytes_(maxBundleBytes) {}

JsonPtr KeptAttacher::wrap(JsonPtr bundle, const VisitEnded& visit) {
    if (!visit.keptToEhr || visit.keptRecordings.empty()) return bundle;
    return JsonBuilder().set("bundle", std::move(bundle)).set("kept_visit", VisitCodec::encode(visit)).build();
}

std::string KeptAttacher::complete(const std::string& stored, int64_t recordedUs) const {
    JsonPtr j = jsonParse(stored);
    json_t* keptVisit = json_object_get(j.get(), "kept_visit");
    if (!keptVisit) {
        if (stored.size() > maxBundleBytes_) tooLarge(stored.size(), maxBundleBytes_);
        return stored;
    }
    VisitEnded visit = VisitCodec::decodeVisit(keptVisit);
    json_t* bundle = json_object_get(j.get(), "bundle");
    if (!json_is_object(bundle)) throw RequestError(errc::kInvalidField, "stored bundle: bundle missing");

    std::vector<KeptVisitRecords> kept;
    {
        // Held only while reading: the recorder's withdraw waits for it, never for the HTTP send.
        auto source = KeptRecordSource::inProcess().acquire();
        if (!source) throw Error(errc::kKeptUnavailable, "the recorder is not loaded");
        size_t estimate = stored.size();
        for (const auto& recording : visit.keptRecordings) {
            try {
                kept.push_back(source->read(recording));
            } catch (const Error& e) {
                // The recorder's message may name the recording: only its code leaves here.
                throw Error(errc::kKeptUnavailable, "the recorder answered error " + std::to_string(e.code()));
            } catch (const std::exception&) {
                throw Error(errc::kKeptUnavailable, "the recorder failed to read a recording");
            }
            // Refuse before base64 multiplies what is already too much.
            for (const auto& m : kept.back().messages) estimate += m.text.size();
            for (const auto& d : kept.back().documents) estimate += d.content.size() / 3 * 4;
            if (estimate > maxBundleBytes_) tooLarge(estimate, maxBundleBytes_);
        }
    }
    builder_->addKept(bundle, visit, kept, recordedUs);
    for (auto& rec : kept) {
        for (auto& m : rec.messages) OPENSSL_cleanse(m.text.data(), m.text.size());
        for (auto& d : rec.documents) OPENSSL_cleanse(d.content.data(), d.content.size());
    }
    std::string out = jsonDump(bundle);
    if (out.size() > maxBundleBytes_) {
        size_t n = out.size();
        OPENSSL_cleanse(out.data(), out.size());
        tooLarge(n, maxBundleBytes_);
    }
    return out;
}

}  // namespace hipaa::fhir

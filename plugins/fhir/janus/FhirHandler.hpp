// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// janus.eventhandler.hipaa.fhir: visits and clinician notes to the EHR as FHIR R4.
// PHI reaches it only in-process: it subscribes to VisitEnded and NoteSubmitted on the VisitBus
// (published by the room plugin) and takes no Janus events (its event mask is empty). Each fact is
// sealed into the PostgreSQL outbox (Outbox) before any network call; OutboxWorker threads send the
// transaction Bundles. Admin API (query_eventhandler): info, status, pending, retry, export;
// pending, retry and export need an actor token (ActorGate, docs/access.md).
#include "BundleBuilder.hpp"
#include "FhirAuth.hpp"
#include "Outbox.hpp"
#include "OutboxCipher.hpp"
#include "OutboxWorker.hpp"

#include "hipaa/ActorGate.hpp"
#include "hipaa/Config.hpp"
#include "hipaa/CurlEasy.hpp"
#include "hipaa/Logger.hpp"
#include "hipaa/PluginCore.hpp"
#include "hipaa/VisitBus.hpp"
#include "hipaa/VisitNotes.hpp"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

namespace hipaa::fhir {

inline constexpr PluginInfo kFhirInfo{"janus.eventhandler.hipaa.fhir",
                                      "HIPAA FHIR export",
                                      "Exports visits and clinician notes to an EHR as FHIR R4",
                                      "0.1.0",
                                      100,
                                      "hipaa.fhir"};

class FhirHandler final : public EventHandlerCore, public VisitNotes {
public:
    FhirHandler(Config config, Logger log, VisitBus& bus = VisitBus::instance());
    ~FhirHandler() override;
    static std::unique_ptr<EventHandlerCore> create(const std::string& configFile, Logger log);

    void incomingEvent(json_t* event) override;
    JsonPtr handleRequest(const json_t* request) override;

    // The VisitBus subscribers (run on the bus' worker threads).
    void onVisitEnded(const VisitEnded& visit);
    void onNote(const NoteSubmitted& note);
    // VisitNotes: the visit's notes as sent to the EHR (the admin connection; Error 330 when the
    // outbox database cannot answer).
    std::vector<SentNote> sentNotes(const std::string& visit) override;

private:
    struct Counters {
        std::atomic<uint64_t> visits{0}, notes{0}, queued{0}, held{0}, duplicates{0}, skipped{0}, lost{0};
    };
    template <typename F>
    void ingest(const char* what, F&& store);
    template <typename F>
    auto admin(F&& f);
    JsonPtr status();
    // Metadata access (admin staff, support) gets counts, kinds, states and times: no ids, no errors.
    JsonPtr list(const json_t* request);
    // Records the access before anything changes; only Any access passes (RequestError 360-368).
    void admitAny(const json_t* request, const std::string& action, const JsonPtr& object);
    JsonPtr retry(const json_t* request);
    JsonPtr exportVisit(const json_t* request);

    Config config_;
    Logger log_;
    std::string baseUrl_, caFile_, auth_, conninfo_, instance_;
    FhirClient::Options clientOptions_;
    OutboxWorker::Options workerOptions_;
    Outbox::Options outboxOptions_;
    std::shared_ptr<const OutboxCipher> cipher_;
    std::shared_ptr<const BundleBuilder> builder_;
    std::shared_ptr<WorkerCounters> workerCounters_ = std::make_shared<WorkerCounters>();
    Counters counters_;
    CurlGlobal curlGlobal_;
    std::unique_ptr<ActorGate> gate_;

    std::mutex ingestMutex_, adminMutex_, stopMutex_;
    std::condition_variable stopCv_;
    bool stopping_ = false;
    std::unique_ptr<Outbox> ingestOutbox_, adminOutbox_;
    std::vector<std::unique_ptr<OutboxWorker>> workers_;
    std::vector<std::unique_ptr<VisitBus::Subscription>> subscriptions_;
};

}  // namespace hipaa::fhir

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// janus.eventhandler.hipaa.audit: every Janus event (mask: all) is queued without blocking Janus'
// event thread, scrubbed by the allow-list policy, hash-chained, checkpoint-signed and batched into
// PostgreSQL by one writer thread (AuditWriter), spooled encrypted while PostgreSQL is away.
// Admin API (query_eventhandler): info, stats, health, verify, query, export, pseudonym (docs/audit.md);
// query, export and pseudonym read PHI-linked records and need an actor token (ActorGate).
// In-process: the AuditHealthProbe the room asks before a visit starts, and the AuditTrail the other
// plugins write their access and config records to.
#include "AuditPolicy.hpp"
#include "AuditWriter.hpp"

#include "hipaa/ActorGate.hpp"
#include "hipaa/AuditHealthProbe.hpp"
#include "hipaa/AuditTrail.hpp"
#include "hipaa/Config.hpp"
#include "hipaa/Ed25519Signer.hpp"
#include "hipaa/Logger.hpp"
#include "hipaa/PluginCore.hpp"
#include "hipaa/Pseudonymizer.hpp"

#include <memory>
#include <optional>

namespace hipaa::audit {

inline constexpr PluginInfo kAuditInfo{"janus.eventhandler.hipaa.audit",
                                       "HIPAA audit trail",
                                       "Scrubs PHI from Janus events into a tamper-evident audit trail",
                                       "0.1.0",
                                       100,
                                       "hipaa.audit"};

class AuditHandler final : public EventHandlerCore, public AuditHealthProbe, public AuditTrail {
public:
    AuditHandler(Config config, Logger log);
    ~AuditHandler() override;
    // nullptr when `general.enabled` is false.
    static std::unique_ptr<EventHandlerCore> create(const std::string& configFile, Logger log);

    void incomingEvent(json_t* event) override;
    JsonPtr handleRequest(const json_t* request) override;
    // AuditHealthProbe: empty while records are taken, else `spool_full` / `queue_full`.
    std::string auditProblem() const override;
    // AuditTrail: another plugin's access or config record, queued onto this instance's chain.
    bool take(const AccessRecord& record) override;
    // AuditTrail: read back from the database (nullopt without one or when it fails).
    std::optional<std::vector<Disclosure>> disclosures(const std::vector<std::string>& recordings) override;

private:
    JsonPtr stats() const;
    // {"healthy": bool, "reason"?: "spool_full" | "queue_full", ...}: whether records are being taken.
    JsonPtr health() const;
    const char* problem(const AuditWriter::Stats& stats) const;
    JsonPtr verify(const json_t* request);
    JsonPtr query(const json_t* request, bool exportMode);
    JsonPtr pseudonym(const json_t* request);
    PgConn connect() const;
    // Admits the actor for `action` (only Any access reads the trail) and records the access with
    // `object` before anything is read: RequestError 360-368 otherwise.
    void admit(const json_t* request, const std::string& action, const JsonPtr& object);

    Config config_;
    Logger log_;
    std::optional<PgConn::Options> database_;
    std::unique_ptr<AuditPolicy> policy_;
    std::unique_ptr<Pseudonymizer> pseudonymizer_;
    std::unique_ptr<Ed25519Signer> signer_;
    std::string trustedKeysFile_;  // chain.trusted_keys_file: other instances' public keys (empty: none)
    std::unique_ptr<AuditWriter> writer_;
    std::unique_ptr<ActorGate> gate_;
};

}  // namespace hipaa::audit

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// janus.plugin.hipaa.recorder: records SRTP RTP forwards into sealed, encrypted files, keeps them as
// long as their retention policy says (unless on legal hold), shreds them verifiably, and exports
// them to Janus .mjr. Driven through the Admin API (message_plugin); see docs/recorder.md. In the same
// process it is also the RecordingSink the room's tap records through (plaintext RTP, no UDP).
#include "InProcessIngest.hpp"
#include "IngestServer.hpp"
#include "Keyring.hpp"
#include "LeaseKeeper.hpp"
#include "RecorderConfig.hpp"
#include "RecordingLeases.hpp"
#include "RecordingStore.hpp"
#include "hipaa/ActorGate.hpp"
#include "hipaa/Config.hpp"
#include "hipaa/Ed25519Signer.hpp"
#include "hipaa/KeptRecordSource.hpp"
#include "hipaa/Logger.hpp"
#include "hipaa/PluginCore.hpp"
#include "hipaa/RecordingSink.hpp"

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

namespace hipaa::recorder {

inline constexpr PluginInfo kRecorderInfo{"janus.plugin.hipaa.recorder",
                                          "HIPAA encrypted recorder",
                                          "Encrypted consult recording with retention and verifiable deletion",
                                          "0.1.0",
                                          100,
                                          "hipaa.recorder"};

class RecorderPlugin final : public MediaPluginCore, public RecordingSink, public KeptRecordSource {
public:
    RecorderPlugin(Config config, Logger log, MediaHost& host);
    ~RecorderPlugin() override;
    static std::unique_ptr<MediaPluginCore> create(const std::string& configFile, Logger log, MediaHost& host);

    void createSession(SessionId session) override;
    void destroySession(SessionId session) override;
    Reply handleMessage(SessionId session, const std::string& transaction, JsonPtr message, JsonPtr jsep) override;
    JsonPtr handleAdmin(const json_t* request) override;
    JsonPtr querySession(SessionId session) override;

    // One sweep now (the sweeper thread calls this periodically): deletes expired recordings and
    // removes exports older than export_ttl. Returns the number of recordings deleted.
    int sweep(int64_t nowMs);
    RecordingStore& store() { return *store_; }  // tests

    // RecordingSink (registered in RecordingSink::inProcess() from init until destruction).
    std::string start(const std::vector<RecordingStreamSpec>& streams, const std::string& policy,
                      const RecordingContext& context) override;
    Write write(const std::string& recording, size_t stream, const uint8_t* packet, size_t length) noexcept override;
    std::string failure(const std::string& recording) override;
    RecordingStopped stop(const std::string& recording) override;

    // KeptRecordSource (registered in KeptRecordSource::inProcess() from init until destruction): a
    // sealed kept-chat recording's messages and documents, decrypted and authenticated in memory
    // (RecordingStore::readKept); throws the recorder's RequestError, never returns part of it.
    KeptVisitRecords read(const std::string& recording) override;

private:
    struct Sealed {
        std::vector<FileSummary> files;
        std::vector<StreamCounters> counters;
        std::string failure;  // the first incomplete file's reason; empty: sealed
    };
    JsonPtr startRequest(const json_t* request);
    // list, filtered to what the actor may see (ActorGate; recorded before anything is read).
    JsonPtr listRequest(const json_t* request);
    // A per-recording request's actor: admitted for `recording.<what>`, checked against the
    // recording (RecordingAccess), recorded (allowed or refused) before anything is read.
    ActorDecision admitTo(const json_t* request, const std::string& what, const std::string& id);
    // Creates the recording (state, one sealed file per stream) and hands its writers to `attach`,
    // which opens an ingest for them; the data key is wiped on every path. Returns the id.
    using Attach = std::function<void(const std::string& id, std::vector<std::unique_ptr<RecordingWriter>> writers)>;
    std::string open(const std::vector<StreamSpec>& specs, const std::string& policy,
                     const std::optional<RecordingContext>& context, const Attach& attach);
    // Stops receiving (either ingest), seals, writes the manifest, notifies `stopped`.
    Sealed seal(const std::string& id);
    JsonPtr stopRequest(const std::string& id);
    JsonPtr status(const std::string& id);
    // Secret-only and PHI-free (metrics): recordings counted by status and policy, holds, and the
    // running recordings' live counters summed. No id, visit, room or participant.
    JsonPtr stats();
    JsonPtr exportRecording(const std::string& id);
    // Admin `patient_copy`: one encrypted, signed package of a patient's sealed recordings, notes
    // and accounting of disclosures (PatientCopyBuilder).
    JsonPtr patientCopy(const json_t* request);
    void writeFailed(const std::string& id, size_t stream, int errnum);
    void notify(const char* event, const std::string& id, JsonPtr extra = nullptr);
    void sweeperLoop();
    // Shared folder: runs `fn` under this instance's `op` lease of the recording (432 when another
    // instance holds one, 430 when it writes the recording, 431 when the store cannot be reached).
    // A recording open here needs none: its open lease already keeps the others out.
    JsonPtr leased(const std::string& id, const std::function<JsonPtr()>& fn);
    [[noreturn]] void refuseHeld(const std::string& id, const LeaseHolder& holder);

    Config config_;
    Logger log_;
    MediaHost& host_;
    std::string recordingsDir_, exportDir_, defaultPolicy_, rtpAddress_;
    int64_t chunkBytes_ = 0, exportTtlMs_ = 0, sweepMs_ = 0;
    std::string copyConverter_;
    int64_t copyTimeoutMs_ = 0;
    Keyring keyring_;
    std::optional<Ed25519Signer> signer_;
    std::unique_ptr<RecordingStore> store_;
    std::unique_ptr<ActorGate> gate_;
    std::atomic<uint64_t> writeFailures_{0};     // streams whose file could not be written (info)
    std::atomic<uint64_t> retentionDeleted_{0};  // recordings this instance's sweeper deleted (info)
    std::string instanceId_;
    std::unique_ptr<RecordingLeases> leases_;  // cluster.conninfo set: recordings_dir is shared
    std::unique_ptr<LeaseKeeper> keeper_;
    bool sweepBlockedLogged_ = false;             // sweeper thread only
    std::unique_ptr<IngestServer> ingest_;        // SRTP over UDP (rtp_forward)
    std::unique_ptr<InProcessIngest> inProcess_;  // RecordingSink (the room's tap)
    std::mutex controlMutex_;                     // serializes start/stop so a recording is never half-started
    std::mutex mutex_;
    std::set<SessionId> sessions_;
    std::condition_variable sweeperCv_;
    bool stopping_ = false;
    std::thread sweeper_;
};

// Creates `dir` (0700) if missing; throws ConfigError naming `key` if it is not a directory or if
// group/others have any access to it.
void ensurePrivateDirectory(const std::string& dir, const std::string& key);

}  // namespace hipaa::recorder

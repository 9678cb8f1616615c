// SPDX-License-Identifier: GPL-3.0-or-later
// audit-verify: checks an audit trail's hash chains and Ed25519 checkpoint signatures with only the
// public keys. Exit status 0: intact; 1: broken (the first broken record is named); 2: usage/error.
//   audit-verify --conninfo "host=... dbname=..." --instance ID --public-key FILE [--from N] [--to M]
//                [--checkpoint-file FILE] [--head-file FILE]                           -> one JSON answer
//   audit-verify --conninfo "host=... dbname=..." --trusted-keys FILE [--from N] [--to M]
//                -> every instance's chain in the database, one line each:
//                   "<instance> records=N checkpoints=M last_seq=S OK" or "... BROKEN at seq N: reason"
// --trusted-keys: lines "INSTANCE_ID PUBLIC_KEY" (AuditKeyRing); each instance's checkpoints must be
//   signed by a key listed for it.
// --checkpoint-file: the newest signed checkpoint this auditor has verified, kept outside the
//   database (created on the first run). The chain must still reach it with the same head; after an
//   intact run it advances to the newest checkpoint verified.
// --head-file: the handler's <spool.dir>/<instance>.head (its newest committed record); the chain
//   must reach it with the same hash.
#include "AuditCheckpointFile.hpp"
#include "AuditHeadFile.hpp"
#include "AuditKeyRing.hpp"
#include "AuditVerifier.hpp"

#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/JsonBuilder.hpp"

#include <cstring>
#include <iostream>

using namespace hipaa;

namespace {

constexpr const char* kUsage =
    "usage: audit-verify --conninfo CONNINFO --instance ID --public-key FILE [--from N] [--to M] "
    "[--checkpoint-file FILE] [--head-file FILE]\n"
    "       audit-verify --conninfo CONNINFO --trusted-keys FILE [--from N] [--to M]   (every instance)\n";

// One line per chain; no values of the records, only counts, seq numbers and the reason.
bool verifyAll(PgConn& conn, const audit::AuditKeyRing& keys, int64_t from, int64_t to) {
    bool allOk = true;
    for (const std::string& instance : audit::AuditVerifier::instances(conn)) {
        auto r = audit::AuditVerifier::verify(conn, instance, keys, from, to);
        std::cout << instance << " records=" << r.recordsChecked << " checkpoints=" << r.checkpointsChecked
                  << " last_seq=" << r.lastSeq;
        if (r.ok)
            std::cout << " OK\n";
        else
            std::cout << " BROKEN at seq " << r.firstBrokenSeq.value_or(0) << ": " << r.reason << "\n";
        allOk = allOk && r.ok;
    }
    return allOk;
}

}  // namespace

int main(int argc, char** argv) {
    std::string conninfo, instance, keyFile, trustedKeysFile, checkpointFile, headFile;
    int64_t from = 1, to = INT64_MAX;
    for (int i = 1; i < argc; i += 2) {
        std::string k = argv[i];
        if (i + 1 >= argc) {
            std::cerr << "option " << k << " needs a value\n" << kUsage;
            return 2;
        }
        std::string v = argv[i + 1];
        try {
            if (k == "--conninfo")
                conninfo = v;
            else if (k == "--instance")
                instance = v;
            else if (k == "--public-key")
                keyFile = v;
            else if (k == "--trusted-keys")
                trustedKeysFile = v;
            else if (k == "--from")
                from = std::stoll(v);
            else if (k == "--to")
                to = std::stoll(v);
            else if (k == "--checkpoint-file")
                checkpointFile = v;
            else if (k == "--head-file")
                headFile = v;
            else {
                std::cerr << "unknown option " << k << "\n" << kUsage;
                return 2;
            }
        } catch (const std::exception&) {
            std::cerr << "option " << k << ": not a number\n";
            return 2;
        }
    }
    // One instance: its public key (and the remembered heads); every instance: the trusted keys.
    bool all = instance.empty();
    if (conninfo.empty() ||
        (all ? trustedKeysFile.empty() || !keyFile.empty() || !checkpointFile.empty() || !headFile.empty()
             : keyFile.empty() || !trustedKeysFile.empty())) {
        std::cerr << kUsage;
        return 2;
    }
    try {
        PgConn::Options o;
        o.conninfo = conninfo;
        o.statementTimeoutMs = 600000;
        o.applicationName = "audit-verify";
        if (all) {
            audit::AuditKeyRing keys = audit::AuditKeyRing::fromFile(trustedKeysFile);
            PgConn conn = PgConn::connect(o);
            return verifyAll(conn, keys, from, to) ? 0 : 1;
        }
        Ed25519Verifier key = Ed25519Verifier::fromKeyFile(keyFile);
        std::vector<audit::AuditVerifier::KnownHead> known;
        std::optional<audit::AuditCheckpoint> seen;
        if (!checkpointFile.empty()) {
            seen = audit::AuditCheckpointFile::read(checkpointFile, instance, key);
            if (seen) known.push_back({seen->seq, seen->headHash, "the last signed checkpoint seen"});
        }
        std::optional<std::pair<int64_t, Digest256>> head;
        if (!headFile.empty()) {
            head = audit::AuditHeadFile::read(headFile);
            if (!head) throw std::runtime_error("head file " + headFile + ": missing or unreadable");
            known.push_back({head->first, head->second, "the head file"});
        }
        PgConn conn = PgConn::connect(o);
        auto result = audit::AuditVerifier::verify(conn, instance, key, from, to, known);
        JsonBuilder out(result.toJson());
        out.set("instance_id", instance).set("key_id", key.keyId());
        if (seen) out.set("last_checkpoint_seen_seq", seen->seq);
        if (head) out.set("head_file_seq", head->first);
        if (result.ok && !checkpointFile.empty() && result.newestCheckpoint &&
            (!seen || result.newestCheckpoint->seq > seen->seq)) {
            audit::AuditCheckpointFile::write(checkpointFile, *result.newestCheckpoint);
            out.set("checkpoint_file_seq", result.newestCheckpoint->seq);
        }
        std::cout << jsonDump(std::move(out).build().get(), JSON_INDENT(2) | JSON_SORT_KEYS) << "\n";
        return result.ok ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "audit-verify: " << e.what() << "\n";
        return 2;
    }
}

// SPDX-License-Identifier: GPL-3.0-or-later
#include "AuditVerifier.hpp"

#include "AuditChain.hpp"
#include "AuditRecordRow.hpp"

#include "hipaa/Encoding.hpp"
#include "hipaa/JsonBuilder.hpp"

#include <algorithm>
#include <iterator>
#include <map>

namespace hipaa::audit {
namespace {

bool decodeDigest(std::string_view hex, Digest256& out) {
    auto b = hexDecode(hex);
    if (!b || b->size() != 32) return false;
    std::copy(b->begin(), b->end(), out.begin());
    return true;
}

}  // namespace

JsonPtr AuditVerifier::Result::toJson() const {
    return JsonBuilder()
        .set("ok", ok)
        .set("records_checked", recordsChecked)
        .set("checkpoints_checked", checkpointsChecked)
        .set("last_seq", lastSeq)
        .setOptional("first_broken_seq", firstBrokenSeq)
        .setIf(!reason.empty(), "reason", reason)
        .build();
}

AuditVerifier::Result AuditVerifier::verify(PgConn& conn, const std::string& instanceId, const Ed25519Verifier& key,
                                            int64_t fromSeq, int64_t toSeq, const std::vector<KnownHead>& known) {
    return run(
        conn, instanceId, [&](const std::string&) { return &key; }, fromSeq, toSeq, known);
}

AuditVerifier::Result AuditVerifier::verify(PgConn& conn, const std::string& instanceId, const AuditKeyRing& keys,
                                            int64_t fromSeq, int64_t toSeq, const std::vector<KnownHead>& known) {
    return run(
        conn, instanceId, [&](const std::string& keyId) { return keys.find(instanceId, keyId); }, fromSeq, toSeq,
        known);
}

std::vector<std::string> AuditVerifier::instances(PgConn& conn) {
    PgResult r = conn.exec(
        "WITH RECURSIVE i(id) AS (SELECT min(instance_id) FROM audit_record UNION ALL "
        "SELECT (SELECT min(instance_id) FROM audit_record WHERE instance_id > i.id) FROM i WHERE i.id IS NOT NULL) "
        "SELECT id FROM i WHERE id IS NOT NULL UNION SELECT DISTINCT instance_id FROM audit_checkpoint ORDER BY 1");
    std::vector<std::string> out;
    out.reserve(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.value(i, 0));
    return out;
}

AuditVerifier::Result AuditVerifier::run(PgConn& conn, const std::string& instanceId, const KeyLookup& keyFor,
                                         int64_t fromSeq, int64_t toSeq, const std::vector<KnownHead>& known) {
    Result res;
    auto fail = [&](int64_t seq, std::string why) {
        if (!res.ok) return;
        res.ok = false;
        res.firstBrokenSeq = seq;
        res.reason = std::move(why);
    };
    if (fromSeq < 1) fromSeq = 1;

    // Checkpoints in range: signature first, head hash compared while the records stream by.
    std::map<int64_t, Digest256> cpHeads;
    std::map<int64_t, AuditCheckpoint> goodCheckpoints;
    PgResult cps = conn.execParams(
        "SELECT seq, encode(head_hash, 'hex'), (extract(epoch from signed_at) * 1000000)::bigint, encode(signature, "
        "'hex'), key_id "
        "FROM audit_checkpoint WHERE instance_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq",
        {instanceId, std::to_string(fromSeq), std::to_string(toSeq)});
    std::optional<int64_t> badCheckpoint;
    std::string badCheckpointWhy;
    for (int i = 0; i < cps.rows(); ++i) {
        int64_t seq = std::stoll(std::string(cps.value(i, 0)));
        Digest256 head{};
        auto sig = hexDecode(cps.value(i, 3));
        bool headOk = decodeDigest(cps.value(i, 1), head);  // compared with the record whether or not the key is known
        const Ed25519Verifier* key = keyFor(std::string(cps.value(i, 4)));
        bool good =
            headOk && key && sig &&
            key->verify(AuditChain::checkpointMessage(instanceId, seq, head, std::stoll(std::string(cps.value(i, 2)))),
                        *sig);
        ++res.checkpointsChecked;
        if (!good && !badCheckpoint) {
            badCheckpoint = seq;
            badCheckpointWhy = key ? "checkpoint signature does not verify"
                                   : "checkpoint signed by a key not trusted for this instance";
        }
        cpHeads[seq] = head;
        if (good && sig->size() == 64) {
            AuditCheckpoint& cp = goodCheckpoints[seq];
            cp.instanceId = instanceId;
            cp.seq = seq;
            cp.headHash = head;
            cp.signedAtUs = std::stoll(std::string(cps.value(i, 2)));
            cp.keyId = key->keyId();
            std::copy(sig->begin(), sig->end(), cp.signature.begin());
        }
    }

    std::vector<const KnownHead*> knownHeads;  // those not before the range, the longest first
    for (const auto& k : known)
        if (k.seq >= fromSeq) knownHeads.push_back(&k);
    std::stable_sort(knownHeads.begin(), knownHeads.end(),
                     [](const KnownHead* a, const KnownHead* b) { return a->seq > b->seq; });

    Digest256 prev{};
    int64_t expect = fromSeq;
    if (fromSeq > 1) {
        PgResult p = conn.execParams("SELECT encode(hash, 'hex') FROM audit_record WHERE instance_id = $1 AND seq = $2",
                                     {instanceId, std::to_string(fromSeq - 1)});
        if (p.rows() != 1 || !decodeDigest(p.value(0, 0), prev)) {
            fail(fromSeq - 1, "record before the range is missing");
            return res;
        }
    }
    constexpr int kPage = 5000;
    int64_t after = fromSeq - 1;
    while (res.ok) {
        PgResult r = conn.execParams(AuditRecordRow::select() +
                                         "WHERE instance_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT " +
                                         std::to_string(kPage),
                                     {instanceId, std::to_string(after), std::to_string(toSeq)});
        for (int i = 0; i < r.rows() && res.ok; ++i) {
            AuditRecord rec = AuditRecordRow::decodeColumns(r, i);
            Digest256 storedPrev, storedHash;
            after = rec.seq;
            if (rec.seq != expect) {
                fail(expect, rec.seq > expect ? "records missing (gap in sequence)" : "duplicate sequence number");
                break;
            }
            try {
                jsonDumpCanonical(jsonParse(r.value(i, AuditRecordRow::kEventColumn)).get(), rec.event);
            } catch (...) {
                fail(rec.seq, "event is not valid JSON");
                break;
            }
            if (!decodeDigest(r.value(i, AuditRecordRow::kPrevHashColumn), storedPrev) ||
                !decodeDigest(r.value(i, AuditRecordRow::kHashColumn), storedHash)) {
                fail(rec.seq, "malformed hash");
                break;
            }
            if (storedPrev != prev) {
                fail(rec.seq, "prev_hash does not match the previous record");
                break;
            }
            rec.prevHash = storedPrev;
            if (AuditChain::hashOf(rec) != storedHash) {
                fail(rec.seq, "record content does not match its hash");
                break;
            }
            if (auto it = cpHeads.find(rec.seq); it != cpHeads.end() && it->second != storedHash) {
                fail(rec.seq, "checkpoint head hash differs from the record");
                break;
            }
            if (auto it = std::find_if(knownHeads.begin(), knownHeads.end(),
                                       [&](const KnownHead* k) { return k->seq == rec.seq && k->hash != storedHash; });
                it != knownHeads.end()) {
                fail(rec.seq, "record differs from " + (*it)->source);
                break;
            }
            prev = storedHash;
            res.lastSeq = rec.seq;
            ++res.recordsChecked;
            ++expect;
        }
        if (r.rows() < kPage) break;
    }
    if (res.ok && badCheckpoint) fail(*badCheckpoint, badCheckpointWhy);
    int64_t reached = std::max(res.lastSeq, fromSeq - 1);
    if (res.ok && !cpHeads.empty() && cpHeads.rbegin()->first > reached)
        fail(reached + 1, "records missing before a signed checkpoint (truncated trail)");
    // A known head beyond the range still vouches for every record up to toSeq.
    if (res.ok && !knownHeads.empty() && std::min(knownHeads.front()->seq, toSeq) > reached)
        fail(reached + 1, "chain shorter than " + knownHeads.front()->source);
    if (res.ok) {
        auto it = goodCheckpoints.upper_bound(reached);
        if (it != goodCheckpoints.begin()) res.newestCheckpoint = std::prev(it)->second;
    }
    return res;
}

}  // namespace hipaa::audit

// SPDX-License-Identifier: GPL-3.0-or-later
// scripts/audit-verify against a trail whose tail the database superuser deleted, together with the
// checkpoints after the cut: the database alone still looks intact, so the verifier must remember the
// last signed checkpoint it saw (--checkpoint-file) or compare with the handler's head file
// (--head-file). (The handler's own `verify` compares with its head file: AuditTrail.*.)
#include "AuditFixture.hpp"
#include "AuditWriterFixture.hpp"
#include "TempDir.hpp"
#include "TestDatabase.hpp"

#include "hipaa/Ed25519Verifier.hpp"
#include "hipaa/Encoding.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <iterator>
#include <thread>

using namespace hipaa;
using namespace hipaa::audit;
using namespace hipaa::test;

namespace {

struct VerifyRun {
    int status;
    JsonPtr out;
};

// Runs scripts/audit-verify with `args`; its exit status and its JSON answer (null when none).
VerifyRun verifyTool(const std::string& args) {
    Shell::Result run = auditVerify(args);
    VerifyRun r{run.status, nullptr};
    try {
        r.out = jsonParse(run.out);
    } catch (...) {
    }
    return r;
}

}  // namespace

class AuditVerifyTool : public ::testing::Test {
protected:
    void SetUp() override {
        std::ofstream(publicKey) << hexEncode(signer.publicKey()) << "\n";
        AuditWriterOptions o = writerOptions(db, dir, "cut-gw", 30, 50);
        AuditWriter w(o, policy, ps, signer, Logger());
        for (int i = 1; i <= 300; ++i) {
            JsonPtr ev = jsonParse(R"({"type":1,"timestamp":1795382881891999,"session_id":)" + std::to_string(i) +
                                   R"(,"event":{"name":"created"}})");
            w.enqueue(ev.get());
        }
        ASSERT_TRUE(waitFor([&] { return w.stats().committedSeq == 300; }));
    }  // the writer's destructor signs a final checkpoint

    std::string args(const std::string& extra = "") const {
        return "--conninfo '" + db.conninfo() + "' --instance cut-gw --public-key '" + publicKey + "' " + extra;
    }

    // What only the database superuser can do: delete the tail and the checkpoints after the cut.
    void cutAfter(int seq) {
        admin.exec("SET session_replication_role = replica");
        admin.exec("DELETE FROM audit_record WHERE instance_id = 'cut-gw' AND seq > " + std::to_string(seq));
        admin.exec("DELETE FROM audit_checkpoint WHERE instance_id = 'cut-gw' AND seq > " + std::to_string(seq));
        admin.exec("SET session_replication_role = origin");
    }

    TestDatabase db;
    TempDir dir;
    PgConn admin = db.connect();
    AuditPolicy policy = AuditPolicy::fromText(kSessionPolicy);
    Pseudonymizer ps{Bytes(32, 2)};
    Ed25519Signer signer{Bytes(32, 3)};
    std::string publicKey = dir.file("audit.pub");
    std::string seen = dir.file("last-checkpoint.json");
    std::string headFile = dir.file("spool") + "/cut-gw.head";
};

TEST_F(AuditVerifyTool, NamesAChainShorterThanTheLastSignedCheckpointSeen) {
    std::string newest =
        std::string(admin.exec("SELECT max(seq) FROM audit_checkpoint WHERE instance_id = 'cut-gw'").value(0, 0));
    ASSERT_GE(std::stoll(newest), 300) << "a checkpoint signs the last record";

    // First run: intact; the newest checkpoint is remembered outside the database.
    VerifyRun first = verifyTool(args("--checkpoint-file '" + seen + "'"));
    ASSERT_EQ(first.status, 0) << (first.out ? jsonDump(first.out.get()) : "no answer");
    EXPECT_EQ(jsonInt(first.out.get(), "checkpoint_file_seq"), std::stoll(newest));
    EXPECT_EQ(verifyTool(args("--checkpoint-file '" + seen + "'")).status, 0) << "a second run agrees";

    cutAfter(200);
    // The database alone still verifies: every remaining record and checkpoint is genuine.
    EXPECT_EQ(verifyTool(args()).status, 0);

    VerifyRun cut = verifyTool(args("--checkpoint-file '" + seen + "'"));
    EXPECT_EQ(cut.status, 1);
    ASSERT_TRUE(cut.out) << "no JSON answer";
    EXPECT_EQ(jsonBool(cut.out.get(), "ok"), false);
    EXPECT_EQ(jsonString(cut.out.get(), "reason"), "chain shorter than the last signed checkpoint seen")
        << jsonDump(cut.out.get());
    EXPECT_EQ(jsonInt(cut.out.get(), "first_broken_seq"), 201);
    EXPECT_EQ(jsonInt(cut.out.get(), "last_checkpoint_seen_seq"), std::stoll(newest));
    EXPECT_EQ(verifyTool(args("--checkpoint-file '" + seen + "'")).status, 1)
        << "a failed run does not move the file back";

    VerifyRun head = verifyTool(args("--head-file '" + headFile + "'"));
    EXPECT_EQ(head.status, 1);
    EXPECT_EQ(jsonString(head.out.get(), "reason"), "chain shorter than the head file")
        << (head.out ? jsonDump(head.out.get()) : "");
    EXPECT_EQ(jsonInt(head.out.get(), "head_file_seq"), 300);
}

TEST_F(AuditVerifyTool, RefusesACheckpointFileItCannotTrust) {
    ASSERT_EQ(verifyTool(args("--checkpoint-file '" + seen + "'")).status, 0);
    std::string text;
    {
        std::ifstream in(seen);
        text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    // A forged seq no longer matches the signature: an error (2), not a verdict on the trail.
    std::string forged = text;
    forged.replace(forged.find("\"seq\": ") + 7, 1, "9");
    std::ofstream(seen) << forged;
    EXPECT_EQ(verifyTool(args("--checkpoint-file '" + seen + "'")).status, 2);
    std::ofstream(seen) << "{}";
    EXPECT_EQ(verifyTool(args("--checkpoint-file '" + seen + "'")).status, 2);
    std::ofstream(seen) << text;
    EXPECT_EQ(verifyTool(args("--instance other-gw --checkpoint-file '" + seen + "'")).status, 2)
        << "another instance's file";
    EXPECT_EQ(verifyTool(args("--checkpoint-file '" + seen + "'")).status, 0);
}

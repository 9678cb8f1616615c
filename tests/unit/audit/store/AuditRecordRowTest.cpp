// SPDX-License-Identifier: GPL-3.0-or-later
// The query that reads records back: the same columns, in the same order, as the table and the writer.
#include <gtest/gtest.h>

#include "AuditRecordRow.hpp"

using namespace hipaa::audit;

TEST(AuditRecordRow, SelectsTheFieldsThenTheEventAndTheHashes) {
    EXPECT_EQ(
        AuditRecordRow::select(),
        "SELECT instance_id, seq, (extract(epoch from event_time) * 1000000)::bigint, janus_type, subtype, emitter, "
        "plugin, session_id, handle_id, room, actor, action, outcome, event::text, encode(prev_hash, 'hex'), "
        "encode(hash, 'hex') FROM audit_record ");
    EXPECT_EQ(AuditRecordRow::kEventColumn, 13);
    EXPECT_EQ(AuditRecordRow::kHashColumn, 15);
}

// SPDX-License-Identifier: GPL-3.0-or-later
// PgConn against a real PostgreSQL: binary parameters reach the server byte for byte, bytea comes back
// whatever bytea_output says, and transaction() commits, rolls back, and never reuses a connection
// left inside a failed transaction.
#include <gtest/gtest.h>

#include <stdexcept>

#include "SqlFixtures.hpp"
#include "TestDatabase.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/Json.hpp"

using namespace hipaa;
using namespace hipaa::test;

namespace {

Bytes everyByte() {
    Bytes b;
    for (int i = 0; i < 256; ++i) b.push_back(static_cast<uint8_t>(i));
    return b;
}

}  // namespace

TEST(PgConn, ByteaParametersAndResultsKeepEveryByte) {
    TestDatabase db(false);
    PgConn conn = db.connect();
    for (const std::string output : {"hex", "escape"}) {
        conn.exec("SET bytea_output = " + output);
        for (const Bytes& b : {everyByte(), Bytes{}, Bytes{'\\', 'x', '0', '0'}}) {
            PgResult r = conn.execParams("SELECT $1, encode($1, 'hex'), length($1)", {PgParam::bytea(b)});
            EXPECT_EQ(r.bytea(0, 0), b) << output;
            EXPECT_EQ(std::string(r.value(0, 1)), hexEncode(b));  // what the server holds
            EXPECT_EQ(std::string(r.value(0, 2)), std::to_string(b.size()));
        }
    }
}

TEST(PgConn, TextArrayParametersKeepEveryElement) {
    TestDatabase db(false);
    PgConn conn = db.connect();
    std::vector<std::string> items = {"Encounter/1", "q\"uo\"te", "back\\slash", "a,b",
                                      "{}",          "",          "NULL",        "caf\xc3\xa9"};
    PgResult r = conn.execParams("SELECT array_to_json($1)::text, cardinality($1)", {PgParam::textArray(items)});
    JsonPtr back = jsonParse(r.value(0, 0));
    ASSERT_EQ(json_array_size(back.get()), items.size());
    for (size_t i = 0; i < items.size(); ++i) EXPECT_EQ(json_string_value(json_array_get(back.get(), i)), items[i]);
    EXPECT_EQ(std::string(r.value(0, 1)), std::to_string(items.size()));
    r = conn.execParams("SELECT cardinality($1), $1 = '{}'::text[]", {PgParam::textArray({})});
    EXPECT_EQ(std::string(r.value(0, 0)), "0");
    EXPECT_EQ(std::string(r.value(0, 1)), "t");
}

TEST(PgConn, TextParametersAndNull) {
    TestDatabase db(false);
    PgConn conn = db.connect();
    std::optional<std::string> none;
    PgResult r = conn.execParams("SELECT $1::text IS NULL, $2::text IS NULL, $3::text || $4::text",
                                 {none, std::nullopt, "it's", std::string(" \\x")});
    EXPECT_EQ(std::string(r.value(0, 0)), "t");
    EXPECT_EQ(std::string(r.value(0, 1)), "t");
    EXPECT_EQ(std::string(r.value(0, 2)), "it's \\x");
}

TEST(PgConn, TransactionCommitsOrRollsBackAsAWhole) {
    TestDatabase db(false);
    PgConn conn = db.connect();
    conn.exec("CREATE TABLE t (v int PRIMARY KEY)");
    auto insertOne = [](PgConn& c) {
        c.exec("INSERT INTO t VALUES (1)");
        return 7;
    };
    EXPECT_EQ(conn.transaction(insertOne), 7);
    auto throwAfterInsert = [](PgConn& c) {
        c.exec("INSERT INTO t VALUES (2)");
        throw std::runtime_error("not a database error");
    };
    EXPECT_THROW(conn.transaction(throwAfterInsert), std::runtime_error);
    // A failed statement: the whole transaction goes, and the connection is usable again.
    auto failAfterInsert = [](PgConn& c) {
        c.exec("INSERT INTO t VALUES (3)");
        c.exec("INSERT INTO t VALUES (1)");
    };
    EXPECT_THROW(conn.transaction(failAfterInsert), DbError);
    EXPECT_EQ(PQtransactionStatus(conn.raw()), PQTRANS_IDLE);
    EXPECT_EQ(scalar(conn, "SELECT string_agg(v::text, ',' ORDER BY v) FROM t"), "1");
}

TEST(PgConn, AConnectionThatCannotRollBackIsClosed) {
    TestDatabase db(false);
    PgConn conn = db.connect();
    // The backend dies inside the transaction: no ROLLBACK can run, and the connection must not be
    // handed out again as if it were fine.
    EXPECT_THROW(conn.transaction([](PgConn& c) { c.exec("SELECT pg_terminate_backend(pg_backend_pid())"); }), DbError);
    EXPECT_FALSE(conn.ok());
    EXPECT_THROW(conn.exec("SELECT 1"), DbError);
}

// SPDX-License-Identifier: GPL-3.0-or-later
// One migrated TestDatabase for a whole test suite (a database per test costs time) and the conninfo
// of a login of `role` in it: open() in SetUpTestSuite, close() in TearDownTestSuite drops both.
#pragma once
#include "TestDatabase.hpp"

#include <memory>
#include <string>

namespace hipaa::test {

class SuiteDatabase {
public:
    void open(const std::string& role) {
        db_ = std::make_unique<TestDatabase>();
        login_ = db_->loginConninfo(role);
    }
    void close() {
        db_.reset();
        login_.clear();
    }
    TestDatabase& db() { return *db_; }
    const std::string& login() const { return login_; }

private:
    std::unique_ptr<TestDatabase> db_;
    std::string login_;
};

}  // namespace hipaa::test

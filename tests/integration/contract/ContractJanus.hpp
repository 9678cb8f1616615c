// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The real Janus processes the contract tests talk to, one per configuration ("group"), each started
// once on first use and stopped at the end of the run (a clean exit is part of the contract):
//   RoomRecorder  room + recorder + audit handler without a database (answers 400 to verify); FHIR
//                 handler not loaded (notes are refused, 437); the recorder's newest key is a recipient
//                 public key (export: 427) and its RTP ports a small range (420).
//   Handlers      audit and FHIR handlers on a fresh PostgreSQL database; recorder not loaded (454); the
//                 room's directory (cluster.conninfo) in that database, this instance alone in it.
//   NoAudit       audit handler not loaded: the room refuses joins (441), the recorder every request
//                 that needs an actor (368: no access unrecorded).
//   RecorderKek   recorder + audit handler without a database, the recorder's keys as generated (a
//                 KEK: export and rewrap succeed); FHIR handler not loaded.
// Every group's room trusts the contract TokenFactory's keys ("es", "ed") and has the classes
// contract-e2ee, contract-one (one publisher, interpreters admitted) and contract-noconsent.
#include <memory>
#include <string>

#include "JanusClient.hpp"
#include "JanusProcess.hpp"
#include "TestDatabase.hpp"
#include "TokenFactory.hpp"

namespace hipaa::test {

enum class JanusGroup { RoomRecorder, Handlers, NoAudit, RecorderKek };

class ContractJanus {
public:
    static ContractJanus& get(JanusGroup group);
    // Stops every started group; returns the log tails of those that did not exit cleanly and any
    // sanitizer findings in our code (ASan build).
    static std::string stopAll();
    static room::test::TokenFactory& tokens();

    JanusProcess& janus() { return janus_; }
    JanusClient& admin() { return *admin_; }
    // The Handlers group's database (null for the other groups).
    TestDatabase* database() { return db_.get(); }
    // A file of the recorder's recordings_dir.
    std::string recordingFile(const std::string& name) const { return janus_.configDir() + "/recordings/" + name; }
    // keys.pem_files entry "ed": reload_keys fails while it is not a valid PEM file.
    std::string reloadablePemPath() const { return janus_.configFile("keys/contract-ed.pub.pem"); }

private:
    explicit ContractJanus(JanusGroup group);

    std::unique_ptr<TestDatabase> db_;  // declared before janus_: outlives it
    JanusProcess janus_;
    std::unique_ptr<JanusClient> admin_;
};

}  // namespace hipaa::test

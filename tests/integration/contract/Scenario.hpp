// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A way to make a plugin answer one documented error code: the contract test runs every scenario and
// asserts that each plugin-specific row of docs/error-codes.md has at least one.
#include <functional>
#include <string>
#include <vector>

namespace hipaa::test {

struct Scenario {
    std::string package;  // janus.plugin.hipaa.room, ...
    int code = 0;
    std::string what;          // the situation, for failure messages
    std::function<int()> run;  // sets the situation up, returns the error_code answered
};

// Through the real Janus (ContractJanus groups).
void addRoomScenarios(std::vector<Scenario>& out);
void addRecorderScenarios(std::vector<Scenario>& out);
void addHandlerScenarios(std::vector<Scenario>& out);
// Load conditions a client cannot produce through HTTP in seconds (a full worker queue, a full
// audit queue behind a full spool): the plugin's core in this process, with its real threads.
void addInProcessScenarios(std::vector<Scenario>& out);

}  // namespace hipaa::test

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One docs/api/*.schema.json file: the requests a plugin accepts (JSON Schema, one `$defs` entry per
// request, listed in the top-level `oneOf`; their answers in the file `x-api.answers`, one `$defs`
// entry of the same name each, checked by tests/api) and the contract cases derived from it. For every field:
// each JSON type it does not allow (303), every bound crossed (its `x-error-code`, default 303),
// absent when required (its `x-missing-code`, default 302), and the values right at its bounds, which
// must pass the parser. `x-invalid-examples` lists values of the right type the plugin refuses.
#include <set>
#include <string>
#include <vector>

#include "hipaa/Json.hpp"

namespace hipaa::test {

struct ContractCase {
    std::string name;       // e.g. "start streams[0].codec = 33 bytes"
    JsonPtr body;           // the whole request
    int refusedWith = 0;    // the exact error_code expected; 0: accepted (see `notWith`)
    std::set<int> notWith;  // accepted: the answer may be anything but an error with one of these
};

class RequestSchema {
public:
    static RequestSchema load(const std::string& path);

    const std::string& path() const { return path_; }
    // "message" (client API, Janus `message` body), "message_plugin" or "query_eventhandler".
    const std::string& api() const { return api_; }
    // The plugin's or handler's package name.
    const std::string& target() const { return target_; }
    // The key of every answer's envelope (`x-api.envelope`, e.g. "hipaa.room"): "success", or "error"
    // beside error_code (a client request answered by a push event: "event").
    const std::string& envelope() const { return envelope_; }
    // The answers file beside it (`x-api.answers`, e.g. "room.client.answers.schema.json").
    const std::string& answers() const { return answers_; }
    // The `request` names, in `oneOf` order (a name appears once even when two definitions share it).
    std::vector<std::string> requestNames() const;
    std::vector<ContractCase> cases() const;

private:
    const json_t* resolve(const json_t* schema) const;
    void requestCases(const std::string& def, const json_t* schema, std::vector<ContractCase>& out) const;

    std::string path_, api_, target_, envelope_, answers_;
    JsonPtr doc_;
};

}  // namespace hipaa::test

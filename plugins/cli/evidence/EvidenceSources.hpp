// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What the evidence collectors read: the Admin API (with the actor token for gated requests), the
// four plugins' `info` fetched once, the audit database's conninfo when given, and the report's
// settings. Nothing here is copied from docs: every figure comes from these, now.
#include "../AdminApi.hpp"

#include "hipaa/Json.hpp"
#include "hipaa/JsonBuilder.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace hipaa::cli {

struct EvidenceSources {
    EvidenceSources(AdminApi& adminApi, std::function<void(JsonBuilder&)> tokenAdder)
        : api(adminApi), addActorToken(std::move(tokenAdder)) {}

    AdminApi& api;
    // Adds `actor_token` to a gated request (CommandContext::addActorToken).
    std::function<void(JsonBuilder&)> addActorToken;
    std::optional<std::string> auditConninfo;  // the audit database, for counts (libpq)
    int64_t nowS = 0;
    int periodDays = 30;
    int keyMaxAgeDays = 365;  // a key file older than this is due for rotation
    int verifySample = 5;     // recordings verified (sealed ones, and as many deleted ones)
    int upcomingDays = 30;    // deletions due within this many days are listed

    // Each plugin's `info` answer; an absent entry has its error in infoError.
    std::map<std::string, JsonPtr> info;
    std::map<std::string, std::string> infoError;

    // Asks the four plugins for `info` (once, before the collectors run).
    void fetchInfo();
    // The effective config of a plugin (its `info.config`), null when it did not answer.
    const json_t* config(const std::string& plugin) const;
    // A media plugin or event handler request; throws AdminError.
    JsonPtr ask(const std::string& plugin, JsonBuilder request) const;
};

}  // namespace hipaa::cli

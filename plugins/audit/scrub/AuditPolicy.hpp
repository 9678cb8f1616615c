// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The scrubbing allow-list (conf/janus.eventhandler.hipaa.audit.policy.jcfg, format documented there
// and in docs/audit.md), compiled into one path trie per (event type, plugin).
#include "hipaa/Json.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hipaa::audit {

enum class FieldAction { Keep, Pseudonymize, CoarsenIp, Drop };

class AuditPolicy {
public:
    struct Node {
        std::map<std::string, std::unique_ptr<Node>, std::less<>> children;
        std::unique_ptr<Node> star;  // "*": any key or array element
        std::optional<FieldAction> action;
        const Node* child(std::string_view key) const {
            auto it = children.find(key);
            return it == children.end() ? nullptr : it->second.get();
        }
    };

    // Throws ConfigError naming the rule and key (never a value) on anything malformed.
    static AuditPolicy fromFile(const std::string& path);
    static AuditPolicy fromText(std::string_view text, const std::string& name = "policy");

    // The trie for an event: the plugin's rule for type 64 if any, else the type's rule; the envelope
    // is merged into each. Never null: an unknown type gets the envelope only.
    const Node* rootFor(int64_t type, std::string_view plugin) const;
    size_t ruleCount() const { return rules_.size(); }

private:
    struct Rule {
        int64_t type = 0;
        std::string plugin;
        std::unique_ptr<Node> root;
    };
    static void add(Node& root, const std::string& path, FieldAction action, const std::string& where);

    std::vector<Rule> rules_;
    std::unique_ptr<Node> envelopeOnly_;
};

}  // namespace hipaa::audit

// SPDX-License-Identifier: GPL-3.0-or-later
#include "AuditPolicy.hpp"

#include "hipaa/Errors.hpp"
#include "hipaa/JcfgParser.hpp"

#include <fstream>
#include <iterator>
#include <utility>

namespace hipaa::audit {
namespace {

constexpr std::pair<const char*, FieldAction> kActions[] = {
    {"keep", FieldAction::Keep},
    {"pseudonymize", FieldAction::Pseudonymize},
    {"coarsen_ip", FieldAction::CoarsenIp},
    {"drop", FieldAction::Drop},
};

std::vector<std::string> split(const std::string& path) {
    std::vector<std::string> out;
    size_t start = 0;
    while (true) {
        size_t dot = path.find('.', start);
        out.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    return out;
}

}  // namespace

void AuditPolicy::add(Node& root, const std::string& path, FieldAction action, const std::string& where) {
    std::vector<std::string> segs = split(path);
    Node* n = &root;
    for (size_t i = 0; i < segs.size(); ++i) {
        const std::string& s = segs[i];
        if (s.empty()) throw ConfigError(where + ": empty path segment");
        if (s == "**") {
            if (i + 1 != segs.size() || i == 0)
                throw ConfigError(where + ": '**' must be the last of several segments");
            break;  // "a.**" is a rule on the container "a": it covers everything below
        }
        std::unique_ptr<Node>* slot = nullptr;
        if (s == "*") {
            slot = &n->star;
        } else {
            slot = &n->children[s];
        }
        if (!*slot) *slot = std::make_unique<Node>();
        n = slot->get();
    }
    if (n->action && *n->action != action) throw ConfigError(where + ": path given two different actions");
    n->action = action;
}

AuditPolicy AuditPolicy::fromFile(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw ConfigError("cannot read audit policy file " + path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return fromText(text, path);
}

AuditPolicy AuditPolicy::fromText(std::string_view text, const std::string& name) {
    JsonPtr tree = JcfgParser::parse(text, name);
    AuditPolicy policy;
    policy.envelopeOnly_ = std::make_unique<Node>();
    const json_t* envelope = json_object_get(tree.get(), "envelope");

    auto addLists = [&](Node& root, const json_t* group, const std::string& where) {
        const char* key;
        json_t* value;
        json_object_foreach(const_cast<json_t*>(group), key, value) {
            std::string k = key;
            if (k == "type" || k == "plugin") continue;
            const FieldAction* action = nullptr;
            for (const auto& [n, a] : kActions)
                if (k == n) action = &a;
            if (!action)
                throw ConfigError(where + "." + k +
                                  ": unknown key (keep, pseudonymize, coarsen_ip, drop, type, plugin)");
            if (!json_is_array(value)) throw ConfigError(where + "." + k + ": must be a list of paths");
            size_t i;
            json_t* item;
            json_array_foreach(value, i, item) {
                if (!json_is_string(item)) throw ConfigError(where + "." + k + ": paths must be strings");
                add(root, json_string_value(item), *action, where + "." + k);
            }
        }
    };

    if (envelope) {
        if (!json_is_object(envelope)) throw ConfigError(name + ": envelope must be a group");
        addLists(*policy.envelopeOnly_, envelope, name + ": envelope");
    }
    const char* key;
    json_t* group;
    json_object_foreach(tree.get(), key, group) {
        std::string rule = key;
        if (rule == "envelope") continue;
        std::string where = name + ": " + rule;
        if (!json_is_object(group)) throw ConfigError(where + ": must be a group");
        const json_t* type = json_object_get(group, "type");
        if (!json_is_integer(type)) throw ConfigError(where + ".type: required integer (Janus event type)");
        Rule r;
        r.type = json_integer_value(type);
        if (const json_t* plugin = json_object_get(group, "plugin")) {
            if (!json_is_string(plugin) || r.type != 64)
                throw ConfigError(where + ".plugin: a string, for type 64 only");
            r.plugin = json_string_value(plugin);
        }
        for (const Rule& other : policy.rules_)
            if (other.type == r.type && other.plugin == r.plugin)
                throw ConfigError(where + ": duplicate rule for this type/plugin");
        r.root = std::make_unique<Node>();
        if (envelope) addLists(*r.root, envelope, name + ": envelope");
        addLists(*r.root, group, where);
        policy.rules_.push_back(std::move(r));
    }
    return policy;
}

const AuditPolicy::Node* AuditPolicy::rootFor(int64_t type, std::string_view plugin) const {
    const Node* generic = nullptr;
    for (const Rule& r : rules_) {
        if (r.type != type) continue;
        if (!r.plugin.empty() && r.plugin == plugin) return r.root.get();
        if (r.plugin.empty()) generic = r.root.get();
    }
    return generic ? generic : envelopeOnly_.get();
}

}  // namespace hipaa::audit

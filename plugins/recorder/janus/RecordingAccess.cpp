// SPDX-License-Identifier: GPL-3.0-or-later
#include "RecordingAccess.hpp"

namespace hipaa::recorder {
namespace {

std::vector<std::string> strings(const json_t* array) {
    std::vector<std::string> out;
    size_t i;
    json_t* v;
    json_array_foreach(array, i, v) {
        if (json_is_string(v)) out.emplace_back(json_string_value(v));
    }
    return out;
}

}  // namespace

std::string RecordingAccess::refusal(const ActorDecision& d, const std::optional<RecordingContext>& context,
                                     const std::string& status) {
    switch (d.access) {
        case Access::Any:
            return {};
        case Access::Metadata:
            return d.action == "recording.list" || d.action == "recording.status" ? "" : "metadata_only";
        case Access::Own:
        case Access::OwnSealed:
            if (!context || !d.owns(context->providers, context->patients)) return "not_a_participant";
            if (d.access == Access::OwnSealed && status != "sealed") return "not_sealed";
            return {};
        case Access::None:
            break;
    }
    return "role_forbidden";
}

void RecordingAccess::narrow(const ActorDecision& d, json_t* entry) {
    if (d.access != Access::Metadata) return;
    for (const char* key : {"visit", "room", "participants", "hold_reason"}) json_object_del(entry, key);
}

std::string RecordingAccess::refusal(const ActorDecision& d, const json_t* entry) {
    std::optional<RecordingContext> context;
    if (const json_t* p = json_object_get(entry, "participants"))
        context =
            RecordingContext{{}, {}, strings(json_object_get(p, "providers")), strings(json_object_get(p, "patients"))};
    return refusal(d, context, std::string(jsonString(entry, "status").value_or("")));
}

}  // namespace hipaa::recorder

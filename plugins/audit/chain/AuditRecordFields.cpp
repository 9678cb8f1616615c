// SPDX-License-Identifier: GPL-3.0-or-later
#include "AuditRecordFields.hpp"

namespace hipaa::audit {

const std::string& AuditRecordFields::columnList() {
    static const std::string list = [] {
        std::string out;
        AuditRecord r;
        forEach(r, [&](const Field& f, const auto&) { out += std::string(f.column) + ", "; });
        return out + "event, prev_hash, hash";
    }();
    return list;
}

}  // namespace hipaa::audit

// SPDX-License-Identifier: GPL-3.0-or-later
#include "AuditChain.hpp"

#include "AuditRecordFields.hpp"

#include <charconv>
#include <string_view>

namespace hipaa::audit {
namespace {

void putLen(Bytes& out, uint32_t n) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(n >> shift));
}
void put(Bytes& out, std::string_view s) {
    putLen(out, static_cast<uint32_t>(s.size()));
    const auto* p = reinterpret_cast<const uint8_t*>(s.data());  // uint8_t pointers: one memmove
    out.insert(out.end(), p, p + s.size());
}
void put(Bytes& out, const std::string& s) { put(out, std::string_view(s)); }
void put(Bytes& out, const std::optional<std::string>& s) {
    if (!s) return putLen(out, 0xFFFFFFFFu);
    put(out, std::string_view(*s));
}
void putInt(Bytes& out, int64_t v) {
    char buf[24];
    auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
    put(out, std::string_view(buf, static_cast<size_t>(end - buf)));
}
void put(Bytes& out, int64_t v) { putInt(out, v); }
void put(Bytes& out, const std::optional<int64_t>& v) {
    if (!v) return putLen(out, 0xFFFFFFFFu);
    putInt(out, *v);
}

// The canonical form into `out` (cleared first).
void canonicalInto(Bytes& out, const AuditRecord& r) {
    out.clear();
    out.reserve(256 + r.event.size() + r.instanceId.size());
    put(out, std::string_view("janus-hipaa-audit/v1"));
    AuditRecordFields::forEach(r, [&](const AuditRecordFields::Field&, const auto& value) { put(out, value); });
    put(out, std::string_view(r.event));
    out.insert(out.end(), r.prevHash.begin(), r.prevHash.end());
}

}  // namespace

Bytes AuditChain::canonical(const AuditRecord& r) {
    Bytes out;
    canonicalInto(out, r);
    return out;
}

Digest256 AuditChain::hashOf(const AuditRecord& r) {
    thread_local Bytes buf;  // reused: one allocation per thread, not one per record
    canonicalInto(buf, r);
    return sha256(buf);
}

Bytes AuditChain::checkpointMessage(const std::string& instanceId, int64_t seq, const Digest256& head,
                                    int64_t signedAtUs) {
    Bytes out;
    put(out, std::string_view("janus-hipaa-audit-checkpoint/v1"));
    put(out, std::string_view(instanceId));
    putInt(out, seq);
    out.insert(out.end(), head.begin(), head.end());
    putInt(out, signedAtUs);
    return out;
}

void AuditChain::append(AuditRecord& r) {
    r.instanceId = instanceId_;
    r.seq = seq_ + 1;
    r.prevHash = head_;
    r.hash = hashOf(r);
    seq_ = r.seq;
    head_ = r.hash;
}

}  // namespace hipaa::audit

// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/ChatRecord.hpp"

namespace hipaa {
namespace {

constexpr size_t kFixed = 1 + 1 + 1 + 8;  // version, S, R, sentMs

}  // namespace

std::optional<Bytes> ChatRecord::encode() const {
    if (sender.empty() || sender.size() > 255 || role.empty() || role.size() > 32) return std::nullopt;
    const size_t n = kFixed + sender.size() + role.size() + text.size();
    if (n > kMaxRecord) return std::nullopt;
    Bytes out;
    out.reserve(n);
    out.push_back(kVersion);
    out.push_back(static_cast<uint8_t>(sender.size()));
    out.insert(out.end(), sender.begin(), sender.end());
    out.push_back(static_cast<uint8_t>(role.size()));
    out.insert(out.end(), role.begin(), role.end());
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(sentMs >> shift));
    out.insert(out.end(), text.begin(), text.end());
    return out;
}

std::optional<ChatRecord> ChatRecord::decode(ByteView record) {
    if (record.size() < kFixed || record.size() > kMaxRecord || record[0] != kVersion) return std::nullopt;
    size_t at = 1;
    ChatRecord r;
    const size_t s = record[at++];
    if (s == 0 || record.size() < at + s + 1) return std::nullopt;
    r.sender.assign(reinterpret_cast<const char*>(record.data() + at), s);
    at += s;
    const size_t rl = record[at++];
    if (rl == 0 || rl > 32 || record.size() < at + rl + 8) return std::nullopt;
    r.role.assign(reinterpret_cast<const char*>(record.data() + at), rl);
    at += rl;
    for (int i = 0; i < 8; ++i) r.sentMs = (r.sentMs << 8) | record[at++];
    r.text.assign(reinterpret_cast<const char*>(record.data() + at), record.size() - at);
    return r;
}

}  // namespace hipaa

// SPDX-License-Identifier: GPL-3.0-or-later
#include "AuditHeadFile.hpp"

#include "hipaa/Encoding.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string_view>

namespace hipaa::audit {
namespace {

constexpr std::string_view kMagic = "JHH1 ";
constexpr size_t kBody = 5 + 20 + 1 + 64;  // magic, seq (right-aligned), space, hash hex

std::string check(std::string_view body) {
    Digest256 d = sha256(ByteView(reinterpret_cast<const uint8_t*>(body.data()), body.size()));
    return hexEncode(ByteView(d.data(), 8));
}

std::optional<std::pair<int64_t, Digest256>> parseSlot(std::string_view s) {
    if (s.size() != AuditHeadFile::kSlot || s.substr(0, kMagic.size()) != kMagic || s[kBody] != ' ' || s.back() != '\n')
        return std::nullopt;
    if (std::string_view(s.data() + kBody + 1, 16) != check(s.substr(0, kBody))) return std::nullopt;
    std::string_view seqText = s.substr(kMagic.size(), 20);
    while (!seqText.empty() && seqText.front() == ' ') seqText.remove_prefix(1);
    int64_t seq = 0;
    for (char c : seqText) {
        if (c < '0' || c > '9') return std::nullopt;
        seq = seq * 10 + (c - '0');
    }
    auto h = hexDecode(s.substr(kMagic.size() + 21, 64));
    if (seqText.empty() || !h || h->size() != 32) return std::nullopt;
    Digest256 d;
    std::copy(h->begin(), h->end(), d.begin());
    return std::make_pair(seq, d);
}

std::optional<std::pair<int64_t, Digest256>> parseLegacy(const std::string& text) {
    std::istringstream in(text);
    std::string s, h;
    if (!(in >> s >> h)) return std::nullopt;
    int64_t seq = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), seq);
    if (ec != std::errc() || end != s.data() + s.size() || seq < 0) return std::nullopt;
    auto d = hexDecode(h);
    if (!d || d->size() != 32) return std::nullopt;
    Digest256 out;
    std::copy(d->begin(), d->end(), out.begin());
    return std::make_pair(seq, out);
}

}  // namespace

AuditHeadFile::~AuditHeadFile() {
    if (fd_ >= 0) ::close(fd_);
}

std::string AuditHeadFile::slotText(int64_t seq, const Digest256& hash) {
    char seqText[32];
    std::snprintf(seqText, sizeof seqText, "%20lld", static_cast<long long>(seq));
    std::string body = std::string(kMagic) + seqText + " " + hexEncode(hash);
    std::string s = body + " " + check(body);
    s.resize(kSlot - 1, ' ');
    s += '\n';
    return s;
}

std::optional<std::pair<int64_t, Digest256>> AuditHeadFile::read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.compare(0, kMagic.size(), kMagic) != 0) return parseLegacy(text);
    std::optional<std::pair<int64_t, Digest256>> best;
    for (size_t at = 0; at + kSlot <= text.size() && at < 2 * kSlot; at += kSlot)
        if (auto h = parseSlot(std::string_view(text).substr(at, kSlot)); h && (!best || h->first > best->first))
            best = h;
    return best;
}

bool AuditHeadFile::create(int64_t seq, const Digest256& hash) {
    // Both slots hold the head; written to a temporary file, synced, then renamed over the old file.
    std::string tmp = path_ + ".tmp";
    std::string text = slotText(seq, hash) + slotText(seq, hash);
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return false;
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fdatasync(fd) == 0;
    ::close(fd);
    if (!ok || std::rename(tmp.c_str(), path_.c_str()) != 0) return false;
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
    next_ = 0;
    return fd_ >= 0;
}

bool AuditHeadFile::save(int64_t seq, const Digest256& hash) {
    if (fd_ < 0) {
        // First save of this process: keep the file if it is ours, else (missing, earlier format,
        // damaged) create it. Overwrite the slot that does not hold the newest head.
        std::ifstream in(path_, std::ios::binary);
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        auto a = text.size() == 2 * kSlot ? parseSlot(std::string_view(text).substr(0, kSlot)) : std::nullopt;
        auto b = text.size() == 2 * kSlot ? parseSlot(std::string_view(text).substr(kSlot, kSlot)) : std::nullopt;
        if (!a && !b) return create(seq, hash);
        fd_ = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd_ < 0) return false;
        next_ = !a ? 0 : !b ? 1 : (a->first <= b->first ? 0 : 1);
    }
    std::string slot = slotText(seq, hash);
    bool ok = ::pwrite(fd_, slot.data(), slot.size(), static_cast<off_t>(next_) * static_cast<off_t>(kSlot)) ==
                  static_cast<ssize_t>(slot.size()) &&
              ::fdatasync(fd_) == 0;
    if (!ok) {
        ::close(fd_);  // start over (recreate) at the next save
        fd_ = -1;
        return false;
    }
    next_ ^= 1;
    return true;
}

}  // namespace hipaa::audit

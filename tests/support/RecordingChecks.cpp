// SPDX-License-Identifier: GPL-3.0-or-later
#include "RecordingChecks.hpp"

#include "Shell.hpp"

#include "ByteOrder.hpp"
#include "UniqueFd.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace hipaa::test {
namespace {

// Value of `key=` on its own line of ffprobe's default output ("" if absent).
std::string field(const std::string& out, const std::string& key) {
    size_t at = out.find(key + "=");
    if (at == std::string::npos) return "";
    size_t start = at + key.size() + 1;
    return out.substr(start, out.find('\n', start) - start);
}

}  // namespace

std::vector<Bytes> mjrPayloads(const std::string& path) {
    Bytes b = recorder::readWholeFile(path);
    std::vector<Bytes> out;
    if (b.size() < 10) return out;
    size_t off = 10 + recorder::getU16(b.data() + 8);  // "MJR00002" + header length + JSON header
    while (off + 10 <= b.size()) {
        size_t len = recorder::getU16(b.data() + off + 8);
        const uint8_t* rtp = b.data() + off + 10;
        off += 10 + len;
        if (off > b.size() || len < 12 || (rtp[0] >> 6) != 2) continue;
        size_t h = 12 + 4u * (rtp[0] & 0x0f);
        if ((rtp[0] & 0x10) && h + 4 <= len) h += 4 + 4u * recorder::getU16(rtp + h + 2);
        size_t end = len;
        if ((rtp[0] & 0x20) && end > 0) end -= std::min<size_t>(rtp[end - 1], end);
        if (h < end) out.emplace_back(rtp + h, rtp + end);
    }
    return out;
}

double probeDuration(const std::string& file, std::string& codec) {
    std::string out = Shell::run("ffprobe -v error -show_entries stream=codec_name:format=duration -of default=nw=1 '" +
                                 file + "' 2>&1")
                          .out;
    codec = field(out, "codec_name");
    std::string d = field(out, "duration");
    if (d.empty() || d.find_first_not_of("0123456789.") != std::string::npos) {
        ADD_FAILURE() << "ffprobe: " << out;
        return -1;
    }
    return std::stod(d);
}

double convertAndProbe(const std::string& mjr, const std::string& out, std::string& codec) {
    Shell::Result pp = Shell::run("janus-pp-rec '" + mjr + "' '" + out + "' 2>&1");
    if (pp.status != 0) {
        ADD_FAILURE() << "janus-pp-rec " << mjr << ": " << pp.out;
        return -1;
    }
    return probeDuration(out, codec);
}

size_t expectNoPlaintext(const std::string& file, const std::vector<Bytes>& payloads) {
    Bytes f = recorder::readWholeFile(file);
    size_t checked = 0;
    for (const Bytes& p : payloads) {
        if (p.size() < 24) continue;
        EXPECT_EQ(std::search(f.begin(), f.end(), p.begin() + 4, p.begin() + 20), f.end()) << "plaintext in " << file;
        ++checked;
    }
    return checked;
}

std::string setJcfgKey(std::string cfg, const std::string& key, int value) {
    size_t at = cfg.find(key + " = ");
    if (at == std::string::npos) return cfg;
    size_t start = at + key.size() + 3;
    return cfg.replace(start, cfg.find('\n', start) - start, std::to_string(value));
}

}  // namespace hipaa::test

// SPDX-License-Identifier: GPL-3.0-or-later
#include "PatternScrubber.hpp"

#include "hipaa/Errors.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <arpa/inet.h>
#include <pcre2.h>

#include <array>

namespace hipaa::audit {
namespace {

// Group n (1-based) -> replacement tag. Order matters: URLs before emails (mailto-like paths),
// SSNs and dates before phone numbers, long digit runs last.
constexpr std::array<const char*, 9> kTags = {"",      "[url]",  "[email]", "[ip]", "[ip]",
                                              "[ssn]", "[date]", "[phone]", "[id]"};

constexpr const char* kPattern =
    // 1 URL
    R"(((?i:\b(?:https?|wss?|ftp|sips?|tel|mailto):[^\s"'<>]+|\bwww\.[^\s"'<>]+))|)"
    // 2 email
    R"(([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})|)"
    // 3 IPv6 candidate (validated)
    R"(((?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![0-9A-Fa-f:]))|)"
    // 4 IPv4 candidate (validated)
    R"(((?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.]|\.\d))|)"
    // 5 SSN
    R"((\b\d{3}-\d{2}-\d{4}\b|(?i:\bssn\W{0,3}\d{9}\b))|)"
    // 6 dates (numeric and with month names)
    R"((\b\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b|\b(?:18|19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}\b|)"
    R"((?i:\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\b)|)"
    R"((?i:\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,?\s+\d{4}\b))|)"
    // 7 phone / fax (NANP and international)
    R"(((?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\b\d{3}[\s.-])\d{3}[\s.-]\d{4}\b|\+\d{1,3}[\s.-]?\d{2,4}(?:[\s.-]?\d{2,4}){2,4}\b)|)"
    // 8 MRN-like: labelled record numbers, or 7+ digit runs (optionally with a short uppercase prefix)
    R"(((?i:\b(?:mrn|mr#|medical\s+record(?:\s+(?:no|number))?)\W{0,3}[A-Z0-9-]{4,}\b)|\b[A-Z]{0,3}\d{7,}\b))";

bool validIp(std::string_view s, int family) {
    if (s.size() >= 64) return false;
    char buf[64];
    s.copy(buf, s.size());
    buf[s.size()] = '\0';
    unsigned char out[16];
    return inet_pton(family, buf, out) == 1;
}

bool worthScanning(std::string_view s) {
    for (char c : s)
        if ((c >= '0' && c <= '9') || c == '@' || c == ':') return true;
    return s.find("www.") != std::string_view::npos || s.find("WWW.") != std::string_view::npos;
}

}  // namespace

struct PatternScrubber::Impl {
    pcre2_code* code = nullptr;
    pcre2_match_data* match = nullptr;
    ~Impl() {
        pcre2_match_data_free(match);
        pcre2_code_free(code);
    }
};

PatternScrubber::PatternScrubber() : impl_(std::make_unique<Impl>()) {
    int err = 0;
    PCRE2_SIZE off = 0;
    impl_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(kPattern), PCRE2_ZERO_TERMINATED, 0, &err, &off, nullptr);
    if (!impl_->code) throw Error(errc::kInternal, "pattern pass: regex does not compile at " + std::to_string(off));
    pcre2_jit_compile(impl_->code, PCRE2_JIT_COMPLETE);  // falls back to the interpreter if JIT is unavailable
    impl_->match = pcre2_match_data_create_from_pattern(impl_->code, nullptr);
}

PatternScrubber::~PatternScrubber() = default;

bool PatternScrubber::scrub(std::string& text, size_t* replaced) {
    if (!worthScanning(text)) return false;
    std::string out;
    size_t pos = 0, copied = 0, hits = 0;
    const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    while (pos <= text.size()) {
        int rc = pcre2_match(impl_->code, subject, text.size(), pos, 0, impl_->match, nullptr);
        if (rc <= 0) break;
        PCRE2_SIZE* ov = pcre2_get_ovector_pointer(impl_->match);
        size_t start = ov[0], end = ov[1];
        int group = 0;
        for (int g = 1; g < rc; ++g)
            if (ov[2 * static_cast<size_t>(g)] != PCRE2_UNSET) {
                group = g;
                break;
            }
        std::string_view hit(text.data() + start, end - start);
        bool accept = group > 0 && end > start;
        if (group == 3) accept = validIp(hit, AF_INET6);
        if (group == 4) accept = validIp(hit, AF_INET);
        if (accept) {
            out.append(text, copied, start - copied);
            out += kTags[static_cast<size_t>(group)];
            copied = end;
            ++hits;
            pos = end;
        } else {
            pos = start + 1;
        }
    }
    if (hits == 0) return false;
    out.append(text, copied, std::string::npos);
    text = std::move(out);
    if (replaced) *replaced += hits;
    return true;
}

}  // namespace hipaa::audit

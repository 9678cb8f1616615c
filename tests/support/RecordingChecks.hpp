// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What the recorder's integration and browser tests check on a recording: the RTP
// payloads of an exported .mjr, ffprobe's codec and duration, and that none of those payload bytes
// occur in the encrypted .jrec files.
#include "hipaa/Bytes.hpp"

#include <string>
#include <vector>

namespace hipaa::test {

// Payloads of every RTP packet in an exported .mjr (header, CSRCs and header extension skipped;
// padding removed).
std::vector<Bytes> mjrPayloads(const std::string& path);
// ffprobe: duration in seconds (-1 and a test failure when it cannot tell) and the first codec name.
double probeDuration(const std::string& file, std::string& codec);
// janus-pp-rec `mjr` into `out` (.opus / .webm), then probeDuration(out); a test failure and -1 when
// the conversion fails.
double convertAndProbe(const std::string& mjr, const std::string& out, std::string& codec);
// Counts payloads of >= 24 bytes checked; a test failure for each whose bytes 4..20 occur in `file`.
size_t expectNoPlaintext(const std::string& file, const std::vector<Bytes>& payloads);
// Replaces the value of `key = N` in a .jcfg text.
std::string setJcfgKey(std::string cfg, const std::string& key, int value);

}  // namespace hipaa::test

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The key files the four plugins' effective configs name (keys ending in key_file or token_file,
// signing_key, and every file in the recorder's keyring folder), stat()ed now: type, mode, owner, age.
// A key others can read or write, a symlink, or one older than --key-max-age-days (rotation due)
// fails; a file this user cannot stat is unchecked (run the report as the Janus user or root).
#include "EvidenceSection.hpp"
#include "EvidenceSources.hpp"

namespace hipaa::cli {

class KeyFileEvidence {
public:
    static EvidenceSection collect(const EvidenceSources& src);
    // Whether `category.key` of a plugin config names a key file (or the keyring folder).
    static bool isKeySetting(const std::string& key);
};

}  // namespace hipaa::cli

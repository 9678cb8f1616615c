// SPDX-License-Identifier: GPL-3.0-or-later
#include "Manifest.hpp"

#include "UniqueFd.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/JsonBuilder.hpp"

#include <sys/stat.h>

namespace hipaa::recorder {

Bytes SignedDocument::signedBytes(const std::string& kind, const json_t* body) {
    std::string text = "janus-hipaa/" + kind + "/v1\n" + jsonDump(body);
    return Bytes(text.begin(), text.end());
}

void SignedDocument::write(const std::string& path, const std::string& kind, const json_t* body,
                           const Ed25519Signer& signer) {
    Ed25519Signer::Signature sig = signer.sign(signedBytes(kind, body));
    JsonPtr doc = JsonBuilder()
                      .set("body", jsonRetain(const_cast<json_t*>(body)))
                      .set("signature", base64Encode(sig))
                      .set("public_key", hexEncode(signer.publicKey()))
                      .build();
    std::string text = jsonDump(doc.get(), JSON_INDENT(1) | JSON_SORT_KEYS) + "\n";
    writeFileAtomic(path, asBytes(text), 0600);
}

std::optional<JsonPtr> SignedDocument::read(const std::string& path, const std::string& kind,
                                            const Ed25519Verifier& verifier, std::string& error) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return error = kind + " missing", std::nullopt;
    Bytes raw;
    try {
        raw = readWholeFile(path);
    } catch (const Error&) {
        return error = kind + " unreadable", std::nullopt;
    }
    JsonPtr doc;
    try {
        doc = jsonParse(asChars(raw));
    } catch (const Error&) {
        return error = kind + " is not valid JSON", std::nullopt;
    }
    const json_t* body = json_object_get(doc.get(), "body");
    auto sig = jsonString(doc.get(), "signature");
    if (!json_is_object(body) || !sig) return error = kind + " lacks body or signature", std::nullopt;
    auto sigBytes = base64Decode(*sig);
    if (!sigBytes || !verifier.verify(signedBytes(kind, body), *sigBytes))
        return error = kind + " signature does not verify", std::nullopt;
    return jsonRetain(const_cast<json_t*>(body));
}

}  // namespace hipaa::recorder

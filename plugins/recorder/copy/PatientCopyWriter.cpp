// SPDX-License-Identifier: GPL-3.0-or-later
#include "PatientCopyWriter.hpp"

#include "ByteOrder.hpp"
#include "Manifest.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/Hash.hpp"
#include "hipaa/JsonBuilder.hpp"
#include "hipaa/UniqueFd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace hipaa::recorder {

bool PatientCopyWriter::validName(const std::string& name) {
    if (name.empty() || name.size() > 128 || name[0] == '.') return false;
    for (char c : name)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-'))
            return false;
    return true;
}

void PatientCopyWriter::begin(const std::string& name, uint64_t size) {
    if (!validName(name) || name == kManifestName || !names_.insert(name).second)
        throw Error(errc::kInvalidField, "invalid or repeated file name in a patient copy");
    Bytes head{1};
    putU16(head, static_cast<uint16_t>(name.size()));
    head.insert(head.end(), name.begin(), name.end());
    putU64(head, size);
    out_.write(head);
}

void PatientCopyWriter::listed(const std::string& name, uint64_t size, const Digest256& sha) {
    json_array_append_new(
        files_.get(),
        jsonRelease(JsonBuilder().set("name", name).set("sha256", hexEncode(sha)).set("bytes", size).build()));
}

void PatientCopyWriter::addFile(const std::string& name, const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
        throw Error(errc::kInternal, "cannot read a file of the patient copy");
    uint64_t size = static_cast<uint64_t>(st.st_size);
    begin(name, size);
    Sha256 sha;
    Bytes buf(size_t{64} * 1024);
    uint64_t left = size;
    while (left > 0) {
        ssize_t n = ::read(fd.get(), buf.data(), std::min<uint64_t>(buf.size(), left));
        if (n < 0 && errno == EINTR) continue;
        // The size is in the stream already: a file that shrinks under us fails the copy.
        if (n <= 0) throw Error(errc::kInternal, "a file of the patient copy changed while it was read");
        ByteView piece(buf.data(), static_cast<size_t>(n));
        sha.update(piece);
        out_.write(piece);
        left -= static_cast<uint64_t>(n);
    }
    listed(name, size, sha.finish());
}

void PatientCopyWriter::addBytes(const std::string& name, ByteView data) {
    begin(name, data.size());
    out_.write(data);
    listed(name, data.size(), sha256(data));
}

void PatientCopyWriter::finish(const JsonPtr& body, const Ed25519Signer& signer) {
    json_object_set(body.get(), "files", files_.get());
    Ed25519Signer::Signature sig = signer.sign(SignedDocument::signedBytes(kKind, body.get()));
    JsonPtr doc = JsonBuilder()
                      .set("body", jsonRetain(body.get()))
                      .set("signature", base64Encode(sig))
                      .set("public_key", hexEncode(signer.publicKey()))
                      .build();
    std::string text = jsonDump(doc.get(), JSON_INDENT(1) | JSON_SORT_KEYS) + "\n";
    std::string name = kManifestName;
    Bytes head{1};
    putU16(head, static_cast<uint16_t>(name.size()));
    head.insert(head.end(), name.begin(), name.end());
    putU64(head, text.size());
    out_.write(head);
    out_.write(asBytes(text));
    Bytes end{0};
    out_.write(end);
    out_.finish();
}

}  // namespace hipaa::recorder

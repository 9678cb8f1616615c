// SPDX-License-Identifier: GPL-3.0-or-later
#include "PatientCopyReader.hpp"

#include "ByteOrder.hpp"
#include "Manifest.hpp"
#include "PatientCopyWriter.hpp"
#include "UniqueFd.hpp"
#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"
#include "hipaa/Hash.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <map>

namespace hipaa::recorder {
namespace {

void readExact(SealedPackageReader& r, uint8_t* out, size_t n) {
    if (r.read(out, n) != n) throw Error(errc::kInvalidField, "the copy ends inside an entry");
}

struct Written {
    std::vector<std::string> paths;
    bool keep = false;
    ~Written() {
        if (!keep)
            for (const auto& p : paths) ::unlink(p.c_str());
    }
};

bool verifySigned(const json_t* doc, const std::string& kind, const Ed25519Verifier& key) {
    const json_t* body = json_object_get(doc, "body");
    auto sig = jsonString(doc, "signature");
    if (!json_is_object(body) || !sig) return false;
    auto raw = base64Decode(*sig);
    return raw && key.verify(SignedDocument::signedBytes(kind, body), *raw);
}

}  // namespace

OpenedCopy PatientCopyReader::open(SealedPackageReader& reader, const std::string& outDir,
                                   const Ed25519Verifier& recorderKey) {
    OpenedCopy out;
    Written written;
    std::map<std::string, std::pair<uint64_t, std::string>> seen;  // name -> size, sha256 hex
    Bytes manifestText;
    Bytes buf(size_t{64} * 1024);
    for (;;) {
        uint8_t type;
        readExact(reader, &type, 1);
        if (type == 0) break;
        if (type != 1 || !manifestText.empty()) throw Error(errc::kInvalidField, "unexpected entry in the copy");
        uint8_t len[2];
        readExact(reader, len, 2);
        std::string name(getU16(len), '\0');
        readExact(reader, reinterpret_cast<uint8_t*>(name.data()), name.size());
        uint8_t sizeBytes[8];
        readExact(reader, sizeBytes, 8);
        uint64_t size = getU64(sizeBytes);
        if (!PatientCopyWriter::validName(name) || seen.count(name))
            throw Error(errc::kInvalidField, "invalid or repeated file name in the copy");
        if (name == PatientCopyWriter::kManifestName) {
            if (size > kMaxManifestBytes) throw Error(errc::kInvalidField, "the copy's manifest is too large");
            manifestText.resize(size);
            readExact(reader, manifestText.data(), size);
            seen[name] = {size, ""};
            continue;
        }
        std::string path = outDir + "/" + name;
        UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
        if (!fd) throw Error(errc::kInternal, "cannot create " + path + " (it must not exist)");
        written.paths.push_back(path);
        Sha256 sha;
        for (uint64_t left = size; left > 0;) {
            size_t n = static_cast<size_t>(std::min<uint64_t>(left, buf.size()));
            readExact(reader, buf.data(), n);
            ByteView piece(buf.data(), n);
            sha.update(piece);
            writeAll(fd.get(), piece, "opened copy");
            left -= n;
        }
        if (::fsync(fd.get()) != 0) throw Error(errc::kInternal, "cannot write " + path);
        seen[name] = {size, hexEncode(sha.finish())};
        out.files.push_back(name);
    }
    uint8_t extra;
    if (reader.read(&extra, 1) != 0) throw Error(errc::kInvalidField, "data after the copy's end");
    if (manifestText.empty()) throw Error(errc::kInvalidField, "the copy has no manifest");

    JsonPtr doc = jsonParse(asChars(manifestText));
    if (!verifySigned(doc.get(), PatientCopyWriter::kKind, recorderKey))
        throw Error(errc::kInvalidField, "the manifest's signature does not verify with this recorder key");
    const json_t* body = json_object_get(doc.get(), "body");
    const json_t* files = json_object_get(body, "files");
    if (!json_is_array(files) || json_array_size(files) != seen.size() - 1)
        throw Error(errc::kInvalidField, "the manifest does not list exactly the files of the copy");
    size_t i;
    json_t* f;
    json_array_foreach(files, i, f) {
        std::string name(jsonString(f, "name").value_or(""));
        auto it = seen.find(name);
        if (it == seen.end() || name == PatientCopyWriter::kManifestName ||
            it->second.second != jsonString(f, "sha256").value_or("") ||
            static_cast<int64_t>(it->second.first) != jsonInt(f, "bytes").value_or(-1))
            throw Error(errc::kInvalidField, "SHA-256 or size of " + name + " does not match the manifest");
    }
    // Each recording's own manifest, as the recorder signed it when the recording was sealed.
    json_t* rec;
    json_array_foreach(json_object_get(body, "recordings"), i, rec) {
        const json_t* m = json_object_get(rec, "manifest");
        if (m && !verifySigned(m, "recording-manifest", recorderKey))
            throw Error(errc::kInvalidField, "a recording's own manifest does not verify with this recorder key");
    }
    std::string path = outDir + "/" + PatientCopyWriter::kManifestName;
    {
        UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
        if (!fd) throw Error(errc::kInternal, "cannot create " + path + " (it must not exist)");
        written.paths.push_back(path);
        writeAll(fd.get(), manifestText, "opened copy");
    }
    out.files.push_back(PatientCopyWriter::kManifestName);
    out.manifest = jsonRetain(const_cast<json_t*>(body));
    written.keep = true;
    return out;
}

}  // namespace hipaa::recorder

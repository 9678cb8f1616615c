// SPDX-License-Identifier: GPL-3.0-or-later
#include "AuditCheckpointFile.hpp"

#include "AuditChain.hpp"

#include "hipaa/Encoding.hpp"
#include "hipaa/ErrnoText.hpp"
#include "hipaa/JsonBuilder.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace hipaa::audit {
namespace {

constexpr const char* kFormat = "janus-hipaa-audit-checkpoint/v1";

[[noreturn]] void bad(const std::string& path, const std::string& why) {
    throw std::runtime_error("checkpoint file " + path + ": " + why);
}

void writeAll(int fd, const std::string& data, const std::string& path) {
    size_t off = 0;
    while (off < data.size()) {
        ssize_t n = ::write(fd, data.data() + off, data.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) bad(path, std::string("write failed: ") + errnoText(errno));
        off += static_cast<size_t>(n);
    }
}

}  // namespace

std::optional<AuditCheckpoint> AuditCheckpointFile::read(const std::string& path, const std::string& instanceId,
                                                         const Ed25519Verifier& key) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (::access(path.c_str(), F_OK) != 0 && errno == ENOENT) return std::nullopt;
        bad(path, "cannot be read");
    }
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    AuditCheckpoint cp;
    std::optional<Bytes> head, sig;
    bool formatOk = false;
    try {
        JsonPtr j = jsonParse(text);
        formatOk = jsonString(j.get(), "format") == kFormat;
        cp.instanceId = std::string(jsonRequireString(j.get(), "instance_id"));
        cp.seq = jsonRequireInt(j.get(), "seq");
        cp.signedAtUs = jsonRequireInt(j.get(), "signed_at_us");
        cp.keyId = std::string(jsonRequireString(j.get(), "key_id"));
        head = hexDecode(jsonRequireString(j.get(), "head_hash"));
        sig = hexDecode(jsonRequireString(j.get(), "signature"));
    } catch (const std::exception&) {
        bad(path, "malformed");
    }
    if (!formatOk) bad(path, "not a checkpoint file");
    if (!head || head->size() != cp.headHash.size() || !sig || sig->size() != cp.signature.size() || cp.seq < 1)
        bad(path, "malformed");
    std::copy(head->begin(), head->end(), cp.headHash.begin());
    std::copy(sig->begin(), sig->end(), cp.signature.begin());
    if (cp.instanceId != instanceId) bad(path, "belongs to another instance");
    if (!key.verify(AuditChain::checkpointMessage(cp.instanceId, cp.seq, cp.headHash, cp.signedAtUs), *sig))
        bad(path, "its signature does not verify with this public key");
    return cp;
}

void AuditCheckpointFile::write(const std::string& path, const AuditCheckpoint& cp) {
    JsonPtr j = JsonBuilder()
                    .set("format", kFormat)
                    .set("instance_id", cp.instanceId)
                    .set("seq", cp.seq)
                    .set("head_hash", hexEncode(cp.headHash))
                    .set("signed_at_us", cp.signedAtUs)
                    .set("key_id", cp.keyId)
                    .set("signature", hexEncode(ByteView(cp.signature.data(), cp.signature.size())))
                    .build();
    std::string text = jsonDump(j.get(), JSON_INDENT(2) | JSON_SORT_KEYS) + "\n";

    std::string tmp = path + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) bad(path, std::string("cannot be written: ") + errnoText(errno));
    try {
        writeAll(fd, text, path);
        if (::fsync(fd) != 0) bad(path, std::string("fsync failed: ") + errnoText(errno));
    } catch (...) {
        ::close(fd);
        ::unlink(tmp.c_str());
        throw;
    }
    ::close(fd);
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        ::unlink(tmp.c_str());
        bad(path, std::string("rename failed: ") + errnoText(errno));
    }
    std::string dir = path.find('/') == std::string::npos ? "." : path.substr(0, path.rfind('/') + 1);
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

}  // namespace hipaa::audit

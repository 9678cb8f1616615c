#include "hipaa/SecretFile.hpp"

#include "hipaa/Encoding.hpp"
#include "hipaa/Errors.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

namespace hipaa {
namespace {


std::string modeString(mode_t m) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(m & 07777));
    return buf;
}

}  // namespace

Bytes readSecretFile(const std::string& path) {
    int raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (raw < 0) throw ConfigError("cannot open secret file " + path);
    struct Fd {
        int fd;
        ~Fd() { ::close(fd); }
    } fd{raw};
    struct stat st {};
    if (::fstat(fd.fd, &st) != 0 || !S_ISREG(st.st_mode)) throw ConfigError("secret file is not a regular file: " + path);
    if ((st.st_mode & 077) != 0)
        throw ConfigError("secret file " + path + " has mode " + modeString(st.st_mode) +
                          ": must be 0600 or 0400 (chmod 600 " + path + ")");
    if (st.st_size > 1 << 20) throw ConfigError("secret file too large: " + path);
    Bytes out(static_cast<size_t>(st.st_size));
    size_t got = 0;
    while (got < out.size()) {
        ssize_t n = ::read(fd.fd, out.data() + got, out.size() - got);
        if (n < 0) throw ConfigError("cannot read secret file " + path);
        if (n == 0) break;
        got += static_cast<size_t>(n);
    }
    out.resize(got);
    return out;
}

Bytes readSecretKeyFile(const std::string& path, size_t expectedSize) {
    Bytes raw = readSecretFile(path);
    if (raw.size() == expectedSize) return raw;  // binary key
    std::string text(raw.begin(), raw.end());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
    if (auto hex = hexDecode(text); hex && hex->size() == expectedSize) return *hex;
    if (auto b64 = base64Decode(text); b64 && b64->size() == expectedSize) return *b64;
    throw ConfigError("secret key file " + path + " must hold " + std::to_string(expectedSize) +
                      " bytes (raw, hex or base64)");
}

}  // namespace hipaa

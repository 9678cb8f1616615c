// SPDX-License-Identifier: GPL-3.0-or-later
#include "ContractJanus.hpp"

#include "Shell.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <stdexcept>

namespace hipaa::test {
namespace {

std::map<JanusGroup, std::unique_ptr<ContractJanus>>& groups() {
    static std::map<JanusGroup, std::unique_ptr<ContractJanus>> g;
    return g;
}

// Sets `key = value` inside `category: { ... }` of a .jcfg text (replacing the line or adding it).
std::string setKey(std::string text, const std::string& category, const std::string& key, const std::string& value) {
    size_t open = text.find("\n" + category + ": {");
    if (open == std::string::npos && text.rfind(category + ": {", 0) == 0) open = 0;
    if (open == std::string::npos) return text + "\n" + category + ": {\n\t" + key + " = " + value + "\n}\n";
    size_t close = text.find("\n}", open + 1);
    size_t line = text.find("\t" + key + " = ", open);
    if (line != std::string::npos && line < close) {
        size_t end = text.find('\n', line);
        return text.replace(line, end - line, "\t" + key + " = " + value);
    }
    size_t body = text.find('\n', open + 1);
    return text.insert(body + 1, "\t" + key + " = " + value + "\n");
}

bool udpFree(int port) {
    int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    bool ok = fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    if (fd >= 0) ::close(fd);
    return ok;
}

// `n` consecutive free UDP ports below the ephemeral range; returns the first.
int udpRange(int n) {
    std::mt19937 rng(std::random_device{}());
    for (int attempt = 0; attempt < 200; ++attempt) {
        int base = 10000 + static_cast<int>(rng() % 9000);
        bool all = true;
        for (int p = base; p < base + n && all; ++p) all = udpFree(p);
        if (all) return base;
    }
    throw std::runtime_error("no free UDP port range for the recorder");
}

}  // namespace

room::test::TokenFactory& ContractJanus::tokens() {
    static room::test::TokenFactory f;
    return f;
}

ContractJanus& ContractJanus::get(JanusGroup group) {
    auto& g = groups()[group];
    if (!g) g.reset(new ContractJanus(group));
    return *g;
}

std::string ContractJanus::stopAll() {
    std::string problems;
    for (auto& [group, c] : groups()) {
        if (!c) continue;
        int rc = c->janus_.stop();
        // With HIPAA_JANUS_PRELOAD (the ASan build): memory errors and leaks in our code.
        for (const auto& finding : c->janus_.sanitizerFindings()) problems += finding + "\n";
        if (rc != 0) {
            std::string log = c->janus_.log();
            problems += "janus group " + std::to_string(static_cast<int>(group)) + " exited with " +
                        std::to_string(rc) + ":\n" + log.substr(log.size() > 3000 ? log.size() - 3000 : 0) + "\n";
        }
        c.reset();
    }
    return problems;
}

ContractJanus::ContractJanus(JanusGroup group) {
    if (group == JanusGroup::Handlers) db_ = std::make_unique<TestDatabase>();
    const std::string keys = janus_.configDir() + "/keys/";
    janus_.writeConfig("keys/contract-es.pub.pem", tokens().publicPem("es"), 0600);
    janus_.writeConfig("keys/contract-ed.pub.pem", tokens().publicPem("ed"), 0600);

    std::string room = readFile(janus_.configFile("janus.plugin.hipaa.room.jcfg"));
    room =
        setKey(room, "tokens", "issuers", std::string("\"janus-hipaa-dev,") + room::test::TokenFactory::kIssuer + "\"");
    room = setKey(room, "keys", "pem_files",
                  "\"dev-es256=" + keys + "dev-es256.pub.pem,es=" + keys + "contract-es.pub.pem,ed=" + keys +
                      "contract-ed.pub.pem\"");
    room +=
        "\nclass-contract-e2ee: {\n\te2ee = true\n}\n"
        "class-contract-one: {\n\tpublishers = 1\n\tauto_admit = \"interpreter\"\n}\n"
        "class-contract-noconsent: {\n\trecord_consent = false\n}\n";
    janus_.writeConfig("janus.plugin.hipaa.room.jcfg", room, 0600);

    std::string core = readFile(janus_.configFile("janus.jcfg"));
    if (group == JanusGroup::RoomRecorder) {
        core = setKey(core, "events", "disable", "\"libjanus_hipaa_fhir.so\"");
        std::string rec = readFile(janus_.configFile("janus.plugin.hipaa.recorder.jcfg"));
        int base = udpRange(40);
        rec = setKey(rec, "general", "rtp_port_min", std::to_string(base));
        rec = setKey(rec, "general", "rtp_port_max", std::to_string(base + 39));
        janus_.writeConfig("janus.plugin.hipaa.recorder.jcfg", rec, 0600);
        // A newer key version that is only a recipient's public key: recordings are wrapped for it.
        std::string tool = std::string(HIPAA_BUILD_DIR) + "/plugins/recorder/hipaa-recorder-tool";
        std::string pub =
            Shell::run(tool + " keygen 2 '" + janus_.configFile("keys/recorder-private-keyring") + "' 2>/dev/null").out;
        if (pub.rfind("2 x25519 ", 0) != 0) throw std::runtime_error("hipaa-recorder-tool keygen failed: " + pub);
        janus_.writeConfig("keys/recorder-keyring", readFile(janus_.configFile("keys/recorder-keyring")) + pub, 0600);
    } else if (group == JanusGroup::RecorderKek) {
        core = setKey(core, "events", "disable", "\"libjanus_hipaa_fhir.so\"");
        std::string rec = readFile(janus_.configFile("janus.plugin.hipaa.recorder.jcfg"));
        int base = udpRange(40);
        rec = setKey(rec, "general", "rtp_port_min", std::to_string(base));
        rec = setKey(rec, "general", "rtp_port_max", std::to_string(base + 39));
        janus_.writeConfig("janus.plugin.hipaa.recorder.jcfg", rec, 0600);
    } else if (group == JanusGroup::Handlers) {
        core = setKey(core, "plugins", "disable", "\"libjanus_hipaa_recorder.so\"");
        std::string audit = readFile(janus_.configFile("janus.eventhandler.hipaa.audit.jcfg"));
        janus_.writeConfig("janus.eventhandler.hipaa.audit.jcfg",
                           setKey(audit, "database", "conninfo", "\"" + db_->conninfo() + "\""), 0600);
        std::string fhir = readFile(janus_.configFile("janus.eventhandler.hipaa.fhir.jcfg"));
        janus_.writeConfig("janus.eventhandler.hipaa.fhir.jcfg",
                           setKey(fhir, "outbox", "conninfo", "\"" + db_->conninfo() + "\""), 0600);
        std::string clustered = readFile(janus_.configFile("janus.plugin.hipaa.room.jcfg"));
        clustered = setKey(clustered, "cluster", "conninfo", "\"" + db_->loginConninfo("janus_room_state") + "\"");
        clustered = setKey(clustered, "cluster", "instance_id", "\"contract-handlers\"");
        clustered = setKey(clustered, "cluster", "public_url", "\"" + janus_.httpUrl() + "\"");
        janus_.writeConfig("janus.plugin.hipaa.room.jcfg", clustered, 0600);
    } else {
        core = setKey(core, "events", "disable", "\"libjanus_hipaa_audit.so,libjanus_hipaa_fhir.so\"");
    }
    janus_.writeConfig("janus.jcfg", core);
    janus_.start();
    admin_ = std::make_unique<JanusClient>(janus_);
}

}  // namespace hipaa::test

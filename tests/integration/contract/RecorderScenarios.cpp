// SPDX-License-Identifier: GPL-3.0-or-later
// janus.plugin.hipaa.recorder: one real-Janus scenario per documented code (Admin API). The group's
// recorder wraps new recordings for a recipient public key (so exports answer 427) and has 40 ports.
#include <fstream>

#include "ClientTab.hpp"
#include "ContractJanus.hpp"
#include "Scenario.hpp"
#include "hipaa/Encoding.hpp"

namespace hipaa::test {
namespace {

constexpr const char* kRecorder = "janus.plugin.hipaa.recorder";

ContractJanus& A() { return ContractJanus::get(JanusGroup::RoomRecorder); }

JsonPtr call(const std::string& body) { return A().admin().messagePlugin(kRecorder, J(body).get()); }
int code(const std::string& body) { return ClientTab::errorCode(call(body).get()); }
std::string on(const std::string& request, const std::string& id, const std::string& extra = "") {
    return R"({"request":")" + request + R"(","recording":")" + id + "\"" + extra + "}";
}

std::string start(int streams = 1) {
    std::string list;
    for (int i = 0; i < streams; ++i)
        list += std::string(i ? "," : "") + R"({"kind":"audio","codec":"opus","mid":")" + std::to_string(i) + "\"}";
    JsonPtr r = call(R"({"request":"start","streams":[)" + list + "]}");
    std::string id(jsonString(r.get(), "recording").value_or(""));
    if (id.empty() && ClientTab::errorCode(r.get()) == 0) throw std::runtime_error("start: " + jsonDump(r.get()));
    return id;  // empty: refused (error in the answer)
}

// A sealed (stopped) recording without media.
std::string sealed() {
    std::string id = start();
    if (id.empty()) throw std::runtime_error("start refused");
    if (int c = code(on("stop", id))) throw std::runtime_error("stop refused: " + std::to_string(c));
    return id;
}

// The file's magic: the header no longer parses.
void flipFirstByte(const std::string& path) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    char c = 0;
    f.read(&c, 1);
    f.seekp(0);
    c = static_cast<char>(c ^ 0x20);
    f.write(&c, 1);
}

std::string deleted() {
    std::string id = sealed();
    if (int c = code(on("delete", id, R"(,"reason":"contract")")))
        throw std::runtime_error("delete refused: " + std::to_string(c));
    return id;
}

}  // namespace

void addRecorderScenarios(std::vector<Scenario>& out) {
    auto add = [&](int c, std::string what, std::function<int()> run) {
        out.push_back({kRecorder, c, std::move(what), std::move(run)});
    };
    add(420, "start while the RTP port range is used up", [] {
        std::vector<std::string> running;
        int answer = 0;
        for (int i = 0; i < 10 && answer == 0; ++i) {
            JsonPtr r = call(R"({"request":"start","streams":[)" + [] {
                std::string l;
                for (int k = 0; k < 8; ++k) l += std::string(k ? "," : "") + R"({"kind":"audio","codec":"opus"})";
                return l;
            }() + "]}");
            answer = ClientTab::errorCode(r.get());
            if (!answer) running.emplace_back(jsonString(r.get(), "recording").value_or(""));
        }
        for (const auto& id : running) code(on("stop", id));
        return answer;
    });
    add(421, "status of an unknown recording", [] { return code(on("status", std::string(32, '0'))); });
    add(422, "stop of a stopped recording", [] { return code(on("stop", sealed())); });
    add(423, "delete under legal hold", [] {
        std::string id = sealed();
        code(on("hold", id, R"(,"reason":"case 1")"));
        return code(on("delete", id, R"(,"reason":"contract")"));
    });
    add(424, "start with an unknown retention policy", [] {
        return code(R"({"request":"start","policy":"no-such-policy","streams":[{"kind":"audio","codec":"opus"}]})");
    });
    add(425, "export of a deleted recording", [] { return code(on("export", deleted())); });
    add(425, "release of a deleted recording",
        [] { return code(on("release", deleted(), R"(,"reason":"case closed")")); });
    add(425, "stop of a deleted recording", [] { return code(on("stop", deleted())); });
    add(425, "rewrap of a deleted recording", [] { return code(on("rewrap", deleted())); });
    add(426, "export while recording", [] {
        std::string id = start();
        int c = code(on("export", id));
        code(on("stop", id));
        return c;
    });
    add(427, "export of a recording wrapped for a recipient public key", [] { return code(on("export", sealed())); });
    add(428, "export of a recording whose header was tampered with", [] {
        std::string id = sealed();
        flipFirstByte(A().recordingFile(id + "-0.jrec"));
        return code(on("export", id));
    });
    add(428, "rewrap of a recording whose header was tampered with", [] {
        std::string id = sealed();
        flipFirstByte(A().recordingFile(id + "-0.jrec"));
        return code(on("rewrap", id));
    });
    add(429, "release of a recording not on hold",
        [] { return code(on("release", sealed(), R"(,"reason":"case closed")")); });
    // patient_copy (development: the admin secret names the patient). Checked before anything is
    // decrypted, so the group's recipient-key recorder does not answer 427 first.
    static const std::string kPatient = "ps1_" + std::string(32, 'c');
    static const std::string kRecipient = R"(,"recipient":{"x25519":")" + base64Encode(Bytes(32, 9)) + R"("}})";
    add(440, "patient_copy of a recording whose codec janus-pp-rec cannot convert", [] {
        JsonPtr r = call(R"({"request":"start","patients":[")" + kPatient +
                         R"("],"streams":[{"kind":"audio","codec":"g722"}]})");
        std::string id(jsonString(r.get(), "recording").value_or(""));
        if (id.empty()) throw std::runtime_error("start: " + jsonDump(r.get()));
        if (int c = code(on("stop", id))) throw std::runtime_error("stop refused: " + std::to_string(c));
        return code(R"({"request":"patient_copy","patient":")" + kPatient + "\"" + kRecipient);
    });
    add(441, "patient_copy for a patient without sealed recordings",
        [] { return code(R"({"request":"patient_copy","patient":"ps1_)" + std::string(32, 'd') + "\"" + kRecipient); });
}

}  // namespace hipaa::test

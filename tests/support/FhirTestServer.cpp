// SPDX-License-Identifier: GPL-3.0-or-later
#include "FhirTestServer.hpp"

#include "FreePort.hpp"
#include "Shell.hpp"
#include "hipaa/Encoding.hpp"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <thread>

namespace hipaa::fhir::test {
namespace {

std::string script() { return std::string("bash ") + HIPAA_SOURCE_DIR + "/scripts/fhir-server.sh "; }

}  // namespace

std::string urlEncode(const std::string& v) { return hipaa::percentEncode(v); }

FhirTestServer::FhirTestServer() {
    int port = hipaa::test::freeLoopbackPort();
    baseUrl_ = hipaa::test::Shell::output(script() + "start " + dir_.path() + " " + std::to_string(port) + " 2>&1");
    origin_ = "https://127.0.0.1:" + std::to_string(port);
    token_ = hipaa::test::readFile(dir_.file("bearer-token"));
    while (!token_.empty() && token_.back() == '\n') token_.pop_back();
}

FhirTestServer::~FhirTestServer() {
    std::string cmd = script() + "stop " + dir_.path() + " >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "fhir-server stop failed\n");
}

void FhirTestServer::outage() {
    hipaa::test::Shell::output(script() + "outage " + dir_.path());
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
}

void FhirTestServer::restore() {
    hipaa::test::Shell::output(script() + "restore " + dir_.path());
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
}

std::string FhirTestServer::handlerConfig(const std::string& outboxConninfo, const std::string& outboxKeyFile,
                                          const std::string& identifierSystem, const std::string& ca) const {
    auto quoted = [](const char* key, const std::string& value) {
        return std::string("  ") + key + " = \"" + value + "\"\n";
    };
    return "general: {\n" + quoted("base_url", baseUrl_) + quoted("ca_file", file(ca)) +
           "  connect_timeout_ms = 1000\n  timeout_ms = 2000\n  auth = \"smart\"\n" +
           quoted("smart_token_url", tokenUrl()) + quoted("smart_client_id", "janus-hipaa-test") +
           quoted("smart_key_file", file("client-es384.key")) + quoted("smart_alg", "ES384") +
           quoted("smart_kid", "es384-1") + quoted("identifier_system", identifierSystem) +
           quoted("instance_id", "janus-consult") + "  development = true\n}\noutbox: {\n" +
           quoted("conninfo", outboxConninfo) + quoted("key_file", outboxKeyFile) +
           "  poll_interval_ms = 100\n  backoff_initial_ms = 500\n  backoff_max_ms = 4000\n"
           "  max_attempts = 1000\n  lease_seconds = 5\n}\n";
}

HttpResponse FhirTestServer::get(const std::string& path) {
    HttpRequest r;
    r.url = path.rfind("https://", 0) == 0 ? path : baseUrl_ + "/" + path;
    r.caBundle = dir_.file("ca.pem");
    r.headers = {"Authorization: Bearer " + token_, "Accept: application/fhir+json"};
    r.maxResponseBytes = size_t{1} << 30;  // searches over everything a test wrote
    return curl_.perform(r);
}

HttpResponse FhirTestServer::put(const std::string& path, const std::string& body) {
    HttpRequest r;
    r.method = "PUT";
    r.url = baseUrl_ + "/" + path;
    r.caBundle = dir_.file("ca.pem");
    r.headers = {"Authorization: Bearer " + token_, "Content-Type: application/fhir+json"};
    r.body = body;
    return curl_.perform(r);
}

JsonPtr FhirTestServer::getJson(const std::string& path) {
    HttpResponse r = get(path);
    if (r.status != 200) throw std::runtime_error("GET " + path + ": HTTP " + std::to_string(r.status) + " " + r.body);
    return jsonParse(r.body);
}

size_t FhirTestServer::count(const std::string& search) {
    JsonPtr b = getJson(search);
    return json_array_size(json_object_get(b.get(), "entry"));
}

JsonPtr FhirTestServer::stats() { return jsonParse(get(origin_ + "/_stats").body); }

}  // namespace hipaa::fhir::test

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

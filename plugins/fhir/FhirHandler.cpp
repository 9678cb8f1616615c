#include "FhirHandler.hpp"

#include "hipaa/Errors.hpp"
#include "hipaa/JcfgParser.hpp"
#include "hipaa/SecretFile.hpp"

#include <openssl/crypto.h>
#include <unistd.h>

namespace hipaa::fhir {

FhirHandler::FhirHandler(Config config, Logger log) : config_(std::move(config)), log_(std::move(log)) {
    baseUrl_ = config_.string("general.base_url");
    if (baseUrl_.rfind("https://", 0) != 0) throw ConfigError("general.base_url: must start with https://");
    std::string ca = config_.string("general.ca_file", "");
    if (!ca.empty() && ::access(ca.c_str(), R_OK) != 0) throw ConfigError("general.ca_file: cannot read " + ca);
    auth_ = config_.string("general.auth", "bearer");
    if (auth_ == "bearer") {
        std::string tokenFile = config_.secretPath("general.bearer_token_file");
        Bytes token = readSecretFile(tokenFile);  // refuses files others can read
        bool empty = token.empty();
        OPENSSL_cleanse(token.data(), token.size());
        if (empty) throw ConfigError("general.bearer_token_file: " + tokenFile + " is empty");
    } else if (auth_ != "none") {
        throw ConfigError("general.auth: must be \"bearer\" or \"none\"");
    }
    config_.finish();
}

std::unique_ptr<EventHandlerCore> FhirHandler::create(const std::string& configFile, Logger log) {
    Config config(JcfgParser::parseFile(configFile), configFile);
    if (!config.boolean("general.enabled", true)) return nullptr;
    return std::make_unique<FhirHandler>(std::move(config), std::move(log));
}

void FhirHandler::incomingEvent(json_t*) {}

JsonPtr FhirHandler::handleRequest(const json_t* request) {
    if (!json_is_object(request)) throw RequestError(errc::kInvalidJson, "request must be a JSON object");
    std::string_view what = jsonRequireString(request, "request");
    if (what != "info") throw RequestError(errc::kUnknownRequest, "unknown request");
    JsonPtr info = infoResponse(kFhirInfo, config_.effective());
    jsonSet(info.get(), "export", "not implemented in this version: nothing is sent");
    return info;
}

}  // namespace hipaa::fhir

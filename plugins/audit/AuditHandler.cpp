#include "AuditHandler.hpp"

#include "hipaa/Errors.hpp"
#include "hipaa/JcfgParser.hpp"

#include <bit>

namespace hipaa::audit {
namespace {

Config loadConfig(const std::string& file) { return Config(JcfgParser::parseFile(file), file); }

}  // namespace

AuditHandler::AuditHandler(Config config, Logger log)
    : config_(std::move(config)),
      log_(std::move(log)),
      queue_(static_cast<size_t>(config_.integer("general.queue_capacity", 65536, 1024, 16 * 1024 * 1024))) {
    config_.finish();
    worker_ = std::thread([this] { run(); });
}

AuditHandler::~AuditHandler() {
    queue_.close();
    if (worker_.joinable()) worker_.join();
}

std::unique_ptr<EventHandlerCore> AuditHandler::create(const std::string& configFile, Logger log) {
    Config config = loadConfig(configFile);
    if (!config.boolean("general.enabled", true)) return nullptr;
    return std::make_unique<AuditHandler>(std::move(config), std::move(log));
}

void AuditHandler::incomingEvent(json_t* event) {
    received_.fetch_add(1, std::memory_order_relaxed);
    if (!queue_.push(jsonRetain(event))) refused_.fetch_add(1, std::memory_order_relaxed);
}

void AuditHandler::run() {
    std::vector<JsonPtr> batch;
    batch.reserve(256);
    while (queue_.popBatch(batch, 256, std::chrono::milliseconds(200)) || !batch.empty()) {
        for (auto& e : batch) {
            auto type = jsonInt(e.get(), "type").value_or(0);
            if (type > 0 && std::has_single_bit(static_cast<uint64_t>(type))) {
                auto bit = static_cast<size_t>(std::countr_zero(static_cast<uint64_t>(type)));
                if (bit < byType_.size()) byType_[bit].fetch_add(1, std::memory_order_relaxed);
            }
        }
        processed_.fetch_add(batch.size(), std::memory_order_relaxed);
        batch.clear();
    }
}

JsonPtr AuditHandler::handleRequest(const json_t* request) {
    if (!json_is_object(request)) throw RequestError(errc::kInvalidJson, "request must be a JSON object");
    std::string_view what = jsonRequireString(request, "request");
    if (what != "info") throw RequestError(errc::kUnknownRequest, "unknown request");
    JsonPtr info = infoResponse(kAuditInfo, config_.effective());
    JsonPtr events = jsonObject();
    jsonSet(events.get(), "received", received_.load());
    jsonSet(events.get(), "processed", processed_.load());
    jsonSet(events.get(), "refused_queue_full", refused_.load());
    jsonSet(events.get(), "queued", static_cast<uint64_t>(queue_.size()));
    JsonPtr byType = jsonObject();
    for (size_t bit = 0; bit < byType_.size(); ++bit)
        if (uint64_t n = byType_[bit].load()) jsonSet(byType.get(), std::to_string(1u << bit).c_str(), n);
    jsonSet(events.get(), "by_type", std::move(byType));
    jsonSet(info.get(), "events", std::move(events));
    jsonSet(info.get(), "storage", "none (audit trail storage not implemented in this version)");
    return info;
}

}  // namespace hipaa::audit

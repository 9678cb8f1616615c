// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// An AdminApi that reads the secret file and opens the client on its first call, so a command whose
// arguments are wrong reports that (exit 2) before the secret file is even read.
#include "AdminApi.hpp"

#include <functional>
#include <memory>
#include <string>

namespace hipaa::cli {

class LazyAdminApi final : public AdminApi {
public:
    using Factory = std::function<std::unique_ptr<AdminApi>()>;
    explicit LazyAdminApi(Factory factory) : factory_(std::move(factory)) {}

    JsonPtr plugin(std::string_view plugin, const json_t* request) override { return api().plugin(plugin, request); }
    JsonPtr handler(std::string_view handler, const json_t* request) override {
        return api().handler(handler, request);
    }

private:
    AdminApi& api() {
        if (!api_) api_ = factory_();
        return *api_;
    }

    Factory factory_;
    std::unique_ptr<AdminApi> api_;
};

}  // namespace hipaa::cli

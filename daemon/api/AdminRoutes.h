#pragma once
// Routes for store IT (lojalctl): GET /v1/status and /v1/alerts (admin,
// monitor), the outbox's dead letters (/v1/admin/queue...) and the tokens
// file's reload (admin). Every change is logged with the calling token's name.

#include <chrono>
#include <functional>

#include "alerts/AlertService.h"
#include "api/Router.h"
#include "config/Config.h"
#include "devices/DeviceManager.h"
#include "members/MemberService.h"
#include "store/Database.h"

namespace lojal {

struct AdminRoutesContext {
    const Config& config;
    Database& database;
    AlertService& alerts;
    MemberService& members;
    DeviceManager& devices;
    std::chrono::steady_clock::time_point startedAt;
    std::function<bool()> crmPaused;
    // Reloads the tokens file: the number of tokens now, or why not (the old
    // set stays).
    std::function<Result<size_t>()> reloadTokens;
    // Wakes the drainer of a topic after its dead letters were requeued.
    std::function<void(const std::string& topic)> wake;
};

void addAdminRoutes(Router& router, AdminRoutesContext& context);

}  // namespace lojal

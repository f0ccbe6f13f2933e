#pragma once
// Who is this customer? GET /v1/members/lookup asks the CRM first, with a short
// timeout because a cashier is waiting, and the member cache when the CRM does
// not answer in time; the answer says which of the two spoke and how old the
// cache is. Also the down-sync (members, erasures, offers) and erasure requests.

#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <variant>

#include "CrmConnector.h"
#include "config/Config.h"
#include "members/CrmHealth.h"
#include "members/MemberCache.h"
#include "metrics/Metrics.h"
#include "signup/RequestFields.h"

namespace lojal {

class MemberService {
  public:
    // connector may be null (crm.sync off): then only the cache answers.
    MemberService(const Config& config, MemberCache& cache,
                  std::shared_ptr<crm::CrmConnector> connector);

    // Exactly one of phone, card, token (a member QR token) in query.
    std::variant<Poco::JSON::Object, Refusal> lookup(
        const std::map<std::string, std::string>& query);
    // POST /v1/members/{id}/erase: phone (optional) reaches a number the cache never saw.
    // Called after an erasure was queued for the CRM (wakes its sync).
    void onErasureQueued(std::function<void()> wake) { erasureQueued_ = std::move(wake); }
    // POST /v1/members/erase: everything about a phone number (indexed).
    std::variant<Poco::JSON::Object, Refusal> eraseByPhone(const std::string& phone);
    std::variant<Poco::JSON::Object, Refusal> erase(const std::string& memberId,
                                                    const std::string& phone);
    Poco::JSON::Object offers();

    // One down-sync round: member pages until the CRM has no more, then offers.
    void syncOnce();
    // While the CRM is known to be down: ask it once, when the probe is due.
    void probeOnce();
    CrmHealth::State crmState() const;
    // Unix ms since when lookups have failed, while the CRM is known down.
    std::optional<int64_t> crmDownSinceMs() const;
    std::vector<Gauge> gauges();

  private:
    std::variant<crm::MemberQuery, Refusal> parseQuery(
        const std::map<std::string, std::string>& query) const;
    std::vector<crm::Offer> offersOf(const crm::Member& member);
    Poco::JSON::Object answer(const crm::Member& member, const std::string& source,
                              int64_t syncedAt);

    const Config& config_;
    MemberCache& cache_;
    std::shared_ptr<crm::CrmConnector> connector_;
    Poco::Logger& log_;
    std::mutex syncMutex_;
    std::string lastSyncProblem_;  // logged once per change
    std::atomic<uint64_t> answeredByCrm_{0};
    std::atomic<uint64_t> answeredByCache_{0};
    std::atomic<uint64_t> erased_{0};
    std::atomic<int64_t> lastSyncOkMs_{0};
    std::function<void()> erasureQueued_;
    std::unique_ptr<CrmHealth> health_;    // null when [crm] health_probe_seconds = 0
    std::atomic<uint64_t> skippedCrm_{0};  // lookups answered at once: the CRM was down
};

}  // namespace lojal

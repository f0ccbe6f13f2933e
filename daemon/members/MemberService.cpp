#include "members/MemberService.h"

#include <Poco/JSON/Array.h>

#include <algorithm>

#include "barcode/MemberToken.h"
#include "core/Time.h"
#include "members/ErasureSync.h"
#include "signup/Phone.h"

namespace lojal {
namespace {

bool isTokenCharacter(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           std::string_view("._:=+/-").find(c) != std::string_view::npos;
}

bool isPlainId(const std::string& text, size_t maxLength) {
    return !text.empty() && text.size() <= maxLength &&
           std::all_of(text.begin(), text.end(), isTokenCharacter);
}

Poco::JSON::Array offersJson(const std::vector<crm::Offer>& offers) {
    Poco::JSON::Array array;
    for (const crm::Offer& offer : offers) {
        Poco::JSON::Object item;
        item.set("offer_id", offer.offerId);
        item.set("title", offer.title);
        item.set("valid_from", offer.validFrom);
        item.set("valid_to", offer.validTo);
        if (!offer.tier.empty()) item.set("tier", offer.tier);
        array.add(item);
    }
    return array;
}

}  // namespace

MemberService::MemberService(const Config& config, MemberCache& cache,
                             std::shared_ptr<crm::CrmConnector> connector)
    : config_(config),
      cache_(cache),
      connector_(std::move(connector)),
      log_(Poco::Logger::get("lojal.members")) {
    if (config.crm.healthProbeSeconds > 0) {
        CrmHealth::Options options;
        options.probeEvery = std::chrono::seconds(config.crm.healthProbeSeconds);
        options.probeMax = std::max(options.probeEvery, std::chrono::milliseconds(60000));
        health_ = std::make_unique<CrmHealth>(options);
    }
}

std::variant<crm::MemberQuery, Refusal> MemberService::parseQuery(
    const std::map<std::string, std::string>& query) const {
    const int given =
        static_cast<int>(query.count("phone") + query.count("card") + query.count("token"));
    if (given != 1) {
        return Refusal{400, "invalid_query", "give exactly one of phone, card or token"};
    }
    if (const auto phone = query.find("phone"); phone != query.end()) {
        auto e164 = normalizePhone(phone->second, config_.store.country);
        if (!e164) return refusalFromCodedError(e164.error());
        return crm::MemberQuery{crm::MemberQuery::Kind::phone, *e164};
    }
    if (const auto card = query.find("card"); card != query.end()) {
        if (!isPlainId(card->second, 128)) {
            return Refusal{400, "invalid_field",
                           "card: 1 to 128 of A-Z a-z 0-9 . _ : = + / - (a token, never a card "
                           "number)"};
        }
        return crm::MemberQuery{crm::MemberQuery::Kind::cardToken, card->second};
    }
    const std::string& token = query.at("token");
    if (config_.scanning.memberQrKey.empty()) {
        return Refusal{503, "member_qr_not_configured",
                       "member QR tokens need [scanning] member_qr_key"};
    }
    auto verified =
        barcode::verifyMemberToken(token, config_.scanning.memberQrKey, unixMillisNow() / 1000);
    if (!verified) return Refusal{400, "invalid_token", verified.error().message};
    return crm::MemberQuery{crm::MemberQuery::Kind::memberId, verified->memberId};
}

// What the member may use now: the tier's offers and their own (Voyado's
// promotions and vouchers), without the expired ones.
std::vector<crm::Offer> MemberService::offersOf(const crm::Member& member) {
    std::vector<crm::Offer> offers = cache_.offersFor(member.tier);
    const std::string now = isoUtcFromMillis(unixMillisNow());
    for (const crm::Offer& own : member.ownOffers) {
        if (own.validTo.empty() || own.validTo > now) offers.push_back(own);
    }
    return offers;
}

Poco::JSON::Object MemberService::answer(const crm::Member& member, const std::string& source,
                                         int64_t syncedAt) {
    Poco::JSON::Object body;
    Poco::JSON::Object found;
    found.set("member_id", member.memberId);
    found.set("tier", member.tier);
    found.set("points", member.points);
    body.set("member", found);
    body.set("source", source);
    if (source == "cache")
        body.set("cache_age_seconds", std::max<int64_t>(0, (unixMillisNow() - syncedAt) / 1000));
    body.set("offers", offersJson(offersOf(member)));
    return body;
}

std::variant<Poco::JSON::Object, Refusal> MemberService::lookup(
    const std::map<std::string, std::string>& query) {
    auto parsed = parseQuery(query);
    if (auto* refusal = std::get_if<Refusal>(&parsed)) return *refusal;
    const auto& memberQuery = std::get<crm::MemberQuery>(parsed);
    std::string crmProblem = "CRM sync is off";
    if (connector_ && health_ && !health_->worthAsking()) {
        ++skippedCrm_;  // known down: the cache answers now, the probe watches the CRM
        crmProblem = "the CRM is down";
    } else if (connector_) {
        const auto outcome = connector_->lookupMember(memberQuery, config_.members.lookupTimeoutMs);
        if (health_) {
            if (outcome.kind == crm::LookupOutcome::Kind::unavailable)
                health_->failed(CrmHealth::Clock::now());
            else
                health_->answered();
        }
        if (outcome.kind == crm::LookupOutcome::Kind::found) {
            ++answeredByCrm_;
            const int64_t now = unixMillisNow();
            (void)cache_.store({outcome.member}, now);  // a failed write costs only freshness
            crm::Member member = outcome.member;
            if (!member.ownOffersKnown) {  // not asked in time: the ones last seen
                const crm::MemberQuery byId{crm::MemberQuery::Kind::memberId, member.memberId};
                if (auto cached = cache_.find(byId)) member.ownOffers = cached->member.ownOffers;
            }
            return answer(member, "crm", now);
        }
        if (outcome.kind == crm::LookupOutcome::Kind::notFound) {
            ++answeredByCrm_;
            return Refusal{404, "member_not_found", "the CRM knows no such member"};
        }
        crmProblem = outcome.reason;
    }
    if (auto cached = cache_.find(memberQuery)) {
        ++answeredByCache_;
        return answer(cached->member, "cache", cached->syncedAt);
    }
    return Refusal{404, "member_not_found",
                   "not in the member cache, and the CRM did not answer (" + crmProblem + ")"};
}

void MemberService::probeOnce() {
    const auto now = CrmHealth::Clock::now();
    if (!connector_ || !health_ || !health_->probeDue(now)) return;
    health_->probing(now);
    // A member id no CRM has: any answer, found or not, means it is back.
    const auto outcome = connector_->lookupMember(
        {crm::MemberQuery::Kind::memberId, "lojal-health-probe"}, config_.members.lookupTimeoutMs);
    if (outcome.kind == crm::LookupOutcome::Kind::unavailable) {
        health_->failed(CrmHealth::Clock::now());
    } else {
        health_->answered();
        log_.notice("the CRM answers again: lookups ask it first again");
    }
}

std::optional<int64_t> MemberService::crmDownSinceMs() const {
    const auto since = health_ ? health_->downSince() : std::nullopt;
    if (!since) return std::nullopt;
    const auto ago =
        std::chrono::duration_cast<std::chrono::milliseconds>(CrmHealth::Clock::now() - *since);
    return unixMillisNow() - ago.count();
}

CrmHealth::State MemberService::crmState() const {
    return health_ ? health_->state() : CrmHealth::State::up;
}

std::variant<Poco::JSON::Object, Refusal> MemberService::erase(const std::string& memberId,
                                                               const std::string& phone) {
    if (!isPlainId(memberId, 64)) {
        return Refusal{400, "invalid_field", "member id: 1 to 64 of A-Z a-z 0-9 . _ : = + / -"};
    }
    std::string e164;
    if (!phone.empty()) {
        auto normalized = normalizePhone(phone, config_.store.country);
        if (!normalized) return refusalFromCodedError(normalized.error());
        e164 = *normalized;
    }
    // With a CRM, the erasure goes there too, queued in the same transaction.
    const int64_t now = unixMillisNow();
    const auto erasure = newErasure(config_.store.id, memberId, e164, now);
    MemberCache::Extra toCrm;
    if (connector_) toCrm = [&](Transaction& tx) { return queueErasure(tx, erasure, now); };
    auto counts = cache_.erase(memberId, e164, toCrm);
    if (!counts) return storageRefusal(counts.error(), "the erasure");
    if (connector_ && erasureQueued_) erasureQueued_();
    ++erased_;
    log_.notice("member %s erased: %d cached, %d receipt(s) stripped, %d personal row(s)", memberId,
                counts->members, counts->receipts, counts->personalRows);
    Poco::JSON::Object body;
    body.set("member_id", memberId);
    body.set("cached_members", counts->members);
    body.set("receipts_stripped", counts->receipts);
    body.set("personal_rows", counts->personalRows);
    return body;
}

std::variant<Poco::JSON::Object, Refusal> MemberService::eraseByPhone(const std::string& phone) {
    auto normalized = normalizePhone(phone, config_.store.country);
    if (!normalized) return refusalFromCodedError(normalized.error());
    std::vector<std::string> memberIds;
    const int64_t now = unixMillisNow();
    MemberCache::Extra toCrm;
    if (connector_) {
        toCrm = [&](Transaction& tx) {
            // The member ids are known only inside the transaction that found them.
            const std::string memberId = memberIds.size() == 1 ? memberIds.front() : "";
            return queueErasure(tx, newErasure(config_.store.id, memberId, *normalized, now), now);
        };
    }
    auto counts = cache_.eraseByPhone(*normalized, memberIds, toCrm);
    if (!counts) return storageRefusal(counts.error(), "the erasure");
    if (connector_ && erasureQueued_) erasureQueued_();
    ++erased_;
    // The number itself is not logged: only how much went.
    log_.notice(
        "a phone number erased: %d cached member(s), %d receipt(s) stripped, %d personal "
        "row(s)",
        counts->members, counts->receipts, counts->personalRows);
    Poco::JSON::Object body;
    Poco::JSON::Array ids;
    for (const std::string& id : memberIds) ids.add(id);
    body.set("member_ids", ids);
    body.set("cached_members", counts->members);
    body.set("receipts_stripped", counts->receipts);
    body.set("personal_rows", counts->personalRows);
    return body;
}

Poco::JSON::Object MemberService::offers() {
    Poco::JSON::Object body;
    body.set("offers", offersJson(cache_.offersFor("")));
    return body;
}

void MemberService::syncOnce() {
    if (!connector_) return;
    std::lock_guard lock(syncMutex_);
    const auto problem = [this](const std::string& reason) {
        if (reason != lastSyncProblem_) log_.warning("member down-sync: %s", reason);
        lastSyncProblem_ = reason;
    };
    std::string cursor = cache_.cursor("members");
    for (int page = 0; page < 10000; ++page) {
        const crm::MemberChanges changes = connector_->memberChanges(cursor);
        if (!changes.ok) return problem(changes.reason);
        // Erasures first: the cursor moves on only once they are done.
        for (const std::string& id : changes.erasedIds) {
            if (!isPlainId(id, 64)) continue;
            if (auto erased = cache_.erase(id); !erased) return problem(erased.error().message);
            ++erased_;
        }
        const int64_t now = unixMillisNow();
        if (auto stored = cache_.store(changes.changed, now, "members", changes.nextCursor);
            !stored) {
            return problem(stored.error().message);
        }
        cursor = changes.nextCursor;
        if (!changes.more) break;
    }
    const crm::OffersOutcome offers = connector_->activeOffers();
    if (!offers.ok) return problem(offers.reason);
    if (auto stored = cache_.replaceOffers(offers.offers, unixMillisNow()); !stored)
        return problem(stored.error().message);
    if (!lastSyncProblem_.empty()) log_.notice("member down-sync works again");
    lastSyncProblem_.clear();
    lastSyncOkMs_ = unixMillisNow();
}

std::vector<Gauge> MemberService::gauges() {
    std::vector<Gauge> gauges;
    gauges.emplace_back("lojal_members_cached", "Members in the local cache.",
                        static_cast<double>(cache_.memberCount()));
    const int64_t lastOk = lastSyncOkMs_.load();
    gauges.emplace_back("lojal_member_sync_age_seconds",
                        "Seconds since the last complete member down-sync (-1: none yet).",
                        lastOk ? (unixMillisNow() - lastOk) / 1000.0 : -1.0);
    gauges.emplace_back("lojal_member_lookups_total", "Member lookups answered, by source.",
                        static_cast<double>(answeredByCrm_.load()), "source=\"crm\"", "counter");
    gauges.emplace_back("lojal_member_lookups_total", "Member lookups answered, by source.",
                        static_cast<double>(answeredByCache_.load()), "source=\"cache\"",
                        "counter");
    gauges.emplace_back("lojal_members_erased_total", "Members erased (CRM deletions, requests).",
                        static_cast<double>(erased_.load()), "", "counter");
    gauges.emplace_back("lojal_member_lookups_crm_skipped_total",
                        "Lookups the cache answered at once because the CRM was down.",
                        static_cast<double>(skippedCrm_.load()), "", "counter");
    const auto state = crmState();
    for (const auto candidate :
         {CrmHealth::State::up, CrmHealth::State::degraded, CrmHealth::State::down}) {
        gauges.emplace_back("lojal_crm_health", "1 for the CRM's state as lookups see it.",
                            candidate == state ? 1.0 : 0.0,
                            promLabel("state", CrmHealth::toString(candidate)));
    }
    return gauges;
}

}  // namespace lojal

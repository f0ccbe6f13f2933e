#include "voyado/VoyadoConnector.h"

#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>
#include <Poco/URI.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <iterator>

#include "RequestPacer.h"
#include "VerifiedHttp.h"
#include "core/Time.h"
#include "core/Version.h"
#include "voyado/VoyadoMapping.h"

namespace lojal::crm {
namespace {

// Voyado counts requests per API key, not per store ("API rate limit": keep
// under 50 a second; 429 above the hard limit), and a chain often gives all its
// stores one key. At the background sync's default share, 0.8/s with a burst of
// one, no daemon sends two requests within a second, so 50 stores on one key
// stay at or under 50/s. Lookups have their own small budget so a cashier never
// queues behind a backlog.
constexpr double kDefaultRequestsPerSecond = 0.8;
constexpr double kLookupRequestsPerSecond = 10;
// One lookup at once: id, contact, then point account, promotions and vouchers.
constexpr int kLookupBurst = 5;
// After a 429, wait 10 s, then 30, 60 and 300 s while Voyado keeps refusing,
// instead of the sync's own backoff from 1 s.
constexpr int kTooManyRequestsSpacing[] = {10, 30, 60, 300};

bool isSuccess(int status) {
    return status >= 200 && status < 300;
}

// A 4xx about this receipt only: Voyado will never take it as it is.
bool isPermanent(int status) {
    return status >= 400 && status < 500 && status != 401 && status != 403 && status != 408 &&
           status != 429;
}

class VoyadoConnector : public CrmConnector {
  public:
    explicit VoyadoConnector(ConnectorSettings settings)
        : settings_(std::move(settings)),
          sessions_(plugins::TlsSettings{settings_.caFile, settings_.clientCertFile,
                                         settings_.clientKeyFile}),
          pacer_(settings_.maxRequestsPerSecond > 0 ? settings_.maxRequestsPerSecond
                                                    : kDefaultRequestsPerSecond),
          lookupPacer_(kLookupRequestsPerSecond, kLookupBurst) {}

    // Voyado takes one receipt per request. It ignores a uniqueReceiptId it
    // already has ("Introduction to receipts"), so a resend is harmless; a 409
    // for a known id means the same and counts as delivered, never a dead letter.
    BatchOutcome sendReceipts(const std::vector<OutgoingReceipt>& receipts) override {
        BatchOutcome outcome{BatchOutcome::Kind::answered, {}, "", 0};
        for (const OutgoingReceipt& receipt : receipts) {
            const voyado::MappedReceipt mapped = voyado::mapReceipt(
                receipt.json, settings_.storeId, settings_.exchangeRateToGroupCurrency);
            if (mapped.body.empty()) {
                outcome.results[receipt.receiptId] = {ReceiptResult::Outcome::skipped,
                                                      mapped.skipReason};
                continue;
            }
            pacer_.acquire();
            std::string why;
            const auto answer = exchange("POST", Poco::URI(settings_.url + "/api/v2/receipts"),
                                         mapped.body, settings_.timeoutMs, why);
            if (!record(outcome, receipt.receiptId, answer, why, true)) break;
        }
        return outcome;
    }

    // A sign-up is a new contact, or new consents for a returning customer: the
    // contact is looked up by mobile phone first ("Create contact": always check
    // whether it exists) and then created or updated ("Update contact": POST
    // /api/v2/contacts/{id}, PATCH in v3). A create answered 409 (it appeared
    // meanwhile, another store) or 200 with an existing contact's id ("returns the
    // GUID of the first entry found") is followed by the update, so the new
    // consent always reaches Voyado.
    BatchOutcome sendSignups(const std::vector<OutgoingSignup>& signups) override {
        BatchOutcome outcome{BatchOutcome::Kind::answered, {}, "", 0};
        for (const OutgoingSignup& signup : signups) {
            IdLookup found = contactIdByPhone(signup.phone, settings_.timeoutMs, pacer_);
            std::optional<plugins::HttpAnswer> answer;
            std::string why;
            if (found.kind == IdLookup::Kind::notFound) {
                answer = createContact(signup, why);
                if (answer && answer->status == 409) {
                    found = contactIdByPhone(signup.phone, settings_.timeoutMs, pacer_);
                } else if (answer && answer->status == 200) {
                    if (const auto id = voyado::parseContactId(answer->body))
                        found = {IdLookup::Kind::found, *id, ""};
                }
            }
            if (found.kind == IdLookup::Kind::ambiguous) {
                outcome.results[signup.key] = {ReceiptResult::Outcome::rejected, found.reason};
                continue;
            }
            if (found.kind == IdLookup::Kind::unavailable) {
                answer.reset();
                if (found.status == 429) answer = plugins::HttpAnswer{429, "", ""};  // spaced
                why = found.reason;
            } else if (found.kind == IdLookup::Kind::found) {
                pacer_.acquire();
                const bool v3 = settings_.apiVersion == 3;
                answer = exchange(v3 ? "PATCH" : "POST", contactUri(found.id),
                                  voyado::mapConsentUpdate(signup, settings_.consentIds),
                                  settings_.timeoutMs, why, {{"source", "Lojal"}});
            }
            if (!record(outcome, signup.key, answer, why, false)) break;
        }
        return outcome;
    }

    // DELETE /api/v2/contacts/{contactId} (Voyado's OpenAPI: contactsVDeleteWithHeaderParam,
    // with the optional `source` header). Without a member id the contact is first
    // found by mobile phone; a contact Voyado does not have (404, or no match) is
    // already erased there.
    BatchOutcome sendErasures(const std::vector<OutgoingErasure>& erasures) override {
        BatchOutcome outcome{BatchOutcome::Kind::answered, {}, "", 0};
        for (const OutgoingErasure& erasure : erasures) {
            std::string contactId = erasure.memberId;
            if (contactId.empty()) {
                const IdLookup found = contactIdByPhone(erasure.phone, settings_.timeoutMs, pacer_);
                if (found.kind == IdLookup::Kind::notFound) {
                    outcome.results[erasure.key] = {ReceiptResult::Outcome::accepted, ""};
                    continue;
                }
                if (found.kind == IdLookup::Kind::ambiguous) {
                    outcome.results[erasure.key] = {ReceiptResult::Outcome::rejected, found.reason};
                    continue;
                }
                if (found.kind == IdLookup::Kind::unavailable) {
                    const int wait = found.status == 429 ? tooManySpacing() : 0;
                    if (outcome.results.empty())
                        return {BatchOutcome::Kind::transient, {}, found.reason, wait};
                    outcome.reason = found.reason;
                    outcome.retryAfterSeconds = wait;
                    break;
                }
                contactId = found.id;
            }
            pacer_.acquire();
            std::string why;
            auto answer = exchange("DELETE", contactUri(contactId), "", settings_.timeoutMs, why,
                                   {{"source", "lojald"}});
            if (answer && answer->status == 404) answer->status = 204;  // nothing left there
            if (!record(outcome, erasure.key, answer, why, false)) break;
        }
        return outcome;
    }

    // The cashier's wait (timeoutMs) covers every request of the lookup.
    LookupOutcome lookupMember(const MemberQuery& query, int timeoutMs) override {
        const auto deadline =
            std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
        std::string contactId = query.value;
        if (query.kind == MemberQuery::Kind::cardToken) {
            return {LookupOutcome::Kind::unavailable, {}, "Voyado has no lookup by card token"};
        }
        if (query.kind == MemberQuery::Kind::phone) {
            const IdLookup found = contactIdByPhone(query.value, timeoutMs, lookupPacer_);
            if (found.kind == IdLookup::Kind::notFound)
                return {LookupOutcome::Kind::notFound, {}, ""};
            if (found.kind != IdLookup::Kind::found)
                return {LookupOutcome::Kind::unavailable, {}, found.reason};
            contactId = found.id;
        }
        LookupOutcome outcome = fetchContact(contactId, remaining(deadline));
        if (outcome.kind != LookupOutcome::Kind::found) return outcome;
        // The balance lives in the point account, not on the contact
        // (`pointAccountPointAccountGet2`); the member's own offers are their
        // promotions and vouchers (Voyado has no tier-wide list). Asked side by
        // side within what is left of the cashier's wait; what does not answer in
        // time keeps its cached value.
        const int left = remaining(deadline);
        if (left < 10) return outcome;
        auto balance =
            std::async(std::launch::async, [&] { return pointBalance(contactId, left); });
        auto promotions = std::async(std::launch::async, [&] {
            return fetchOffers(contactId, "/promotions?redemptionChannelType=POS", left,
                               voyado::parsePromotions);
        });
        auto vouchers = std::async(std::launch::async, [&] {
            return fetchOffers(contactId, "/bonuschecks/available", left, voyado::parseVouchers);
        });
        if (auto points = balance.get()) outcome.member.points = *points;
        auto offers = promotions.get();
        auto checks = vouchers.get();
        if (offers && checks) {
            offers->insert(offers->end(), checks->begin(), checks->end());
            outcome.member.ownOffers = std::move(*offers);
            outcome.member.ownOffersKnown = true;
        }
        return outcome;
    }

    // Voyado's change feed lists ids only; the deleted ones are what the store
    // must forget (GDPR). Members reach the cache through lookups.
    MemberChanges memberChanges(const std::string& cursor) override {
        MemberChanges page;
        const Poco::Timestamp started;
        const std::string from =
            cursor.empty() ? formatted(started - Poco::Timespan(1, 0, 0, 0, 0)) : cursor;
        Poco::URI uri(settings_.url + "/api/v2/contacts/changes");
        uri.addQueryParameter("changeType", "Deleted");
        uri.addQueryParameter("fromDate", from);
        pacer_.acquire();
        std::string why;
        const auto answer = exchange("GET", uri, "", settings_.timeoutMs, why);
        if (answer && (answer->status == 400 || answer->status == 403 || answer->status == 404)) {
            // Contact changes are switched on per tenant: without them erasures
            // made in Voyado cannot reach this store's member cache.
            page.reason = "Voyado's contact change feed is not enabled for this key (" +
                          voyado::describeRefusal(answer->status, answer->body) +
                          "): contacts deleted in Voyado stay in the member cache until its "
                          "retention ends; ask Voyado to enable contact changes";
            return page;
        }
        if (!answer || !isSuccess(answer->status)) {
            page.reason = answer ? voyado::describeRefusal(answer->status, answer->body)
                                 : "Voyado unreachable: " + why;
            return page;
        }
        const auto ids = voyado::parseChangedIds(answer->body);
        if (!ids) {
            page.reason = "Voyado's change list is unreadable";
            return page;
        }
        page.ok = true;
        page.erasedIds = *ids;
        // Overlap by a minute: a deletion committed while we asked is not missed;
        // erasing twice is harmless.
        page.nextCursor = formatted(started - Poco::Timespan(0, 0, 1, 0, 0));
        return page;
    }

    OffersOutcome activeOffers() override {
        // Voyado has no offer list for everyone or a tier: a member's own offers
        // (promotions, vouchers) come with their lookup.
        return {true, {}, ""};
    }

  private:
    // Files one answer under key. False when the batch must stop here: then
    // outcome is either a whole-batch outcome (nothing settled yet, or a wrong key)
    // or the answered part with the reason the rest waits.
    bool record(BatchOutcome& outcome, const std::string& key,
                const std::optional<plugins::HttpAnswer>& answer, const std::string& why,
                bool conflictIsDuplicate) {
        if (answer && answer->status != 429) tooManyInARow_ = 0;
        if (answer && isSuccess(answer->status)) {
            outcome.results[key] = {ReceiptResult::Outcome::accepted, ""};
            return true;
        }
        if (answer && conflictIsDuplicate && answer->status == 409) {
            outcome.results[key] = {ReceiptResult::Outcome::duplicate, ""};
            return true;
        }
        if (answer && isPermanent(answer->status)) {
            outcome.results[key] = {ReceiptResult::Outcome::rejected,
                                    voyado::describeRefusal(answer->status, answer->body)};
            return true;
        }
        if (answer && (answer->status == 401 || answer->status == 403)) {
            outcome = {BatchOutcome::Kind::unauthorized,
                       {},
                       "Voyado refused the API key (" + std::to_string(answer->status) + ")",
                       0};
            return false;
        }
        const std::string reason = answer ? "Voyado answered " + std::to_string(answer->status)
                                          : "Voyado unreachable: " + why;
        int retryAfter = answer ? plugins::parseRetryAfter(answer->retryAfter) : 0;
        if (answer && answer->status == 429) retryAfter = std::max(retryAfter, tooManySpacing());
        if (outcome.results.empty()) {
            outcome = {BatchOutcome::Kind::transient, {}, reason, retryAfter};
        } else {  // what went through is settled; the rest waits
            outcome.reason = reason;
            outcome.retryAfterSeconds = retryAfter;
        }
        return false;
    }

    static std::string formatted(const Poco::Timestamp& when) {
        return Poco::DateTimeFormatter::format(when, "%Y-%m-%d %H:%M:%S.%i");
    }

    struct IdLookup {
        enum class Kind { found, notFound, ambiguous, unavailable } kind = Kind::unavailable;
        std::string id;
        std::string reason;
        int status = 0;  // Voyado's answer when unavailable (429: slow down)
    };
    // GET .../contacts/id?mobilePhone= ("Find contact"): the contact's id, none,
    // several (409 MultipleMatches: a person must sort them out), or no answer.
    IdLookup contactIdByPhone(const std::string& phone, int timeoutMs,
                              plugins::RequestPacer& pacer) {
        Poco::URI uri(contactsBase() + "/id");
        uri.addQueryParameter("mobilePhone", phone);
        if (!pacer.acquire(std::chrono::milliseconds(timeoutMs)))
            return {IdLookup::Kind::unavailable, "", "over this store's share of Voyado's rate"};
        std::string why;
        const auto answer = exchange("GET", uri, "", timeoutMs, why);
        if (!answer) return {IdLookup::Kind::unavailable, "", "Voyado unreachable: " + why};
        if (answer->status == 404) return {IdLookup::Kind::notFound, "", ""};
        if (answer->status == 409)
            return {IdLookup::Kind::ambiguous, "",
                    "several Voyado contacts have this mobile phone (" +
                        voyado::describeRefusal(409, answer->body) + ")"};
        const auto id =
            isSuccess(answer->status) ? voyado::parseContactId(answer->body) : std::nullopt;
        if (!id)
            return {IdLookup::Kind::unavailable, "",
                    voyado::describeRefusal(answer->status, answer->body), answer->status};
        return {IdLookup::Kind::found, *id, ""};
    }

    // POST .../contacts ("Create contact"): contactType and countryCode in the
    // body; the recommended source and recruiting store as headers in v2 and in
    // the query string in v3 (where headers are ignored).
    std::optional<plugins::HttpAnswer> createContact(const OutgoingSignup& signup,
                                                     std::string& why) {
        pacer_.acquire();
        Poco::URI uri(contactsBase());
        std::vector<std::pair<std::string, std::string>> headers;
        if (settings_.apiVersion == 3) {
            uri.addQueryParameter("source", "Lojal");
            uri.addQueryParameter("storeExternalId", signup.storeId);
        } else {
            headers = {{"source", "Lojal"}, {"storeExternalId", signup.storeId}};
        }
        const std::string body = voyado::mapSignup(signup, settings_.consentIds,
                                                   {settings_.contactType, settings_.countryCode});
        return exchange("POST", uri, body, settings_.timeoutMs, why, headers);
    }

    std::string contactsBase() const {
        return settings_.url +
               (settings_.apiVersion == 3 ? "/api/v3/contacts" : "/api/v2/contacts");
    }
    Poco::URI contactUri(const std::string& contactId) const {
        std::string path = contactsBase() + "/";
        Poco::URI::encode(contactId, "/?#&=+", path);
        return Poco::URI(path);
    }

    // The wait after this 429: 10, 30, 60, then 300 s while they keep coming.
    int tooManySpacing() {
        const int inARow = tooManyInARow_++;
        constexpr int last = static_cast<int>(std::size(kTooManyRequestsSpacing)) - 1;
        return kTooManyRequestsSpacing[std::min(inARow, last)];
    }

    // GET /api/v2/point-accounts?contactId=: the configured point definition's
    // balance, or the first account's.
    std::optional<int64_t> pointBalance(const std::string& contactId, int timeoutMs) {
        Poco::URI uri(settings_.url + (settings_.apiVersion == 3 ? "/api/v3/point-accounts"
                                                                 : "/api/v2/point-accounts"));
        uri.addQueryParameter("contactId", contactId);
        if (!lookupPacer_.acquire(std::chrono::milliseconds(timeoutMs))) return std::nullopt;
        std::string why;
        const auto answer = exchange("GET", uri, "", timeoutMs, why);
        if (!answer || !isSuccess(answer->status)) return std::nullopt;
        return voyado::parsePointBalance(answer->body, settings_.pointDefinitionId);
    }

    static int remaining(std::chrono::steady_clock::time_point deadline) {
        return static_cast<int>(
            std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::milliseconds>(
                                     deadline - std::chrono::steady_clock::now())
                                     .count()));
    }

    // GET /api/v2/contacts/{id}SUFFIX through parse; nothing when unanswered.
    std::optional<std::vector<Offer>> fetchOffers(
        const std::string& contactId, const std::string& suffix, int timeoutMs,
        std::optional<std::vector<Offer>> (*parse)(const std::string&, int64_t)) {
        if (!lookupPacer_.acquire(std::chrono::milliseconds(timeoutMs))) return std::nullopt;
        std::string path = settings_.url + "/api/v2/contacts/";
        Poco::URI::encode(contactId, "/?#&=+", path);
        std::string why;
        const auto answer = exchange("GET", Poco::URI(path + suffix), "", timeoutMs, why);
        if (!answer || !isSuccess(answer->status)) return std::nullopt;
        return parse(answer->body, unixMillisNow());
    }

    LookupOutcome fetchContact(const std::string& contactId, int timeoutMs) {
        if (!lookupPacer_.acquire(std::chrono::milliseconds(timeoutMs)))
            return {
                LookupOutcome::Kind::unavailable, {}, "over the lookups' share of Voyado's rate"};
        std::string why;
        const auto answer = exchange("GET", contactUri(contactId), "", timeoutMs, why);
        if (!answer) return {LookupOutcome::Kind::unavailable, {}, "Voyado unreachable: " + why};
        if (answer->status == 404) return {LookupOutcome::Kind::notFound, {}, ""};
        const auto member =
            isSuccess(answer->status) ? voyado::parseContact(answer->body) : std::nullopt;
        if (!member) {
            return {LookupOutcome::Kind::unavailable,
                    {},
                    "Voyado answered " + std::to_string(answer->status)};
        }
        return {LookupOutcome::Kind::found, *member, ""};
    }

    std::optional<plugins::HttpAnswer> exchange(
        const std::string& method, const Poco::URI& uri, const std::string& body, int timeoutMs,
        std::string& why, const std::vector<std::pair<std::string, std::string>>& extra = {}) {
        plugins::HttpCall call;
        call.method = method;
        call.uri = uri;
        std::string agent = "Lojal-lojald/";
        agent += kLojalVersion;
        // Voyado answers 500 to a request without Content-Type: application/json.
        call.headers = {{"apikey", settings_.apiKey},
                        {"User-Agent", agent},
                        {"Content-Type", "application/json"},
                        {"Accept", "application/json"}};
        call.headers.insert(call.headers.end(), extra.begin(), extra.end());
        call.body = body;
        call.timeoutMs = timeoutMs;
        return plugins::exchange(sessions_, call, why);
    }

    ConnectorSettings settings_;
    plugins::SessionFactory sessions_;
    plugins::RequestPacer pacer_;        // the background sync's share
    plugins::RequestPacer lookupPacer_;  // a waiting cashier's
    std::atomic<int> tooManyInARow_{0};
};

}  // namespace

std::unique_ptr<CrmConnector> createVoyadoConnector(const ConnectorSettings& settings) {
    return std::make_unique<VoyadoConnector>(settings);
}

}  // namespace lojal::crm

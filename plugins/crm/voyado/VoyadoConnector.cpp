#include "voyado/VoyadoConnector.h"

#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>
#include <Poco/URI.h>

#include "RequestPacer.h"
#include "VerifiedHttp.h"
#include "core/Version.h"
#include "voyado/VoyadoMapping.h"

namespace lojal::crm {
namespace {

// Under Voyado's documented 50 requests per second, with room for clock jitter.
constexpr int kDefaultRequestsPerSecond = 45;

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
                                                    : kDefaultRequestsPerSecond) {}

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
    // contact is looked up by mobile phone first and then created or updated
    // (POST /api/v2/contacts/{id}, "Update one or several fields"). A 409 on
    // create means it appeared meanwhile (another store): it is updated then.
    BatchOutcome sendSignups(const std::vector<OutgoingSignup>& signups) override {
        BatchOutcome outcome{BatchOutcome::Kind::answered, {}, "", 0};
        for (const OutgoingSignup& signup : signups) {
            IdLookup found = contactIdByPhone(signup.phone, settings_.timeoutMs);
            std::optional<plugins::HttpAnswer> answer;
            std::string why;
            if (found.kind == LookupOutcome::Kind::notFound) {
                pacer_.acquire();
                // v2 takes the recommended source and recruiting store as headers.
                answer =
                    exchange("POST", Poco::URI(settings_.url + "/api/v2/contacts"),
                             voyado::mapSignup(signup, settings_.consentIds), settings_.timeoutMs,
                             why, {{"source", "Lojal"}, {"storeExternalId", signup.storeId}});
                if (answer && answer->status == 409)
                    found = contactIdByPhone(signup.phone, settings_.timeoutMs);
            }
            if (found.kind == LookupOutcome::Kind::unavailable) {
                answer.reset();
                why = found.reason;
            } else if (found.kind == LookupOutcome::Kind::found) {
                pacer_.acquire();
                std::string path = "/api/v2/contacts/";
                Poco::URI::encode(found.id, "/?#&=+", path);
                answer = exchange("POST", Poco::URI(settings_.url + path),
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
                const IdLookup found = contactIdByPhone(erasure.phone, settings_.timeoutMs);
                if (found.kind == LookupOutcome::Kind::notFound) {
                    outcome.results[erasure.key] = {ReceiptResult::Outcome::accepted, ""};
                    continue;
                }
                if (found.kind == LookupOutcome::Kind::unavailable) {
                    if (outcome.results.empty())
                        return {BatchOutcome::Kind::transient, {}, found.reason, 0};
                    outcome.reason = found.reason;
                    break;
                }
                contactId = found.id;
            }
            pacer_.acquire();
            std::string path = "/api/v2/contacts/";
            Poco::URI::encode(contactId, "/?#&=+", path);
            std::string why;
            auto answer = exchange("DELETE", Poco::URI(settings_.url + path), "",
                                   settings_.timeoutMs, why, {{"source", "lojald"}});
            if (answer && answer->status == 404) answer->status = 204;  // nothing left there
            if (!record(outcome, erasure.key, answer, why, false)) break;
        }
        return outcome;
    }

    LookupOutcome lookupMember(const MemberQuery& query, int timeoutMs) override {
        std::string contactId = query.value;
        if (query.kind == MemberQuery::Kind::cardToken) {
            return {LookupOutcome::Kind::unavailable, {}, "Voyado has no lookup by card token"};
        }
        if (query.kind == MemberQuery::Kind::phone) {
            const IdLookup found = contactIdByPhone(query.value, timeoutMs);
            if (found.kind != LookupOutcome::Kind::found) return {found.kind, {}, found.reason};
            contactId = found.id;
        }
        LookupOutcome outcome = fetchContact(contactId, timeoutMs);
        if (outcome.kind == LookupOutcome::Kind::found) {
            // The balance lives in the point account, not on the contact (Voyado's
            // point-account API, `pointAccountPointAccountGet2`); the contact's own
            // bonusPoints stays when the account cannot be read.
            if (auto balance = pointBalance(contactId, timeoutMs)) outcome.member.points = *balance;
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
        if (!answer || !isSuccess(answer->status)) {
            page.reason = answer ? "Voyado answered " + std::to_string(answer->status)
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
        return {true, {}, ""};  // not mapped: Voyado promotions are a separate API
    }

  private:
    // Files one answer under key. False when the batch must stop here: then
    // outcome is either a whole-batch outcome (nothing settled yet, or a wrong key)
    // or the answered part with the reason the rest waits.
    static bool record(BatchOutcome& outcome, const std::string& key,
                       const std::optional<plugins::HttpAnswer>& answer, const std::string& why,
                       bool conflictIsDuplicate) {
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
                                    "Voyado answered " + std::to_string(answer->status) + ": " +
                                        answer->body.substr(0, 200)};
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
        const int retryAfter = answer ? plugins::parseRetryAfter(answer->retryAfter) : 0;
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
        LookupOutcome::Kind kind = LookupOutcome::Kind::unavailable;
        std::string id;
        std::string reason;
    };
    // GET /api/v2/contacts/id?mobilePhone=: the contact's id, none, or no answer.
    IdLookup contactIdByPhone(const std::string& phone, int timeoutMs) {
        Poco::URI uri(settings_.url + "/api/v2/contacts/id");
        uri.addQueryParameter("mobilePhone", phone);
        if (!pacer_.acquire(std::chrono::milliseconds(timeoutMs)))
            return {LookupOutcome::Kind::unavailable, "", "over Voyado's request rate"};
        std::string why;
        const auto answer = exchange("GET", uri, "", timeoutMs, why);
        if (!answer) return {LookupOutcome::Kind::unavailable, "", "Voyado unreachable: " + why};
        if (answer->status == 404) return {LookupOutcome::Kind::notFound, "", ""};
        const auto id =
            isSuccess(answer->status) ? voyado::parseContactId(answer->body) : std::nullopt;
        if (!id)
            return {LookupOutcome::Kind::unavailable, "",
                    "Voyado answered " + std::to_string(answer->status)};
        return {LookupOutcome::Kind::found, *id, ""};
    }

    // GET /api/v2/point-accounts?contactId=: the configured point definition's
    // balance, or the first account's.
    std::optional<int64_t> pointBalance(const std::string& contactId, int timeoutMs) {
        Poco::URI uri(settings_.url + "/api/v2/point-accounts");
        uri.addQueryParameter("contactId", contactId);
        if (!pacer_.acquire(std::chrono::milliseconds(timeoutMs))) return std::nullopt;
        std::string why;
        const auto answer = exchange("GET", uri, "", timeoutMs, why);
        if (!answer || !isSuccess(answer->status)) return std::nullopt;
        return voyado::parsePointBalance(answer->body, settings_.pointDefinitionId);
    }

    LookupOutcome fetchContact(const std::string& contactId, int timeoutMs) {
        if (!pacer_.acquire(std::chrono::milliseconds(timeoutMs)))
            return {LookupOutcome::Kind::unavailable, {}, "over Voyado's request rate"};
        std::string path = "/api/v2/contacts/";
        Poco::URI::encode(contactId, "/?#&=+", path);
        std::string why;
        const auto answer = exchange("GET", Poco::URI(settings_.url + path), "", timeoutMs, why);
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
    plugins::RequestPacer pacer_;
};

}  // namespace

std::unique_ptr<CrmConnector> createVoyadoConnector(const ConnectorSettings& settings) {
    return std::make_unique<VoyadoConnector>(settings);
}

}  // namespace lojal::crm

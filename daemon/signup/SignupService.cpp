#include "signup/SignupService.h"

#include "signup/SignupSync.h"

#include <algorithm>

#include "core/Time.h"
#include "signup/Phone.h"
#include "signup/RequestFields.h"
#include "signup/SignupToken.h"
#include "sms/SmsQueue.h"

namespace lojal {
namespace {

std::string smsStateOf(Transaction& tx, int64_t smsId) {
    auto select = tx.prepare("SELECT state FROM sms WHERE id = ?1");
    select.bind(1, smsId);
    return select.step() ? select.columnText(0) : "unknown";
}

}  // namespace

SignupService::SignupService(const Config& config, Database& database, SmsTemplates templates,
                             SmsLimits& limits, std::function<void()> smsQueued)
    : config_(config),
      database_(database),
      templates_(std::move(templates)),
      limits_(limits),
      smsQueued_(std::move(smsQueued)) {}

Refusal SignupService::refuse(int status, const std::string& code, const std::string& message,
                              int retryAfter) {
    std::lock_guard lock(countersMutex_);
    ++refusals_[code];
    return Refusal{status, code, message, retryAfter};
}

std::map<std::string, uint64_t> SignupService::refusals() const {
    std::lock_guard lock(countersMutex_);
    return refusals_;
}

std::string SignupService::defaultLocale() const {
    static const std::map<std::string, std::string> byCountry = {
        {"SE", "sv"}, {"NO", "nb"}, {"DK", "da"}, {"FI", "fi"}, {"AX", "sv"}};
    const auto found = byCountry.find(config_.store.country);
    return found == byCountry.end() ? "en" : found->second;
}

std::string SignupService::signupLink(int64_t signupId, int64_t nowSeconds) const {
    SignupClaims claims{static_cast<uint64_t>(signupId),
                        nowSeconds + config_.signup.linkTtlHours * 3600LL, config_.store.id};
    return config_.signup.baseUrl + "/j/" + signSignupToken(claims, config_.signup.secret);
}

std::variant<SignupOutcome, Refusal> SignupService::create(const Poco::JSON::Object& body,
                                                           const std::string& tokenName,
                                                           const std::string& idempotencyKey) {
    if (config_.signup.baseUrl.empty()) {
        return refuse(503, "signup_not_configured",
                      "sign-ups need [signup] base_url and secret in the configuration");
    }
    std::map<std::string, std::string> fields;
    for (const auto& [name, maxLength] : std::vector<std::pair<std::string, size_t>>{
             {"phone", 40}, {"cashier_id", 64}, {"register_id", 64}}) {
        auto field = textField(body, name, maxLength, true);
        if (auto* refusal = std::get_if<Refusal>(&field))
            return refuse(refusal->status, refusal->code, refusal->message);
        fields[name] = std::get<std::string>(field);
    }
    for (const char* name : {"country", "locale"}) {
        auto field = textField(body, name, 8, false);
        if (auto* refusal = std::get_if<Refusal>(&field))
            return refuse(refusal->status, refusal->code, refusal->message);
        fields[name] = std::get<std::string>(field);
    }
    const std::string locale = fields["locale"].empty() ? defaultLocale() : fields["locale"];
    if (!templates_.hasLocale(locale)) {
        return refuse(400, "unsupported_locale",
                      "locale '" + locale + "' is not shipped (sv, nb, da, fi, en)");
    }
    if (!body.has("consent") || body.isNull("consent"))
        return refuse(400, "missing_field", "field 'consent' is required");
    const auto consent = body.getObject("consent");
    if (!consent) return refuse(400, "invalid_field", "field 'consent' must be an object");
    if (!consent->has("marketing_sms") || !consent->get("marketing_sms").isBoolean()) {
        return refuse(400, "invalid_field", "field 'consent.marketing_sms' must be true or false");
    }
    const bool marketing = consent->getValue<bool>("marketing_sms");
    auto termsVersion = textField(*consent, "terms_version", 32, true);
    if (auto* refusal = std::get_if<Refusal>(&termsVersion))
        return refuse(refusal->status, refusal->code, "consent: " + refusal->message);
    auto textShown = textField(*consent, "text_shown", 2000, true, true);
    if (auto* refusal = std::get_if<Refusal>(&textShown))
        return refuse(refusal->status, refusal->code, "consent: " + refusal->message);

    const std::string country =
        fields["country"].empty() ? config_.store.country : fields["country"];
    auto phone = parseMobileNumber(fields["phone"], country, limits_.allowedCountries);
    if (!phone) {
        const Refusal refusal = refusalFromCodedError(phone.error());
        return refuse(refusal.status, refusal.code, refusal.message);
    }

    const int64_t now = unixMillisNow();
    const int64_t windowStart = now - config_.signup.repeatWindowMinutes * 60000LL;
    // A sign-up this token already made with this key: the same answer again, or
    // a conflict when the key came with another number.
    std::optional<Refusal> keyConflict;
    const auto findByKey = [&](Transaction& tx) -> std::optional<SignupOutcome> {
        if (idempotencyKey.empty()) return std::nullopt;
        auto select = tx.prepare(
            "SELECT id, phone, sms_id FROM signups WHERE created_by = ?1 AND idempotency_key = ?2");
        select.bind(1, tokenName).bind(2, idempotencyKey);
        if (!select.step()) return std::nullopt;
        if (select.columnText(1) != phone->e164) {
            keyConflict = Refusal{409, "idempotency_conflict",
                                  "this Idempotency-Key was used for a sign-up of another number"};
            return SignupOutcome{};
        }
        return SignupOutcome{select.columnInt(0), phone->e164, smsStateOf(tx, select.columnInt(2)),
                             true};
    };
    const auto findRepeat = [&](Transaction& tx) -> std::optional<SignupOutcome> {
        if (auto byKey = findByKey(tx)) return byKey;
        auto select = tx.prepare(
            "SELECT id, sms_id FROM signups WHERE phone = ?1 AND created_at >= ?2 ORDER BY id DESC "
            "LIMIT 1");
        select.bind(1, phone->e164).bind(2, windowStart);
        if (!select.step()) return std::nullopt;
        return SignupOutcome{select.columnInt(0), phone->e164, smsStateOf(tx, select.columnInt(1)),
                             true};
    };
    // A repeat sends nothing, so it must not use up the limits either.
    std::optional<SignupOutcome> repeat;
    (void)database_.read([&](Transaction& tx) {
        repeat = findRepeat(tx);
        return okStatus();
    });
    if (keyConflict) return refuse(keyConflict->status, keyConflict->code, keyConflict->message);
    if (repeat) return *repeat;

    const auto steadyNow = std::chrono::steady_clock::now();
    const std::pair<RateLimiter*, std::pair<std::string, std::string>> limits[] = {
        {&limits_.perNumber, {phone->e164, "rate_limited_number"}},
        {&limits_.perRegister, {tokenName, "rate_limited_register"}},
        {&limits_.perStore, {config_.store.id, "rate_limited_store"}},
    };
    for (size_t i = 0; i < std::size(limits); ++i) {
        const auto decision = limits[i].first->take(limits[i].second.first, steadyNow);
        if (!decision.allowed) {
            for (size_t j = 0; j < i; ++j) limits[j].first->refund(limits[j].second.first);
            const int retryAfter =
                std::max(1, static_cast<int>(decision.retryAfterSeconds + 0.999));
            return refuse(429, limits[i].second.second, "too many sign-up SMS; try again later",
                          retryAfter);
        }
    }

    SignupOutcome outcome;
    std::optional<Refusal> overBudget;
    auto written = database_.write([&](Transaction& tx) -> Status {
        if (auto existing = findRepeat(tx)) {  // another register was quicker
            outcome = *existing;
            return okStatus();
        }
        auto budget = checkDailySmsBudget(tx, now, config_.limits.dailySmsBudget);
        if (!budget) return budget.error();
        if (*budget) {
            overBudget = *budget;
            return okStatus();
        }
        auto signup = tx.prepare(
            "INSERT INTO signups (phone, locale, store_id, register_id, cashier_id, created_at, "
            "created_by, idempotency_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULLIF(?8, '')) "
            "RETURNING id");
        signup.bind(1, phone->e164)
            .bind(2, locale)
            .bind(3, config_.store.id)
            .bind(4, fields["register_id"])
            .bind(5, fields["cashier_id"])
            .bind(6, now)
            .bind(7, tokenName)
            .bind(8, idempotencyKey);
        if (!signup.step()) return Error{ErrorCode::io, "insert sign-up: " + signup.error()};
        const int64_t signupId = signup.columnInt(0);

        auto record = tx.prepare(
            "INSERT INTO consents (signup_id, purpose, granted, text_version, text_shown, "
            "store_id, register_id, "
            "cashier_id, created_at) VALUES (?1, 'marketing_sms', ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
        record.bind(1, signupId)
            .bind(2, static_cast<int64_t>(marketing))
            .bind(3, std::get<std::string>(termsVersion))
            .bind(4, std::get<std::string>(textShown))
            .bind(5, config_.store.id)
            .bind(6, fields["register_id"])
            .bind(7, fields["cashier_id"])
            .bind(8, now);
        record.step();
        if (!record.error().empty())
            return Error{ErrorCode::io, "insert consent: " + record.error()};

        // The sign-up and its consents travel to the CRM through the outbox.
        if (auto queued = enqueueOutbox(tx, "signup", "signup:" + std::to_string(signupId),
                                        signupSyncKey(config_.store.id, signupId), now);
            !queued) {
            return queued.error();
        }

        const std::string text = templates_.render(
            "signup", locale,
            {{"store", config_.store.name}, {"link", signupLink(signupId, now / 1000)}});
        auto smsId = queueSms(tx, phone->e164, text, now, tokenName);
        if (!smsId) return smsId.error();
        auto link = tx.prepare("UPDATE signups SET sms_id = ?2 WHERE id = ?1");
        link.bind(1, signupId).bind(2, *smsId);
        if (auto done = link.execute(); !done) return done.error();
        outcome = SignupOutcome{signupId, phone->e164, "queued", false};
        return okStatus();
    });
    if (!written) {
        for (const auto& limit : limits) limit.first->refund(limit.second.first);
        const Refusal refusal = storageRefusal(written.error(), "the sign-up");
        return refuse(refusal.status, refusal.code, refusal.message, refusal.retryAfterSeconds);
    }
    if (keyConflict) return refuse(keyConflict->status, keyConflict->code, keyConflict->message);
    if (overBudget)
        return refuse(overBudget->status, overBudget->code, overBudget->message,
                      overBudget->retryAfterSeconds);
    if (!outcome.repeat) smsQueued_();
    return outcome;
}

std::variant<Poco::JSON::Object, Refusal> SignupService::verify(const std::string& token) const {
    const int64_t now = unixMillisNow() / 1000;
    auto claims = verifySignupToken(token, config_.signup.secret, config_.store.id, now);
    if (!claims) {
        const std::string& reason = claims.error().message;
        if (reason == "expired")
            return Refusal{410, "token_expired", "the sign-up link has expired"};
        return Refusal{400, "invalid_token", "the sign-up link is not valid (" + reason + ")"};
    }
    Poco::JSON::Object body;
    body.set("valid", true);
    body.set("signup_id", claims->signupId);
    body.set("store_id", claims->storeId);
    body.set("expires_at", claims->expiresAt);
    return body;
}

}  // namespace lojal

#include "signup/OtpService.h"

#include <Poco/RandomStream.h>

#include "core/Crypto.h"
#include "core/Time.h"
#include "signup/Phone.h"
#include "sms/SmsQueue.h"

namespace lojal {
namespace {

std::string randomCode() {
    Poco::RandomInputStream random;
    uint32_t value = 0;
    random.read(reinterpret_cast<char*>(&value), sizeof value);
    const std::string digits = std::to_string(value % 1000000);
    return std::string(6 - digits.size(), '0') + digits;  // modulo bias below 0.03 %: harmless here
}

std::variant<std::string, Refusal> phoneField(const Poco::JSON::Object& body, const Config& config,
                                              const std::set<std::string>& allowed) {
    auto typed = textField(body, "phone", 40, true);
    if (auto* refusal = std::get_if<Refusal>(&typed)) return *refusal;
    auto phone = parseMobileNumber(std::get<std::string>(typed), config.store.country, allowed);
    if (!phone) return refusalFromCodedError(phone.error());
    return phone->e164;
}

}  // namespace

OtpService::OtpService(const Config& config, Database& database, const SmsTemplates& templates,
                       SmsLimits& limits, std::function<void()> smsQueued)
    : config_(config),
      database_(database),
      templates_(templates),
      limits_(limits),
      smsQueued_(std::move(smsQueued)) {}

std::string OtpService::codeHash(const std::string& phone, const std::string& code) const {
    const auto mac = hmacSha256(config_.signup.secret, "otp:" + phone + ":" + code);
    return base64Url(mac.data(), mac.size());
}

std::variant<Poco::JSON::Object, Refusal> OtpService::send(const Poco::JSON::Object& body,
                                                           const std::string& requestedBy) {
    if (config_.signup.secret.empty()) {
        return Refusal{503, "signup_not_configured",
                       "PIN codes need [signup] secret in the configuration"};
    }
    auto phone = phoneField(body, config_, limits_.allowedCountries);
    if (auto* refusal = std::get_if<Refusal>(&phone)) return *refusal;
    const std::string& e164 = std::get<std::string>(phone);
    auto locale = textField(body, "locale", 8, false);
    if (auto* refusal = std::get_if<Refusal>(&locale)) return *refusal;
    std::string language =
        std::get<std::string>(locale).empty() ? "sv" : std::get<std::string>(locale);
    if (!templates_.hasLocale(language))
        return Refusal{400, "unsupported_locale", "locale '" + language + "' is not shipped"};

    const int64_t now = unixMillisNow();
    // The cooldown comes first: a kiosk user tapping "resend" must not burn the limits.
    int64_t lastSent = 0;
    (void)database_.read([&](Transaction& tx) {
        auto select = tx.prepare("SELECT max(created_at) FROM otp WHERE phone = ?1");
        select.bind(1, e164);
        if (select.step()) lastSent = select.columnInt(0);
        return okStatus();
    });
    const int64_t wait = lastSent + kResendCooldownSeconds * 1000LL - now;
    if (lastSent > 0 && wait > 0) {
        return Refusal{429, "otp_cooldown", "a code was just sent; wait before asking again",
                       static_cast<int>(wait / 1000) + 1};
    }
    const auto steadyNow = std::chrono::steady_clock::now();
    const auto number = limits_.perNumber.take(e164, steadyNow);
    if (!number.allowed) {
        return Refusal{429, "rate_limited_number", "too many codes for this number",
                       static_cast<int>(number.retryAfterSeconds) + 1};
    }
    const auto store = limits_.perStore.take(config_.store.id, steadyNow);
    if (!store.allowed) {
        limits_.perNumber.refund(e164);
        return Refusal{429, "rate_limited_store", "too many SMS from this store",
                       static_cast<int>(store.retryAfterSeconds) + 1};
    }

    const std::string code = randomCode();
    int64_t otpId = 0;
    std::optional<Refusal> overBudget;
    auto written = database_.write([&](Transaction& tx) -> Status {
        auto budget = checkDailySmsBudget(tx, now, config_.limits.dailySmsBudget);
        if (!budget) return budget.error();
        if (*budget) {
            overBudget = *budget;
            return okStatus();
        }
        auto retire =
            tx.prepare("UPDATE otp SET state = 'dead' WHERE phone = ?1 AND state = 'active'");
        retire.bind(1, e164);
        retire.step();
        auto smsId = queueSms(tx, e164, templates_.render("otp", language, {{"code", code}}), now,
                              requestedBy, true);
        if (!smsId) return smsId.error();
        auto insert = tx.prepare(
            "INSERT INTO otp (phone, code_hash, expires_at, sms_id, created_at) VALUES (?1, ?2, "
            "?3, ?4, ?5) RETURNING id");
        insert.bind(1, e164)
            .bind(2, codeHash(e164, code))
            .bind(3, now + kCodeLifetimeSeconds * 1000LL)
            .bind(4, *smsId)
            .bind(5, now);
        if (!insert.step()) return Error{ErrorCode::io, "insert code: " + insert.error()};
        otpId = insert.columnInt(0);
        return okStatus();
    });
    if (!written) return storageRefusal(written.error(), "the code");
    if (overBudget) return *overBudget;
    smsQueued_();
    Poco::JSON::Object result;
    result.set("otp_id", otpId);
    result.set("phone", e164);
    result.set("expires_in", kCodeLifetimeSeconds);
    return result;
}

std::variant<Poco::JSON::Object, Refusal> OtpService::verify(const Poco::JSON::Object& body) {
    auto phone = phoneField(body, config_, limits_.allowedCountries);
    if (auto* refusal = std::get_if<Refusal>(&phone)) return *refusal;
    const std::string& e164 = std::get<std::string>(phone);
    auto code = textField(body, "code", 16, true);
    if (auto* refusal = std::get_if<Refusal>(&code)) return *refusal;
    const std::string& typed = std::get<std::string>(code);
    if (typed.size() != 6 || typed.find_first_not_of("0123456789") != std::string::npos) {
        return Refusal{400, "invalid_field", "field 'code' must be 6 digits"};
    }

    const int64_t now = unixMillisNow();
    std::optional<Refusal> refusal;
    Poco::JSON::Object result;
    auto written = database_.write([&](Transaction& tx) -> Status {
        auto select = tx.prepare(
            "SELECT id, code_hash, expires_at, attempts FROM otp WHERE phone = ?1 AND state = "
            "'active' "
            "ORDER BY id DESC LIMIT 1");
        select.bind(1, e164);
        if (!select.step()) {
            refusal =
                Refusal{410, "otp_expired", "no live code for this number: ask for a new one"};
            return okStatus();
        }
        const int64_t id = select.columnInt(0);
        const std::string hash = select.columnText(1);
        const int attempts = static_cast<int>(select.columnInt(3)) + 1;
        if (now > select.columnInt(2)) {
            auto kill = tx.prepare("UPDATE otp SET state = 'dead' WHERE id = ?1");
            kill.bind(1, id);
            kill.step();
            refusal = Refusal{410, "otp_expired", "the code has expired: ask for a new one"};
            return okStatus();
        }
        const bool match = constantTimeEqual(hash, codeHash(e164, typed));
        const std::string state = match ? "verified" : attempts >= kMaxAttempts ? "dead" : "active";
        auto update = tx.prepare("UPDATE otp SET attempts = ?2, state = ?3 WHERE id = ?1");
        update.bind(1, id).bind(2, static_cast<int64_t>(attempts)).bind(3, state);
        if (auto done = update.execute(); !done) return done.error();
        result.set("verified", match);
        result.set("phone", e164);
        if (!match) result.set("attempts_left", kMaxAttempts - attempts);
        return okStatus();
    });
    if (!written) return storageRefusal(written.error(), "the attempt");
    if (refusal) return *refusal;
    return result;
}

}  // namespace lojal

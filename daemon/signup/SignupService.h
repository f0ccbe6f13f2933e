#pragma once
// Sign-up at the checkout: validate, apply the abuse limits, and in one durable
// write record the sign-up, its consent, the SMS and its outbox row. The SMS
// itself goes later, from the SMS worker: the checkout never waits for a gateway.

#include <Poco/JSON/Object.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "config/Config.h"
#include "signup/RequestFields.h"
#include "signup/SmsLimits.h"
#include "sms/Templates.h"
#include "store/Database.h"

namespace lojal {

struct SignupOutcome {
    int64_t signupId = 0;
    std::string phone;
    std::string status;   // the SMS state: queued, sending, sent, delivered, failed
    bool repeat = false;  // an existing sign-up of the same number within the window
};

class SignupService {
  public:
    SignupService(const Config& config, Database& database, SmsTemplates templates,
                  SmsLimits& limits, std::function<void()> smsQueued);

    // body: the parsed JSON of POST /v1/signups; tokenName: the calling token,
    // which the per-register limit keys on (not the body's register_id);
    // idempotencyKey: the request's Idempotency-Key ("" when none): the same key
    // from the same token gives back the same sign-up, never a second one.
    std::variant<SignupOutcome, Refusal> create(const Poco::JSON::Object& body,
                                                const std::string& tokenName,
                                                const std::string& idempotencyKey = "");
    // The link token's claims, or a refusal (400 invalid_token / 410 expired).
    std::variant<Poco::JSON::Object, Refusal> verify(const std::string& token) const;
    std::string signupLink(int64_t signupId, int64_t nowSeconds) const;
    // Counters of refusals by code, for /metrics.
    std::map<std::string, uint64_t> refusals() const;

  private:
    Refusal refuse(int status, const std::string& code, const std::string& message,
                   int retryAfter = 0);
    std::string defaultLocale() const;

    const Config& config_;
    Database& database_;
    SmsTemplates templates_;
    SmsLimits& limits_;
    std::function<void()> smsQueued_;
    mutable std::mutex countersMutex_;
    std::map<std::string, uint64_t> refusals_;
};

}  // namespace lojal

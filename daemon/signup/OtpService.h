#pragma once
// Kiosk PIN: a 6-digit code by SMS proves a phone number. Codes live 5 minutes,
// are kept only as a keyed hash, allow 5 tries, and a new one waits out a resend
// cooldown. The same number, register and store limits as sign-ups apply.

#include <Poco/JSON/Object.h>

#include <functional>
#include <set>
#include <variant>

#include "config/Config.h"
#include "signup/RequestFields.h"
#include "signup/SmsLimits.h"
#include "sms/Templates.h"
#include "store/Database.h"

namespace lojal {

class OtpService {
  public:
    static constexpr int kCodeLifetimeSeconds = 300;
    static constexpr int kMaxAttempts = 5;
    static constexpr int kResendCooldownSeconds = 60;

    OtpService(const Config& config, Database& database, const SmsTemplates& templates,
               SmsLimits& limits, std::function<void()> smsQueued);

    // requestedBy: the kiosk token's name, kept with the SMS.
    std::variant<Poco::JSON::Object, Refusal> send(const Poco::JSON::Object& body,
                                                   const std::string& requestedBy);
    std::variant<Poco::JSON::Object, Refusal> verify(const Poco::JSON::Object& body);

  private:
    std::string codeHash(const std::string& phone, const std::string& code) const;

    const Config& config_;
    Database& database_;
    const SmsTemplates& templates_;
    SmsLimits& limits_;
    std::function<void()> smsQueued_;
};

}  // namespace lojal

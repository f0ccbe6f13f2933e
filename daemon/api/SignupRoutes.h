#pragma once
// POST /v1/signups, GET /v1/signups/{id}, GET /v1/signups/verify, the kiosk PIN
// (POST /v1/otp, POST /v1/otp/verify) and the gateway's delivery-report callback
// GET /v1/sms/dlr.

#include "api/Router.h"
#include "signup/OtpService.h"
#include "signup/SignupService.h"
#include "sms/SmsWorker.h"

namespace lojal {

struct SignupRoutesContext {
    SignupService& signups;
    OtpService& otp;
    SmsWorker& sms;
    Database& database;
};

void addSignupRoutes(Router& router, SignupRoutesContext& context);

}  // namespace lojal

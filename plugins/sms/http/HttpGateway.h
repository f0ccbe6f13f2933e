#pragma once
#include "SmsGateway.h"

namespace lojal::sms {
// A configurable HTTP SMS provider (46elks, Twilio and the like): POST to url with
// Basic auth, the number, text and sender as form fields or JSON under configurable
// names; 2xx accepted (message id from idField), 408/429/5xx transient, other 4xx
// permanent. https URLs verify the certificate chain and host name (TLS 1.2+).
std::unique_ptr<SmsGateway> createHttpGateway(const GatewaySettings& settings);
}  // namespace lojal::sms

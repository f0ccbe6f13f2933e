#pragma once
#include "SmsGateway.h"

namespace lojal::sms {
// Kannel's smsbox sendsms HTTP interface (GET /cgi-bin/sendsms), with a dlr-url so
// Kannel reports delivery back to lojald (GET /v1/sms/dlr).
std::unique_ptr<SmsGateway> createKannelGateway(const GatewaySettings& settings);
}  // namespace lojal::sms

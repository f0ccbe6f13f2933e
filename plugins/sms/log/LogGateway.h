#pragma once
#include "SmsGateway.h"

namespace lojal::sms {
// Writes each message to the log and reports it accepted: for development and
// stores that have no SMS contract yet. The number is masked in the log.
std::unique_ptr<SmsGateway> createLogGateway(const GatewaySettings& settings);
}  // namespace lojal::sms

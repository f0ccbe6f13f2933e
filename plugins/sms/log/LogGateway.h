#pragma once
#include <string>
#include <string_view>

#include "SmsGateway.h"

namespace lojal::sms {
// Reports each message accepted without sending it: for development and stores
// that have no SMS contract yet. The main log gets the number's last three
// digits and the text with its codes and links masked (maskedSmsText): a PIN or
// a sign-up link in a shared log would let anyone with the log use it. With
// `sms.log_file` set, the whole text goes to that file, created mode 0600.
std::unique_ptr<SmsGateway> createLogGateway(const GatewaySettings& settings);

// The text with every run of 4 or more digits (PIN codes, numbers) as '*' and
// every http(s) link cut after its host: "Din kod: 123456" -> "Din kod: ******",
// "https://join.example.com/s/AbC" -> "https://join.example.com/…".
std::string maskedSmsText(std::string_view text);
}  // namespace lojal::sms

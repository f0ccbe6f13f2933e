#pragma once
// Phone numbers as a cashier types them, checked with libphonenumber: valid, a
// mobile, in an allowed country; returned in E.164.

#include <set>
#include <string>

#include "core/Result.h"

namespace lojal {

struct MobileNumber {
    std::string e164;     // +46701234567
    std::string country;  // SE
};

// Errors carry the API's code as their message prefix: invalid_phone,
// not_mobile or country_not_allowed, then ": " and the human message.
// mobileOnly false: any valid number of any country (for lookups, not for SMS).
Result<MobileNumber> parseMobileNumber(const std::string& typed, const std::string& defaultCountry,
                                       const std::set<std::string>& allowedCountries,
                                       bool mobileOnly = true);

// A valid number of any kind and country, in E.164 (invalid_phone otherwise).
Result<std::string> normalizePhone(const std::string& typed, const std::string& defaultCountry);

// "full" (libphonenumber) or "basic" (signup/PhoneBasic, looser: builds without
// libphonenumber), for /v1/health, so nobody mistakes one for the other.
const char* phoneValidation();

}  // namespace lojal

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
Result<MobileNumber> parseMobileNumber(const std::string& typed, const std::string& defaultCountry,
                                       const std::set<std::string>& allowedCountries);

}  // namespace lojal

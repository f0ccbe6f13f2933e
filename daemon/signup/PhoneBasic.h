#pragma once
// Phone numbers without libphonenumber, for builds that do not have it (the
// Windows build): E.164 from what a cashier types, the country from its calling
// code, and the mobile ranges of the countries in the table. Looser than
// libphonenumber: /v1/health says "phone_validation": "basic" where it is used,
// and tests/unit/signup/PhoneBasicTest.cpp checks on Linux that it never accepts
// a mobile number libphonenumber refuses, for every country it knows.
// Same error codes as Phone.h. Pure.

#include <optional>
#include <set>
#include <string>

#include "core/Result.h"
#include "signup/Phone.h"

namespace lojal {

Result<MobileNumber> parseMobileNumberBasic(const std::string& typed,
                                            const std::string& defaultCountry,
                                            const std::set<std::string>& allowedCountries,
                                            bool mobileOnly = true);

// What a cashier may type, checked before either validator reads it: digits,
// spaces, '+', '-', '(' and ')', 1 to 32 of them. The invalid_phone error
// otherwise (shared by Phone.cpp and PhoneBasic.cpp).
std::optional<Error> typedPhoneProblem(const std::string& typed);

// The countries the table knows (their calling codes and mobile ranges).
std::set<std::string> basicPhoneCountries();

}  // namespace lojal

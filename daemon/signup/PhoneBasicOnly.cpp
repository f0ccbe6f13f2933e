// Phone.h for builds without libphonenumber (the Windows build, see
// docs/WINDOWS.md): every check goes to signup/PhoneBasic, and /v1/health says
// "basic" so nobody mistakes it for the full validation of signup/Phone.cpp.
#include "signup/Phone.h"
#include "signup/PhoneBasic.h"

namespace lojal {

Result<MobileNumber> parseMobileNumber(const std::string& typed, const std::string& defaultCountry,
                                       const std::set<std::string>& allowedCountries,
                                       bool mobileOnly) {
    return parseMobileNumberBasic(typed, defaultCountry, allowedCountries, mobileOnly);
}

Result<std::string> normalizePhone(const std::string& typed, const std::string& defaultCountry) {
    auto number = parseMobileNumberBasic(typed, defaultCountry, {}, false);
    if (!number) return number.error();
    return number->e164;
}

const char* phoneValidation() {
    return "basic";
}

}  // namespace lojal

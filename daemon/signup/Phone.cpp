#include "signup/Phone.h"

#include <phonenumbers/phonenumberutil.h>

#include "signup/PhoneBasic.h"

#include <algorithm>

namespace lojal {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

namespace {

Error refuse(const char* code, const std::string& message) {
    return Error{ErrorCode::arg, std::string(code) + ": " + message};
}

}  // namespace

const char* phoneValidation() {
    return "full";
}

Result<std::string> normalizePhone(const std::string& typed, const std::string& defaultCountry) {
    auto number = parseMobileNumber(typed, defaultCountry, {}, false);
    if (!number) return number.error();
    return number->e164;
}

Result<MobileNumber> parseMobileNumber(const std::string& typed, const std::string& defaultCountry,
                                       const std::set<std::string>& allowedCountries,
                                       bool mobileOnly) {
    if (auto problem = typedPhoneProblem(typed)) return *problem;
    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    PhoneNumber number;
    if (util.Parse(typed, defaultCountry, &number) != PhoneNumberUtil::NO_PARSING_ERROR ||
        !util.IsValidNumber(number)) {
        return refuse("invalid_phone", "not a valid phone number");
    }
    const auto type = util.GetNumberType(number);
    if (mobileOnly && type != PhoneNumberUtil::MOBILE &&
        type != PhoneNumberUtil::FIXED_LINE_OR_MOBILE) {
        return refuse("not_mobile", "not a mobile number: an SMS cannot reach it");
    }
    MobileNumber result;
    util.GetRegionCodeForNumber(number, &result.country);
    if (mobileOnly && !allowedCountries.count(result.country)) {
        return refuse("country_not_allowed",
                      "numbers from " + result.country + " are not accepted here");
    }
    util.Format(number, PhoneNumberUtil::E164, &result.e164);
    return result;
}

}  // namespace lojal

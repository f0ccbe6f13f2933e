#include "signup/PhoneBasic.h"

#include <algorithm>
#include <string_view>
#include <vector>

namespace lojal {
namespace {

// A country: its calling code, the length of its national significant numbers
// and the prefixes of its mobile numbers: a subset of the mobile ranges in
// libphonenumber's metadata (Debian 12's 8.12), kept where every number of the
// range is a mobile, so the table can only be stricter (PhoneBasicTest checks it).
struct CountryPlan {
    std::string_view country;
    std::string_view callingCode;
    size_t minLength;  // national significant number
    size_t maxLength;
    std::vector<std::string_view> mobilePrefixes;
};

const std::vector<CountryPlan>& plans() {
    static const std::vector<CountryPlan> kPlans = {
        {"SE", "46", 7, 9, {"70", "72", "73", "76", "79"}},
        {"NO", "47", 8, 8, {"40", "41", "45", "46", "47", "48", "9"}},
        {"DK",
         "45",
         8,
         8,
         {"2", "30", "31", "40", "41", "42", "50", "51", "52", "53", "60", "61", "71", "81", "91",
          "92", "93"}},
        {"FI", "358", 6, 10, {"40", "41", "42", "43", "44", "45", "46", "47", "48", "50"}},
        {"IS", "354", 7, 7, {"69", "76", "77", "78", "79", "83", "84", "85", "86", "89"}},
    };
    return kPlans;
}

Error refuse(const char* code, const std::string& message) {
    return Error{ErrorCode::arg, std::string(code) + ": " + message};
}

const CountryPlan* planFor(std::string_view country) {
    for (const auto& plan : plans())
        if (plan.country == country) return &plan;
    return nullptr;
}

}  // namespace

std::optional<Error> typedPhoneProblem(const std::string& typed) {
    const bool typable = std::all_of(typed.begin(), typed.end(), [](char c) {
        return (c >= '0' && c <= '9') || c == '+' || c == ' ' || c == '-' || c == '(' || c == ')';
    });
    if (typed.empty() || typed.size() > 32 || !typable)
        return refuse("invalid_phone",
                      "a phone number has digits, spaces, +, -, ( and ) only (at most 32)");
    return std::nullopt;
}

std::set<std::string> basicPhoneCountries() {
    std::set<std::string> countries;
    for (const auto& plan : plans()) countries.insert(std::string(plan.country));
    return countries;
}

Result<MobileNumber> parseMobileNumberBasic(const std::string& typed,
                                            const std::string& defaultCountry,
                                            const std::set<std::string>& allowedCountries,
                                            bool mobileOnly) {
    if (auto problem = typedPhoneProblem(typed)) return *problem;
    std::string compact;  // without the separators a cashier may type
    for (char c : typed)
        if (c != ' ' && c != '-' && c != '(' && c != ')') compact += c;
    if (compact.find('+', 1) != std::string::npos)
        return refuse("invalid_phone", "'+' only at the start");
    const bool international = compact.rfind('+', 0) == 0 || compact.rfind("00", 0) == 0;
    const std::string digits = compact.substr(compact.rfind('+', 0) == 0    ? 1
                                              : compact.rfind("00", 0) == 0 ? 2
                                                                            : 0);

    // Which plan, and the national significant number.
    const CountryPlan* plan = nullptr;
    std::string national;
    if (international) {
        for (const auto& candidate : plans()) {
            if (digits.rfind(candidate.callingCode, 0) == 0) {
                plan = &candidate;
                national = digits.substr(candidate.callingCode.size());
                break;
            }
        }
        if (!plan) return refuse("invalid_phone", "not a valid phone number (unknown country)");
    } else {
        plan = planFor(defaultCountry);
        if (!plan) return refuse("invalid_phone", "not a valid phone number (unknown country)");
        national = digits;
        // The trunk prefix 0 (SE, FI) is not part of the number.
        if ((plan->country == "SE" || plan->country == "FI") && national.rfind('0', 0) == 0)
            national.erase(0, 1);
    }
    if (national.size() < plan->minLength || national.size() > plan->maxLength ||
        national.rfind('0', 0) == 0) {
        return refuse("invalid_phone", "not a valid phone number");
    }
    const bool mobile =
        std::any_of(plan->mobilePrefixes.begin(), plan->mobilePrefixes.end(),
                    [&](std::string_view prefix) { return national.rfind(prefix, 0) == 0; });
    // Mobile numbers have fixed lengths where the table knows them.
    const bool mobileLength = plan->country != "SE" || national.size() == 9;
    if (mobileOnly && !(mobile && mobileLength))
        return refuse("not_mobile", "not a mobile number: an SMS cannot reach it");
    MobileNumber result;
    result.country = std::string(plan->country);
    if (mobileOnly && !allowedCountries.count(result.country)) {
        return refuse(
            "country_not_allowed",
            std::string("numbers from ").append(result.country).append(" are not accepted here"));
    }
    result.e164 = std::string("+").append(plan->callingCode).append(national);
    return result;
}

}  // namespace lojal

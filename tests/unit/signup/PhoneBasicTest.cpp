#define BOOST_TEST_MODULE phone_basic
// The basic phone validator (signup/PhoneBasic, for builds without
// libphonenumber) beside libphonenumber (signup/Phone) on the same numbers:
// it must give the same E.164 and country where it accepts, and it must never
// accept as a mobile what libphonenumber refuses (it may refuse more: looser
// would send SMS to numbers that cannot take them).
#include <boost/test/unit_test.hpp>

#include <random>

#include "signup/PhoneBasic.h"

using namespace lojal;

namespace {

const std::set<std::string> kNordics = {"SE", "NO", "DK", "FI", "IS"};

std::string codeOf(const Error& error) {
    return error.message.substr(0, error.message.find(':'));
}

}  // namespace

// What a cashier types → E.164 and country; libphonenumber agrees where the
// build has it (the Windows build runs this file without it).
BOOST_AUTO_TEST_CASE(typed_numbers_give_what_libphonenumber_gives) {
    struct Case {
        const char* typed;
        const char* defaultCountry;
        const char* e164;
        const char* country;
    };
    const Case cases[] = {
        {"070-123 45 67", "SE", "+46701234567", "SE"},
        {"+46 70 123 45 67", "SE", "+46701234567", "SE"},
        {"0046701234567", "SE", "+46701234567", "SE"},
        {"(070) 1234567", "SE", "+46701234567", "SE"},
        {"41 23 45 67", "NO", "+4741234567", "NO"},
        {"+47 912 34 567", "NO", "+4791234567", "NO"},
        {"20 12 34 56", "DK", "+4520123456", "DK"},
        {"+45 31 12 34 56", "DK", "+4531123456", "DK"},
        {"040 123 4567", "FI", "+358401234567", "FI"},
        {"+358 50 123 4567", "FI", "+358501234567", "FI"},
        {"690 1234", "IS", "+3546901234", "IS"},
        {"+354 771 2345", "IS", "+3547712345", "IS"},
    };
    for (const Case& c : cases) {
        const auto basic = parseMobileNumberBasic(c.typed, c.defaultCountry, kNordics);
        BOOST_REQUIRE_MESSAGE(basic.ok(), c.typed << ": " << (basic ? "" : basic.error().message));
        BOOST_TEST(basic->e164 == c.e164, c.typed);
        BOOST_TEST(basic->country == c.country, c.typed);
#ifndef LOJAL_BASIC_PHONE_ONLY
        const auto full = parseMobileNumber(c.typed, c.defaultCountry, kNordics);
        BOOST_REQUIRE_MESSAGE(full.ok(), c.typed << ": " << (full ? "" : full.error().message));
        BOOST_TEST(full->e164 == c.e164, c.typed);
        BOOST_TEST(full->country == c.country, c.typed);
#endif
    }
}

BOOST_AUTO_TEST_CASE(what_both_refuse_is_refused_with_the_same_code) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"", "SE"},
        {"070 123 4567 x", "SE"},
        {"07+0123", "SE"},
        {"123", "SE"},
        {"08-123 456 78", "SE"},    // Stockholm, a fixed line: not_mobile
        {"+1 202 555 0143", "SE"},  // a country the basic table lacks: invalid there
    };
    for (const auto& [typed, country] : cases) {
        const auto basic = parseMobileNumberBasic(typed, country, kNordics);
        BOOST_TEST(!basic, typed);
    }
    BOOST_TEST(codeOf(parseMobileNumberBasic("08-123 456 78", "SE", kNordics).error()) ==
               "not_mobile");
    BOOST_TEST(codeOf(parseMobileNumberBasic("+47 912 34 567", "SE", {"SE"}).error()) ==
               "country_not_allowed");
}

#ifndef LOJAL_BASIC_PHONE_ONLY
// Every national number of every length the table allows, with the first two
// digits swept and the rest random: where basic says mobile, libphonenumber
// must say mobile too, with the same E.164.
BOOST_AUTO_TEST_CASE(basic_never_accepts_a_mobile_libphonenumber_refuses) {
    std::mt19937 random(20261130);
    std::uniform_int_distribution<int> digit(0, 9);
    for (const std::string& country : basicPhoneCountries()) {
        size_t acceptedByBasic = 0, acceptedByFull = 0, looser = 0;
        for (int lead = 10; lead <= 99; ++lead) {
            for (size_t length = 6; length <= 10; ++length) {
                for (int sample = 0; sample < 8; ++sample) {
                    std::string national = std::to_string(lead);
                    while (national.size() < length)
                        national += static_cast<char>('0' + digit(random));
                    const std::string code = country == "SE"   ? "46"
                                             : country == "NO" ? "47"
                                             : country == "DK" ? "45"
                                             : country == "FI" ? "358"
                                                               : "354";
                    const std::string typed = std::string("+").append(code).append(national);
                    const auto basic = parseMobileNumberBasic(typed, country, kNordics);
                    const auto full = parseMobileNumber(typed, country, kNordics);
                    acceptedByBasic += basic.ok();
                    acceptedByFull += full.ok();
                    if (basic && (!full || full->e164 != basic->e164)) {
                        ++looser;
                        BOOST_TEST_MESSAGE(country << ": basic accepts " << typed
                                                   << ", libphonenumber: "
                                                   << (full ? full->e164 : full.error().message));
                    }
                }
            }
        }
        BOOST_TEST(looser == 0u, country << ": " << looser << " numbers basic accepts wrongly");
        BOOST_TEST(acceptedByBasic > 0u, country);
        BOOST_TEST_MESSAGE(country << ": basic accepts " << acceptedByBasic << ", libphonenumber "
                                   << acceptedByFull << " of the same numbers");
    }
}
#endif  // LOJAL_BASIC_PHONE_ONLY

#define BOOST_TEST_MODULE card_number_guard
// The card-number guard's rule (receipts/CardNumberGuard.h), by vectors and by
// two corpora (tests/data/card-guard/, written by its generate.py): 11,800
// identifiers a receipt really carries must pass, 1,700 card numbers in every
// rendering must be found. Both counts of mistakes are 0.
#include <boost/test/unit_test.hpp>

#include <Poco/JSON/Parser.h>

#include <fstream>

#include "receipts/CardNumberGuard.h"

using namespace lojal::cardguard;

namespace {

std::optional<std::string> guard(const std::string& json) {
    Poco::JSON::Parser parser;
    return findCardNumber(parser.parse(json));
}

// Lines of a corpus the guard gets wrong (expected: whether a card is in it).
std::vector<std::string> mistakes(const std::string& file, bool expected, size_t& total) {
    std::ifstream in(std::string(LOJAL_TEST_DATA) + "/card-guard/" + file);
    BOOST_REQUIRE_MESSAGE(in, file + " is missing: run tests/data/card-guard/generate.py");
    std::vector<std::string> wrong;
    for (std::string line; std::getline(in, line);) {
        ++total;
        if (guard(line).has_value() != expected) wrong.push_back(line);
    }
    return wrong;
}

}  // namespace

BOOST_AUTO_TEST_CASE(issuer_prefix_length_and_luhn_must_all_match) {
    BOOST_TEST(isCardNumber("4111111111111111"));     // Visa 16
    BOOST_TEST(isCardNumber("4000000000000000006"));  // Visa 19
    BOOST_TEST(!isCardNumber("4222222222222"));       // Visa 13: no longer issued
    BOOST_TEST(isCardNumber("5555555555554444"));     // Mastercard 51-55
    BOOST_TEST(isCardNumber("2223003122003222"));     // Mastercard 2221-2720
    BOOST_TEST(!isCardNumber("2220990000000005"));    // just below the 2-series
    BOOST_TEST(isCardNumber("378282246310005"));      // Amex 15
    BOOST_TEST(!isCardNumber("3782822463100050"));    // Amex has 15 digits
    BOOST_TEST(isCardNumber("30569309025904"));       // Diners 14
    BOOST_TEST(isCardNumber("6011111111111117"));     // Discover
    BOOST_TEST(isCardNumber("3530111333300000"));     // JCB
    BOOST_TEST(isCardNumber("6200000000000005"));     // UnionPay
    BOOST_TEST(isCardNumber("5019717010103742"));     // Dankort
    BOOST_TEST(!isCardNumber("4111111111111112"));    // Luhn fails
    BOOST_TEST(!isCardNumber("9111111111111111"));    // no network starts with 9
    BOOST_TEST(!isCardNumber("4006381333931"));       // an EAN-13, Luhn-valid or not
}

BOOST_AUTO_TEST_CASE(renderings_and_what_is_not_a_rendering) {
    for (const char* text : {"4111 1111 1111 1111", "4111-1111-1111-1111", "4111.1111.1111.1111",
                             "4111/1111/1111/1111", "4111_1111_1111_1111", "4111\t1111\t1111\t1111",
                             "4111  1111  1111  1111",
                             "4111\xC2\xA0"
                             "1111\xC2\xA0"
                             "1111\xC2\xA0"
                             "1111",
                             "\xEF\xBC\x94\xEF\xBC\x91\xEF\xBC\x91\xEF\xBC\x91"
                             " 1111 1111 1111",  // fullwidth 4111
                             "card: 4111 1111 1111 1111, thanks", "12 4111 1111 1111 1111",
                             "card4111111111111111x", "3782 822463 10005"}) {
        BOOST_TEST(textHoldsCardNumber(text), text);
    }
    for (const char* text : {"41111111111111110",        // a card inside a longer run
                             "4111 1111 1111 111",       // 15 digits
                             "4111    1111 1111 1111",   // four separators end the chain
                             "4111a1111b1111c1111",      // letters end it
                             "41 11 11 11 11 11 11 11",  // not grouped as cards are
                             "6774 036670 20261024",     // a store-register-date receipt id
                             "41111111-1111-4111-8111-111111111111",  // a UUID, whatever its digits
                             "R3-20261123-000042", "2026-11-23T14:05:09+01:00"}) {
        BOOST_TEST(!textHoldsCardNumber(text), text);
    }
}

BOOST_AUTO_TEST_CASE(keys_numbers_and_floats_are_checked_at_any_path) {
    BOOST_TEST(guard(R"({"notes":{"4111111111111111":"x"}})").value_or("") ==
               "$.notes.4111111111111111");
    BOOST_TEST(guard(R"({"lines":[{"quantity":4111111111111111}]})").value_or("") ==
               "$.lines[0].quantity");
    BOOST_TEST(guard(R"({"lines":[{"quantity":4111111111111111.0}]})").has_value());
    BOOST_TEST(guard(R"({"lines":[{"quantity":4.111111111111111e15}]})").has_value());
    BOOST_TEST(guard(R"({"x":{"gtin":"4111111111111111"}})").has_value());
    BOOST_TEST(guard(R"({"member":{"phone":"+4111111111111111"}})").has_value());
    BOOST_TEST(!guard(R"({"lines":[{"gtin":"04006381333931","quantity":2.5}]})").has_value());
    BOOST_TEST(!guard(R"({"flag":true,"n":null,"neg":-12})").has_value());
}

BOOST_AUTO_TEST_CASE(the_corpora_have_no_false_positive_and_no_false_negative) {
    size_t legitimate = 0;
    size_t cards = 0;
    const auto falsePositives = mistakes("legitimate.jsonl", false, legitimate);
    const auto falseNegatives = mistakes("cards.jsonl", true, cards);
    BOOST_TEST(legitimate >= 10000u);
    BOOST_TEST(cards >= 1000u);
    BOOST_TEST(falsePositives.size() == 0u);
    BOOST_TEST(falseNegatives.size() == 0u);
    for (size_t i = 0; i < std::min<size_t>(5, falsePositives.size()); ++i)
        BOOST_TEST_MESSAGE("false positive: " << falsePositives[i]);
    for (size_t i = 0; i < std::min<size_t>(5, falseNegatives.size()); ++i)
        BOOST_TEST_MESSAGE("false negative: " << falseNegatives[i]);
}

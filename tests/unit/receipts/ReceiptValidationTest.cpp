#define BOOST_TEST_MODULE receipt_validation
#include <boost/test/unit_test.hpp>

#include "ExampleReceipt.h"

#include <Poco/JSON/Parser.h>

#include "core/Money.h"
#include "receipts/CardNumberGuard.h"
#include "receipts/ReceiptValidation.h"

using namespace lojal;

namespace {

const std::string& kExample = lojal::test::kExampleReceipt;

std::optional<ReceiptFault> check(const std::string& json) {
    Poco::JSON::Parser parser;
    const auto object = parser.parse(json).extract<Poco::JSON::Object::Ptr>();
    ReceiptSummary summary;
    return validateReceipt(*object, summary);
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const size_t at = text.find(from);
    BOOST_REQUIRE_MESSAGE(at != std::string::npos, from);
    return text.replace(at, from.size(), to);
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_example_receipt_is_valid) {
    Poco::JSON::Parser parser;
    const auto object = parser.parse(kExample).extract<Poco::JSON::Object::Ptr>();
    ReceiptSummary summary;
    const auto fault = validateReceipt(*object, summary);
    BOOST_TEST(!fault.has_value(),
               (fault ? fault->code + " at " + fault->path + ": " + fault->message : ""));
    BOOST_TEST(summary.totalMinor == 11680);
    BOOST_TEST(summary.registerId == "R3");
}

BOOST_AUTO_TEST_CASE(faults_name_their_code_and_json_path) {
    struct Case {
        std::string json;
        const char* code;
        const char* path;
    };
    const Case cases[] = {
        {replaced(kExample, "\"total\":\"116.80\"", "\"total\":\"116.90\""), "total_mismatch",
         "$.total"},
        {replaced(kExample, "\"total\":\"109.80\"", "\"total\":\"109.70\""), "line_total_mismatch",
         "$.lines[0].total"},
        {replaced(kExample, "\"amount\":\"11.76\"", "\"amount\":\"11.77\""), "vat_mismatch",
         "$.vat[0].amount"},
        {replaced(kExample, "\"method\":\"card\",\"amount\":\"116.80\"",
                  "\"method\":\"card\",\"amount\":\"100.00\""),
         "payments_mismatch", "$.payments"},
        {replaced(kExample, "\"currency\":\"SEK\"", "\"currency\":\"XXX\""), "unknown_currency",
         "$.currency"},
        {replaced(kExample, "2026-11-23T14:05:09+01:00", "2026-11-23T14:05:09"), "invalid_time",
         "$.time"},
        {replaced(kExample, "\"quantity\":2", "\"quantity\":-2"), "negative_quantity",
         "$.lines[0].quantity"},
        {replaced(kExample, "\"unit_price\":\"54.90\"", "\"unit_price\":54.9"), "invalid_amount",
         "$.lines[0].unit_price"},
        {replaced(kExample, "\"unit_price\":\"54.90\"", "\"unit_price\":\"54.901\""),
         "invalid_amount", "$.lines[0].unit_price"},
        {replaced(kExample, "\"quantity\":2", "\"quantity\":\"two\""), "invalid_field",
         "$.lines[0].quantity"},
        {replaced(kExample, "\"Kaffe 450 g\"", "\"Kaffe, kort 4111 1111 1111 1111\""),
         "card_number_refused", "$.lines[0].description"},
        {replaced(kExample, "\"cashier_id\":\"C17\"", "\"cashier_id\":\"5555555555554444\""),
         "card_number_refused", "$.cashier_id"},
        {replaced(kExample, "\"gtin\":\"07310865071811\"", "\"gtin\":\"07310865071812\""),
         "invalid_field", "$.lines[0].gtin"},
        {replaced(kExample, "\"receipt_id\":\"6f1c2b1e-8a47-4f0e-9a55-0d7c3f1e2a10\",", ""),
         "missing_field", "$.receipt_id"},
        {replaced(kExample, "\"lines\":[", "\"lines\":[7,"), "invalid_field", "$.lines[0]"},
        {replaced(kExample, "\"payments\":[{\"method\":\"card\",\"amount\":\"116.80\"}]",
                  "\"payments\":[]"),
         "invalid_field", "$.payments"},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.code << " " << c.path) {
            const auto fault = check(c.json);
            BOOST_REQUIRE(fault.has_value());
            BOOST_TEST(fault->code == c.code, fault->message);
            BOOST_TEST(fault->path == c.path);
        }
    }
}

BOOST_AUTO_TEST_CASE(returns_may_have_negative_quantities) {
    std::string json =
        replaced(kExample, "\"currency\":\"SEK\"", "\"currency\":\"SEK\",\"kind\":\"return\"");
    json = replaced(json, "\"quantity\":2", "\"quantity\":-2");
    json = replaced(json, "\"total\":\"109.80\"", "\"total\":\"-109.80\"");
    json = replaced(json, "\"total\":\"116.80\"", "\"total\":\"-102.80\"");
    json = replaced(json, "\"amount\":\"11.76\"", "\"amount\":\"-11.76\"");
    json = replaced(json, "\"method\":\"card\",\"amount\":\"116.80\"",
                    "\"method\":\"card\",\"amount\":\"-102.80\"");
    const auto fault = check(json);
    BOOST_TEST(!fault.has_value(),
               (fault ? fault->code + " at " + fault->path + ": " + fault->message : ""));
}

BOOST_AUTO_TEST_CASE(money_is_exact) {
    BOOST_TEST(*parseDecimal("54.90", 2) == 5490);
    BOOST_TEST(*parseDecimal("54.9", 2) == 5490);
    BOOST_TEST(*parseDecimal("-7", 2) == -700);
    BOOST_TEST(!parseDecimal("1e3", 2).has_value());
    BOOST_TEST(!parseDecimal("+1", 2).has_value());
    BOOST_TEST(!parseDecimal("1.", 2).has_value());
    BOOST_TEST(!parseDecimal(".5", 2).has_value());
    BOOST_TEST(!parseDecimal("1.234", 2).has_value());
    BOOST_TEST(mulDivRound(10980, 1200, 11200) == 1176);  // 109.80 incl. 12 % VAT -> 11.76
    BOOST_TEST(mulDivRound(-10980, 1200, 11200) == -1176);
    BOOST_TEST(mulDivRound(5, 1, 10) == 1);  // half away from zero
    BOOST_TEST(mulDivRound(-5, 1, 10) == -1);
    BOOST_TEST(formatDecimal(-11680, 2) == "-116.80");
    BOOST_TEST(formatDecimal(7, 2) == "0.07");
    BOOST_TEST(formatDecimal(42, 0) == "42");
    BOOST_TEST(cardguard::isCardNumber("4111111111111111"));
    BOOST_TEST(!cardguard::isCardNumber("4111111111111112"));
    BOOST_TEST(!cardguard::isCardNumber("411111111111"));  // 12 digits: too short
}

BOOST_AUTO_TEST_CASE(quantities_are_bounded_numbers_and_never_wrap) {
    const std::string bagQuantity = "\"quantity\":1,\"unit_price\":\"7.00\"";
    for (const std::string quantity :
         {"true", "false", "9223372036854775807", "9223372036854775808", "18446744073709551615",
          "-9223372036854775808", "2305843009213694000", "1000001", "-1000001", "\"1000000.001\"",
          "\"-1000001\"", "1e3", "2.5", "null", "[1]"}) {
        BOOST_TEST_CONTEXT(quantity) {
            const auto fault = check(replaced(
                kExample, bagQuantity, "\"quantity\":" + quantity + ",\"unit_price\":\"7.00\""));
            BOOST_REQUIRE(fault.has_value());
            // 19-digit values may pass Luhn: the card-number guard, which runs first,
            // refuses those; either way a clean refusal at the field, never a wrap.
            BOOST_TEST((fault->code == "invalid_field" || fault->code == "card_number_refused"),
                       fault->code);
            BOOST_TEST(fault->path == "$.lines[1].quantity");
        }
    }
    // 2305843009213694000 × 1000 wraps to 48 in 64 bits: a total of 0.48 × 7.00
    // would have matched before. Now nothing is multiplied before the bound.
    const auto wrapped = check(
        replaced(replaced(replaced(kExample, bagQuantity,
                                   "\"quantity\":2305843009213694000,\"unit_price\":\"7.00\""),
                          "\"total\":\"7.00\"", "\"total\":\"0.34\""),
                 "\"total\":\"116.80\"", "\"total\":\"110.14\""));
    BOOST_REQUIRE(wrapped.has_value());
    BOOST_TEST(wrapped->path == "$.lines[1].quantity");
}

BOOST_AUTO_TEST_CASE(the_largest_quantity_passes) {
    // 1,000,000 bags at 7.00: the bound is inclusive, as an integer and as a string.
    for (const char* quantity : {"1000000", "\"1000000.000\""}) {
        std::string json = replaced(
            kExample,
            "\"quantity\":1,\"unit_price\":\"7.00\",\"vat_rate\":\"25\",\"total\":\"7.00\"",
            std::string("\"quantity\":") + quantity +
                ",\"unit_price\":\"7.00\",\"vat_rate\":\"25\",\"total\":\"7000000.00\"");
        json = replaced(json, "\"total\":\"116.80\"", "\"total\":\"7000109.80\"");
        json = replaced(json, "\"amount\":\"1.40\"", "\"amount\":\"1400000.00\"");
        json = replaced(json, "\"amount\":\"116.80\"", "\"amount\":\"7000109.80\"");
        const auto fault = check(json);
        BOOST_TEST(!fault.has_value(), (fault ? fault->code + " at " + fault->path : quantity));
    }
}

BOOST_AUTO_TEST_CASE(checked_multiply_divide_says_when_the_result_does_not_fit) {
    BOOST_TEST(mulDivRoundChecked(10980, 1200, 11200).value_or(0) == 1176);
    BOOST_TEST(!mulDivRoundChecked(INT64_MAX, 2, 1).has_value());
    BOOST_TEST(!mulDivRoundChecked(INT64_MIN, -1, 1).has_value());
    BOOST_TEST(mulDivRoundChecked(INT64_MAX, 2, 2).value_or(0) == INT64_MAX);
}

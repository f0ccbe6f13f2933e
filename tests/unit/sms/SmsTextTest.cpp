#define BOOST_TEST_MODULE sms_text
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include "LojaldProcess.h"
#include "log/LogGateway.h"
#include "outbox/Outbox.h"
#include "sms/SmsText.h"
#include "sms/Templates.h"

using namespace lojal;

BOOST_AUTO_TEST_CASE(nordic_letters_are_gsm7) {
    const auto size = measureSms("Hej! Välkommen, Åsa, Øystein, Æble: ÄÖÜ äöü åø æ");
    BOOST_TEST((size.encoding == SmsEncoding::gsm7));
    BOOST_TEST(size.segments == 1u);
}

BOOST_AUTO_TEST_CASE(gsm7_lengths_and_extension_characters) {
    BOOST_TEST(measureSms(std::string(160, 'a')).segments == 1u);
    BOOST_TEST(measureSms(std::string(161, 'a')).segments == 2u);
    BOOST_TEST(measureSms(std::string(306, 'a')).segments == 2u);
    BOOST_TEST(measureSms(std::string(307, 'a')).segments == 3u);
    const auto euro = measureSms("€");
    BOOST_TEST((euro.encoding == SmsEncoding::gsm7));
    BOOST_TEST(euro.units == 2u);  // escape + character
    BOOST_TEST(measureSms(std::string(159, 'a') + "{").segments == 2u);
}

BOOST_AUTO_TEST_CASE(anything_else_is_ucs2) {
    const auto polish = measureSms("Zażółć");
    BOOST_TEST((polish.encoding == SmsEncoding::ucs2));
    BOOST_TEST(polish.units == 6u);
    std::string seventy;
    for (int i = 0; i < 70; ++i) seventy += "ł";
    BOOST_TEST(measureSms(seventy).segments == 1u);
    BOOST_TEST(measureSms(seventy + "ł").segments == 2u);
    BOOST_TEST(measureSms("🛒").units == 2u);  // a surrogate pair
    BOOST_TEST((measureSms("a\xFF").encoding == SmsEncoding::ucs2));
    BOOST_TEST(measureSms("").segments == 1u);
}

BOOST_AUTO_TEST_CASE(shipped_templates_fit_one_segment_with_a_long_link) {
    const std::string link = "https://join.example.com/j/" + std::string(30, 'x');
    auto templates =
        SmsTemplates::load(std::string(LOJAL_SOURCE_DIR) + "/daemon/sms/templates", 1,
                           {{"signup", {{"store", std::string(24, 'S')}, {"link", link}}},
                            {"otp", {{"code", "000000"}}}});
    BOOST_REQUIRE_MESSAGE(templates.ok(),
                          (templates.ok() ? std::string() : templates.error().message));
    for (const char* locale : kSmsLocales) {
        const std::string text =
            templates->render("signup", locale, {{"store", "Rusta"}, {"link", link}});
        BOOST_TEST(text.find(link) != std::string::npos);
        BOOST_TEST(measureSms(text).segments == 1u);
    }
}

BOOST_AUTO_TEST_CASE(a_template_that_overflows_is_refused_at_load) {
    lojal::test::TempDir dir;
    for (const char* locale : kSmsLocales)
        dir.write(std::string("signup.") + locale + ".txt", "Hi {store}: {link}\n");
    dir.write("signup.fi.txt", std::string(150, 'x') + " {link}\n");
    auto templates = SmsTemplates::load(
        dir.path(), 1, {{"signup", {{"store", "S"}, {"link", std::string(60, 'l')}}}});
    BOOST_REQUIRE(!templates.ok());
    BOOST_TEST(templates.error().message.find("signup.fi.txt") != std::string::npos,
               templates.error().message);
    BOOST_TEST(templates.error().message.find("2 segments") != std::string::npos,
               templates.error().message);
    dir.write("signup.fi.txt", "Hi {name}\n");
    auto unknown = SmsTemplates::load(dir.path(), 1, {{"signup", {{"store", "S"}, {"link", "l"}}}});
    BOOST_REQUIRE(!unknown.ok());
    BOOST_TEST(unknown.error().message.find("unknown placeholder") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(backoff_is_full_jitter_under_a_growing_cap) {
    std::mt19937_64 random(42);
    for (int attempt = 1; attempt <= 12; ++attempt) {
        const int64_t cap = std::min<int64_t>(600000, 1000LL << (attempt - 1));
        for (int i = 0; i < 200; ++i) {
            const int64_t delay = backoffDelayMs(attempt, 1000, 600000, random);
            BOOST_TEST((delay >= 0 && delay <= cap));
        }
    }
}

BOOST_AUTO_TEST_CASE(the_log_gateway_masks_codes_and_links) {
    using lojal::sms::maskedSmsText;
    BOOST_TEST(maskedSmsText("Din kod: 482913") == "Din kod: ******");
    BOOST_TEST(maskedSmsText("Bli medlem: https://join.example.com/j/AbC_123-x9 Tack!") ==
               "Bli medlem: https://join.example.com/\xE2\x80\xA6 Tack!");
    BOOST_TEST(maskedSmsText("http://host") == "http://host");
    BOOST_TEST(maskedSmsText("Ring 070 123 45 67, kod 1234") == "Ring 070 123 45 67, kod ****");
    BOOST_TEST(maskedSmsText("100 poäng") == "100 poäng");
}

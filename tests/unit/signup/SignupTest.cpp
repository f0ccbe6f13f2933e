#define BOOST_TEST_MODULE signup
#include <boost/test/unit_test.hpp>

#include "signup/Phone.h"
#include "signup/RateLimiter.h"
#include "signup/SignupToken.h"

using namespace lojal;
using namespace std::chrono_literals;

namespace {
const std::string kSecret = "a-signup-secret-of-at-least-32-characters";
constexpr int64_t kNow = 1795000000;
}  // namespace

BOOST_AUTO_TEST_CASE(tokens_are_short_and_carry_their_claims) {
    const std::string token = signSignupToken({123456789, kNow + 7 * 86400, "store-7"}, kSecret);
    BOOST_TEST(token.size() == 30u);
    const auto claims = verifySignupToken(token, kSecret, "store-7", kNow);
    BOOST_REQUIRE(claims.ok());
    BOOST_TEST(claims->signupId == 123456789u);
    BOOST_TEST(claims->expiresAt / 60 == (kNow + 7 * 86400) / 60);
}

BOOST_AUTO_TEST_CASE(tampered_expired_and_foreign_tokens_are_refused) {
    const std::string token = signSignupToken({42, kNow + 3600, "store-7"}, kSecret);
    std::string tampered = token;
    tampered[5] = tampered[5] == 'A' ? 'B' : 'A';
    BOOST_TEST(verifySignupToken(tampered, kSecret, "store-7", kNow).error().message == "tampered");
    BOOST_TEST(verifySignupToken(token, "another-secret-of-at-least-32-characters", "store-7", kNow)
                   .error()
                   .message == "tampered");
    BOOST_TEST(verifySignupToken(token, kSecret, "store-8", kNow).error().message == "other store");
    BOOST_TEST(verifySignupToken(token, kSecret, "store-7", kNow + 3601).error().message ==
               "expired");
    BOOST_TEST(verifySignupToken("short", kSecret, "store-7", kNow).error().message == "malformed");
    BOOST_TEST(verifySignupToken(std::string(30, '!'), kSecret, "store-7", kNow).error().message ==
               "malformed");
}

BOOST_AUTO_TEST_CASE(mobile_numbers_are_normalised_to_e164) {
    const std::set<std::string> nordics = {"SE", "NO", "DK", "FI"};
    BOOST_TEST(parseMobileNumber("070-123 45 67", "SE", nordics)->e164 == "+46701234567");
    BOOST_TEST(parseMobileNumber("+46 70 123 45 67", "NO", nordics)->e164 == "+46701234567");
    BOOST_TEST(parseMobileNumber("412 34 567", "NO", nordics)->e164 == "+4741234567");
    BOOST_TEST(parseMobileNumber("412 34 567", "NO", nordics)->country == "NO");
}

BOOST_AUTO_TEST_CASE(bad_numbers_are_refused_with_their_code) {
    const std::set<std::string> sweden = {"SE"};
    const std::pair<std::string, const char*> cases[] = {
        {"hello", "invalid_phone"},
        {"+999", "invalid_phone"},
        {std::string(40, '7'), "invalid_phone"},
        {"", "invalid_phone"},
        {"08-123 456 78", "not_mobile"},  // Stockholm landline
        {"+47 412 34 567", "country_not_allowed"},
        {"070\n1234567", "invalid_phone"},
    };
    for (const auto& [typed, code] : cases) {
        BOOST_TEST_CONTEXT(typed) {
            const auto parsed = parseMobileNumber(typed, "SE", sweden);
            BOOST_REQUIRE(!parsed.ok());
            BOOST_TEST(parsed.error().message.rfind(std::string(code) + ": ", 0) == 0u,
                       parsed.error().message);
        }
    }
}

BOOST_AUTO_TEST_CASE(token_buckets_refill_with_the_clock) {
    RateLimiter limiter({2, 1.0 / 60});  // burst 2, one more per minute
    const RateLimiter::TimePoint t0{};
    BOOST_TEST(limiter.take("+46701234567", t0).allowed);
    BOOST_TEST(limiter.take("+46701234567", t0).allowed);
    const auto refused = limiter.take("+46701234567", t0 + 1s);
    BOOST_TEST(!refused.allowed);
    BOOST_TEST(refused.retryAfterSeconds > 58.0);
    BOOST_TEST(refused.retryAfterSeconds <= 60.0);
    BOOST_TEST(limiter.take("+46709999999", t0 + 1s).allowed);  // keys are independent
    BOOST_TEST(limiter.take("+46701234567", t0 + 61s).allowed);
    limiter.refund("+46701234567");
    BOOST_TEST(limiter.take("+46701234567", t0 + 61s).allowed);
}

#define BOOST_TEST_MODULE auth
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <fstream>

#include "LojaldProcess.h"
#include "api/Auth.h"

using namespace lojal;

BOOST_AUTO_TEST_CASE(bearer_tokens_resolve_to_name_and_role) {
    const std::string secret = "pos-secret-0123456789abcdef";
    TokenRegistry registry({ApiToken{"register-1", Role::pos, sha256Hex(secret)}});
    auto caller = registry.authenticate("Bearer " + secret);
    BOOST_REQUIRE(caller.has_value());
    BOOST_TEST(caller->tokenName == "register-1");
    BOOST_TEST((caller->role == Role::pos));
}

BOOST_AUTO_TEST_CASE(anything_else_is_refused) {
    const std::string secret = "pos-secret-0123456789abcdef";
    TokenRegistry registry({ApiToken{"register-1", Role::pos, sha256Hex(secret)}});
    for (const std::string& header : std::vector<std::string>{
             "", "Bearer", "Bearer ", "bearer " + secret, "Basic " + secret, secret,
             "Bearer " + secret + "x", "Bearer  " + secret, "Bearer " + sha256Hex(secret)}) {
        BOOST_TEST_CONTEXT(header) {
            BOOST_TEST(!registry.authenticate(header).has_value());
        }
    }
}

BOOST_AUTO_TEST_CASE(generated_secrets_are_long_and_distinct) {
    const auto a = generateTokenSecret();
    const auto b = generateTokenSecret();
    BOOST_TEST(a.size() == 64u);
    BOOST_TEST(a != b);
}

BOOST_AUTO_TEST_CASE(dev_tokens_file_is_created_private_and_reused) {
    lojal::test::TempDir dir;
    const std::string path = dir.file("var/dev-tokens");
    auto first = loadOrCreateDevTokens(path);
    BOOST_REQUIRE_MESSAGE(first.ok(), (first.ok() ? std::string() : first.error().message));
    BOOST_REQUIRE_EQUAL(first->size(), 4u);
    struct stat info {};
    BOOST_REQUIRE(stat(path.c_str(), &info) == 0);
    BOOST_TEST((info.st_mode & 0777) == 0600u);

    auto second = loadOrCreateDevTokens(path);
    BOOST_REQUIRE(second.ok());
    for (size_t i = 0; i < 3; ++i) BOOST_TEST((*first)[i].sha256Hex == (*second)[i].sha256Hex);

    std::ifstream in(path);
    std::string comment, role, token;
    std::getline(in, comment);
    in >> role >> token;
    TokenRegistry registry(*first);
    auto caller = registry.authenticate("Bearer " + token);
    BOOST_REQUIRE(caller.has_value());
    BOOST_TEST(toString(caller->role) == role);
}

BOOST_AUTO_TEST_CASE(garbled_dev_tokens_file_is_refused_with_its_line) {
    lojal::test::TempDir dir;
    dir.write("dev-tokens", "# ok\npos 0123456789abcdef0123456789\nwizard abc\n");
    auto tokens = loadOrCreateDevTokens(dir.file("dev-tokens"));
    BOOST_REQUIRE(!tokens.ok());
    BOOST_TEST(tokens.error().message.find("line 3") != std::string::npos, tokens.error().message);
}

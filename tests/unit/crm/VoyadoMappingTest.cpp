#define BOOST_TEST_MODULE voyado_mapping
#include <boost/test/unit_test.hpp>

#include <Poco/JSON/Parser.h>

#include "ExampleReceipt.h"
#include "voyado/VoyadoMapping.h"

using namespace lojal::crm::voyado;

namespace {

Poco::JSON::Object::Ptr parse(const std::string& text) {
    Poco::JSON::Parser parser;
    return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    return text.replace(text.find(from), from.size(), to);
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_example_receipt_maps_field_by_field) {
    const MappedReceipt mapped = mapReceipt(lojal::test::kExampleReceipt, "");
    BOOST_REQUIRE(mapped.skipReason.empty());
    const auto body = parse(mapped.body);
    const auto contact = body->getObject("contact");
    BOOST_TEST(contact->getValue<std::string>("matchKey") == "+46701234567");
    BOOST_TEST(contact->getValue<std::string>("matchKeyType") == "mobilePhone");
    BOOST_TEST(contact->getValue<std::string>("contactType") == "Member");
    BOOST_TEST(body->getValue<std::string>("uniqueReceiptId") ==
               "6f1c2b1e-8a47-4f0e-9a55-0d7c3f1e2a10");
    BOOST_TEST(body->getValue<std::string>("createdDate") == "2026-11-23T14:05:09+01:00");
    BOOST_TEST(body->getValue<std::string>("storeExternalId") == "SE-0042");
    BOOST_TEST(body->getValue<std::string>("currency") == "SEK");
    // Decimals travel as written, not through a binary float.
    BOOST_TEST(mapped.body.find("\"totalGrossPrice\":116.80") != std::string::npos, mapped.body);
    BOOST_TEST(
        mapped.body.find("\"grossPaidPrice\":109.80,\"taxAmount\":11.76,\"taxPercent\":12") !=
            std::string::npos,
        mapped.body);
    BOOST_TEST(mapped.body.find("\"grossPaidPrice\":7.00,\"taxAmount\":1.40,\"taxPercent\":25") !=
                   std::string::npos,
               mapped.body);
    const auto items = body->getArray("items");
    BOOST_REQUIRE_EQUAL(items->size(), 2u);
    BOOST_TEST(items->getObject(0)->getValue<std::string>("type") == "PURCHASE");
    BOOST_TEST(items->getObject(0)->getValue<std::string>("articleNumber") == "07310865071811");
    BOOST_TEST(items->getObject(1)->getValue<std::string>("sku") == "BAG-1");
    BOOST_TEST(items->getObject(1)->getValue<std::string>("articleName") == "Bärkasse");
    const auto payments = body->getArray("paymentMethods");
    BOOST_TEST(payments->getObject(0)->getValue<std::string>("type") == "card");
    BOOST_TEST(mapped.body.find("\"value\":116.80") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_member_id_is_the_contact_id_and_the_store_id_can_be_overridden) {
    const std::string receipt = replaced(lojal::test::kExampleReceipt, R"("phone":"+46701234567")",
                                         R"("member_id":"1c277c0a-ed93")");
    const MappedReceipt mapped = mapReceipt(receipt, "321");
    const auto body = parse(mapped.body);
    BOOST_TEST(body->getObject("contact")->getValue<std::string>("matchKeyType") == "contactId");
    BOOST_TEST(!body->getObject("contact")->has("contactType"));
    BOOST_TEST(body->getValue<std::string>("storeExternalId") == "321");
}

BOOST_AUTO_TEST_CASE(a_return_has_negative_quantity_and_positive_price) {
    std::string receipt =
        replaced(lojal::test::kExampleReceipt, R"("quantity":2)", R"("quantity":-2)");
    receipt = replaced(receipt, R"("total":"109.80")", R"("total":"-109.80")");
    const MappedReceipt mapped = mapReceipt(receipt, "");
    BOOST_TEST(mapped.body.find("\"type\":\"RETURN\",\"quantity\":-2,\"grossPaidPrice\":109.80") !=
                   std::string::npos,
               mapped.body);
}

BOOST_AUTO_TEST_CASE(receipts_voyado_cannot_file_are_skipped_with_a_reason) {
    const std::string anonymous =
        replaced(lojal::test::kExampleReceipt, R"("member":{"phone":"+46701234567"},)", "");
    BOOST_TEST(mapReceipt(anonymous, "").body.empty());
    BOOST_TEST(mapReceipt(anonymous, "").skipReason.find("identified contacts") !=
               std::string::npos);
    const std::string cardOnly = replaced(lojal::test::kExampleReceipt, R"("phone":"+46701234567")",
                                          R"("card_token":"tok-1")");
    BOOST_TEST(!mapReceipt(cardOnly, "").skipReason.empty());
    BOOST_TEST(!mapReceipt("<html>", "").skipReason.empty());
}

BOOST_AUTO_TEST_CASE(contact_answers_are_read_or_refused) {
    BOOST_TEST(parseContactId("\"1c277c0a\"").value_or("") == "1c277c0a");
    BOOST_TEST(parseContactId(R"({"id":"abc"})").value_or("") == "abc");
    BOOST_TEST(!parseContactId("<html>").has_value());
    BOOST_TEST(!parseContactId("").has_value());
    const auto member =
        parseContact(R"({"id":"c1","attributes":{"mobilePhone":"+46701234567"},"bonusPoints":7})");
    BOOST_REQUIRE(member.has_value());
    BOOST_TEST(member->memberId == "c1");
    BOOST_TEST(member->phone == "+46701234567");
    BOOST_TEST(member->points == 7);
    BOOST_TEST(!parseContact(R"({"attributes":{}})").has_value());
    BOOST_TEST(!parseContact("[1,2]").has_value());
    const auto ids = parseChangedIds(R"(["a","b"])");
    BOOST_REQUIRE(ids.has_value());
    BOOST_TEST(ids->size() == 2u);
    BOOST_TEST(!parseChangedIds("{}").has_value());
}

// exchangeRateToGroupCurrency only when the store configured one: a fixed 1.0
// would file a SEK store's receipts as if in the group's currency.
BOOST_AUTO_TEST_CASE(the_exchange_rate_is_sent_only_when_configured) {
    BOOST_TEST(mapReceipt(lojal::test::kExampleReceipt, "").body.find("exchangeRate") ==
               std::string::npos);
    const MappedReceipt mapped = mapReceipt(lojal::test::kExampleReceipt, "", "0.0912");
    BOOST_TEST(mapped.body.find("\"exchangeRateToGroupCurrency\":0.0912") != std::string::npos,
               mapped.body);
}

// Each consent goes under the tenant's id for its purpose; a purpose the tenant
// has no id for is not sent (its preference still is).
BOOST_AUTO_TEST_CASE(sign_up_consents_use_the_tenants_consent_ids) {
    lojal::crm::OutgoingSignup signup;
    signup.phone = "+46701234567";
    signup.storeId = "SE-0042";
    signup.registerId = "R3";
    signup.createdAt = "2026-11-23T13:05:09Z";
    signup.consents = {{"marketing_sms", true, "2026-01", "Ja."},
                       {"newsletter", false, "1", "Nej."}};
    const auto contact = parse(mapSignup(signup, {{"marketing_sms", "7e2c-sms"}}));
    const auto consents = contact->getArray("consents");
    BOOST_REQUIRE_EQUAL(consents->size(), 1u);
    BOOST_TEST(consents->getObject(0)->getValue<std::string>("id") == "7e2c-sms");
    BOOST_TEST(consents->getObject(0)->getValue<bool>("value"));
    BOOST_TEST(contact->getObject("preferences")->getValue<bool>("acceptsSms"));
}

// Points come from the contact's point account (a page of PointAccountModel).
BOOST_AUTO_TEST_CASE(the_point_balance_is_read_from_the_point_account) {
    const std::string page =
        R"({"items":[{"id":7,"contactId":"c1","definitionId":1,"balance":340.0,"pendingPoints":5},
                     {"id":8,"contactId":"c1","definitionId":2,"balance":12}],"totalCount":2})";
    BOOST_TEST(*parsePointBalance(page, 0) == 340);  // the first account
    BOOST_TEST(*parsePointBalance(page, 2) == 12);
    BOOST_TEST(!parsePointBalance(page, 3).has_value());
    BOOST_TEST(!parsePointBalance(R"({"items":[]})", 0).has_value());
    BOOST_TEST(!parsePointBalance("<html>", 0).has_value());
}

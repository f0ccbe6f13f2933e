#define BOOST_TEST_MODULE voyado_mapping
#include <boost/test/unit_test.hpp>

#include <Poco/JSON/Parser.h>
#include <cmath>

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

namespace {

// Minor units of a JSON number Poco read as a double.
int64_t cents(const Poco::JSON::Object& object, const std::string& name) {
    return std::llround(object.getValue<double>(name) * 100);
}

// Σ items as money (a RETURN's price counts against the customer's total).
int64_t itemsSum(const Poco::JSON::Object& body) {
    int64_t sum = 0;
    const auto items = body.getArray("items");
    for (size_t i = 0; i < items->size(); ++i) {
        const auto item = items->getObject(static_cast<unsigned>(i));
        const int64_t direction = item->getValue<std::string>("type") == "RETURN" ? -1 : 1;
        sum += direction * cents(*item, "grossPaidPrice");
    }
    return sum;
}

}  // namespace

// "Register a return": RETURN items have a negative quantity and a positive
// price; totalGrossPrice and payments are negative.
BOOST_AUTO_TEST_CASE(a_mixed_receipt_maps_each_line_to_its_type) {
    const MappedReceipt mapped = mapReceipt(lojal::test::kMixedReceipt, "");
    BOOST_REQUIRE(mapped.skipReason.empty());
    const auto body = parse(mapped.body);
    const auto items = body->getArray("items");
    BOOST_REQUIRE_EQUAL(items->size(), 5u);
    const auto item = [&](unsigned i) { return items->getObject(i); };

    BOOST_TEST(item(0)->getValue<std::string>("type") == "PURCHASE");
    BOOST_TEST(item(0)->getValue<int>("quantity") == 2);
    BOOST_TEST(cents(*item(0), "grossPaidPrice") == 9980);
    const auto discount = item(0)->getArray("discounts")->getObject(0);
    BOOST_TEST(cents(*discount, "value") == -1000);

    BOOST_TEST(item(1)->getValue<std::string>("type") == "RETURN");
    BOOST_TEST(item(1)->getValue<int>("quantity") == -1);
    BOOST_TEST(cents(*item(1), "grossPaidPrice") == 40000);
    BOOST_TEST(cents(*item(1), "taxAmount") == 8000);
    BOOST_TEST(!item(1)->has("discounts"));

    // The deposit paid back and the coupon are sold lines of negative amount.
    BOOST_TEST(item(2)->getValue<std::string>("type") == "ADJUSTMENT");
    BOOST_TEST(item(2)->getValue<int>("quantity") == 10);
    BOOST_TEST(cents(*item(2), "grossPaidPrice") == -1000);
    BOOST_TEST(cents(*item(2), "taxAmount") == -200);
    BOOST_TEST(item(3)->getValue<std::string>("type") == "ADJUSTMENT");
    BOOST_TEST(cents(*item(3), "grossPaidPrice") == -500);

    // Weighed: an integer quantity, the weight in packQuantity.
    BOOST_TEST(item(4)->getValue<std::string>("type") == "PURCHASE");
    BOOST_TEST(item(4)->getValue<int>("quantity") == 1);
    BOOST_TEST(mapped.body.find("\"packQuantity\":0.455") != std::string::npos, mapped.body);
    BOOST_TEST(cents(*item(4), "grossPaidPrice") == 1133);

    BOOST_TEST(cents(*body, "totalGrossPrice") == -30387);
    BOOST_TEST(itemsSum(*body) == -30387);
    BOOST_TEST(cents(*body->getArray("paymentMethods")->getObject(0), "value") == -30387);
}

BOOST_AUTO_TEST_CASE(every_quantity_sent_is_an_integer) {
    for (const std::string quantity : {"\"0.455\"", "\"1.5\"", "\"2.000\"", "3", "\"-0.250\""}) {
        std::string receipt =
            replaced(lojal::test::kExampleReceipt, R"("quantity":2)", "\"quantity\":" + quantity);
        const auto body = parse(mapReceipt(receipt, "").body);
        const auto item = body->getArray("items")->getObject(0);
        const auto sent = item->get("quantity");
        BOOST_TEST(sent.isInteger(), quantity);
        const bool weighed = quantity.find('.') != std::string::npos && quantity != "\"2.000\"";
        BOOST_TEST(item->has("packQuantity") == weighed, quantity);
        if (weighed) BOOST_TEST(std::abs(sent.convert<int>()) == 1, quantity);
    }
}

// A POS may write a return all positive and say so with "kind":"return"; Voyado
// gets the same signed receipt as from a POS that writes negative numbers.
BOOST_AUTO_TEST_CASE(an_all_positive_return_is_sent_signed) {
    std::string receipt = replaced(lojal::test::kExampleReceipt, R"("currency":"SEK",)",
                                   R"("currency":"SEK","kind":"return",)");
    const auto body = parse(mapReceipt(receipt, "").body);
    const auto items = body->getArray("items");
    BOOST_TEST(items->getObject(0)->getValue<std::string>("type") == "RETURN");
    BOOST_TEST(items->getObject(0)->getValue<int>("quantity") == -2);
    BOOST_TEST(cents(*items->getObject(0), "grossPaidPrice") == 10980);
    BOOST_TEST(items->getObject(1)->getValue<int>("quantity") == -1);
    BOOST_TEST(cents(*body, "totalGrossPrice") == -11680);
    BOOST_TEST(itemsSum(*body) == -11680);
    BOOST_TEST(cents(*body->getArray("paymentMethods")->getObject(0), "value") == -11680);
}

BOOST_AUTO_TEST_CASE(a_sale_stays_as_written) {
    const auto body = parse(mapReceipt(lojal::test::kExampleReceipt, "").body);
    BOOST_TEST(itemsSum(*body) == 11680);
    BOOST_TEST(cents(*body, "totalGrossPrice") == 11680);
    BOOST_TEST(!body->getArray("items")->getObject(0)->has("discounts"));
}

BOOST_AUTO_TEST_CASE(refusals_name_the_fields_voyado_names) {
    const std::string modelState =
        R"({"message":"The request is invalid.","errorCode":"InvalidModel","modelState":{"firstName":["The field is required."]}})";
    BOOST_TEST(describeRefusal(400, modelState) ==
               "Voyado answered 400 InvalidModel, field 'firstName': The field is required.");
    BOOST_TEST(describeRefusal(422, R"({"errors":{"countryCode":"missing"}})") ==
               "Voyado answered 422, field 'countryCode': missing");
    BOOST_TEST(describeRefusal(409, R"({"errorCode":"MultipleMatches","message":"Multiple"})") ==
               "Voyado answered 409 MultipleMatches: Multiple");
    BOOST_TEST(describeRefusal(400, "not json") == "Voyado answered 400: not json");
    BOOST_TEST(describeRefusal(500, "") == "Voyado answered 500");
    // Control characters and very long answers do not reach the log whole.
    const std::string hostile =
        describeRefusal(400, std::string("\x1b[31m") + std::string(5000, 'x'));
    BOOST_TEST(hostile.size() <= 303u);
    BOOST_TEST(hostile.find('\x1b') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_new_contact_carries_its_type_and_country) {
    lojal::crm::OutgoingSignup signup;
    signup.phone = "+46701234567";
    const auto contact = parse(mapSignup(signup, {}, {"Member", "SE"}));
    BOOST_TEST(contact->getValue<std::string>("contactType") == "Member");
    BOOST_TEST(contact->getValue<std::string>("countryCode") == "SE");
    BOOST_TEST(!parse(mapSignup(signup, {}, {"Member", ""}))->has("countryCode"));
    // An update sends only what changes ("Update contact": empty values overwrite).
    const auto update = parse(mapConsentUpdate(signup, {}));
    BOOST_TEST(!update->has("contactType"));
    BOOST_TEST(!update->has("mobilePhone"));
}

BOOST_AUTO_TEST_CASE(promotions_and_vouchers_become_the_members_own_offers) {
    const int64_t now = 1795000000000;  // 2026-11-17
    const auto promotions = parsePromotions(
        R"([{"id":"p1","name":"n","heading":"Free coffee","expiresOn":"2026-12-31T23:59:59+01:00","redeemed":false},
            {"id":"p2","name":"Redeemed","redeemed":true},
            {"id":"p3","name":"Expired","expiresOn":"2026-11-01T00:00:00Z"},
            {"id":"p4","name":"Open-ended","expiresOn":null},
            {"id":"p5","name":"Bad date","expiresOn":"soon"},
            {"name":"No id"}, 7])",
        now);
    BOOST_REQUIRE(promotions);
    BOOST_REQUIRE_EQUAL(promotions->size(), 2u);
    BOOST_TEST((*promotions)[0].offerId == "promotion:p1");
    BOOST_TEST((*promotions)[0].title == "Free coffee");
    BOOST_TEST((*promotions)[0].validTo == "2026-12-31T22:59:59.000Z");
    BOOST_TEST((*promotions)[1].title == "Open-ended");
    BOOST_TEST((*promotions)[1].validTo.empty());
    const auto vouchers = parseVouchers(
        R"({"items":[{"id":"v1","checkNumber":"1","name":"50 kr","expiresOn":"2027-01-31T00:00:00"}],"totalCount":1})",
        now);
    BOOST_REQUIRE(vouchers);
    BOOST_REQUIRE_EQUAL(vouchers->size(), 1u);
    BOOST_TEST((*vouchers)[0].offerId == "voucher:v1");
    BOOST_TEST((*vouchers)[0].validTo == "2027-01-31T00:00:00.000Z");
    BOOST_TEST(!parsePromotions("{}", now));
    BOOST_TEST(!parseVouchers("[]", now));
    BOOST_TEST(!parsePromotions("not json", now));
}

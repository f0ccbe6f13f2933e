#include "voyado/VoyadoMapping.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeParser.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <map>
#include <sstream>

#include "core/Money.h"
#include "core/Time.h"

namespace lojal::crm::voyado {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

// Amounts are written as JSON numbers from their exact decimal text: "54.90"
// stays 54.90, never a binary float's 54.899999.
class JsonWriter {
  public:
    void key(const char* name) {
        comma();
        quote(name);
        out_ << ':';
        fresh_ = true;
    }
    void text(const std::string& value) {
        comma();
        quote(value);
    }
    void number(const std::string& decimalText) {
        comma();
        out_ << decimalText;
    }
    void open(char bracket) {
        comma();
        out_ << bracket;
        fresh_ = true;
    }
    void close(char bracket) {
        out_ << bracket;
        fresh_ = false;
    }
    std::string str() const { return out_.str(); }

  private:
    void comma() {
        if (!fresh_) out_ << ',';
        fresh_ = false;
    }
    void quote(const std::string& value) {
        Poco::JSON::Stringifier::formatString(value, out_, Poco::JSON_WRAP_STRINGS);
    }
    std::ostringstream out_;
    bool fresh_ = true;
};

std::string textOf(const Object& object, const std::string& name) {
    return object.has(name) && !object.isNull(name) ? object.get(name).convert<std::string>() : "";
}

// Money and quantities of one receipt in Voyado's sign convention. A return
// receipt may be written all-positive (its kind says it is a return) or signed
// (negative quantities); Voyado wants the signed form, so an all-positive return
// is turned round once here and every rule below reads signs only.
struct Signs {
    int64_t flip = 1;  // -1: an all-positive return
    int decimals = 2;
};

constexpr int kQuantityDecimals = 3;  // docs/API.md: up to 3 decimals (weighed goods)

std::string signedAmount(const std::string& text, const Signs& signs, int64_t factor = 1) {
    const auto minor = parseDecimal(text, signs.decimals);
    return formatDecimal(minor.value_or(0) * signs.flip * factor, signs.decimals);
}

// VAT inside a gross amount in minor units: gross * rate / (100 + rate), rounded
// half away from zero (the rule of docs/API.md).
int64_t taxMinor(int64_t grossMinor, const std::string& rate) {
    const auto rateHundredths = parseDecimal(rate, 2);
    if (!rateHundredths) return 0;
    return mulDivRound(grossMinor, *rateHundredths, 10000 + *rateHundredths);
}

// One line as a Voyado receipt item ("Receipts - field definitions", "Register a
// return", and the ReceiptItem model of Voyado's OpenAPI file, where quantity is
// an integer (int64) and packQuantity a decimal):
//  - RETURN when the quantity is negative: quantity stays negative, the price is
//    sent positive (a returned coupon's, negative);
//  - ADJUSTMENT for a sold line with a negative amount (deposit refund, coupon):
//    its price stays negative, so the items add up to the receipt's total;
//  - PURCHASE otherwise;
//  - weighed goods (a quantity with decimals): quantity 1 (-1 on a return) and
//    the weight in packQuantity;
//  - a line discount goes in discounts[] as a negative value.
void writeItem(JsonWriter& json, const Object& line, const Signs& signs) {
    const int64_t quantity =
        parseDecimal(textOf(line, "quantity"), kQuantityDecimals).value_or(1000) * signs.flip;
    const int64_t total =
        parseDecimal(textOf(line, "total"), signs.decimals).value_or(0) * signs.flip;
    const int64_t discount =
        parseDecimal(textOf(line, "discount"), signs.decimals).value_or(0) * signs.flip;
    const bool isReturn = quantity < 0;
    const int64_t direction = isReturn ? -1 : 1;
    const char* type = isReturn ? "RETURN" : total < 0 ? "ADJUSTMENT" : "PURCHASE";
    const int64_t magnitude = quantity < 0 ? -quantity : quantity;
    const bool weighed = magnitude % 1000 != 0;
    const std::string vatRate = textOf(line, "vat_rate").empty() ? "0" : textOf(line, "vat_rate");
    const std::string article =
        textOf(line, "gtin").empty() ? textOf(line, "sku") : textOf(line, "gtin");

    json.open('{');
    json.key("type");
    json.text(type);
    json.key("quantity");
    json.number(std::to_string(weighed ? direction : quantity / 1000));
    if (weighed) {
        json.key("packQuantity");
        json.number(formatDecimal(magnitude, kQuantityDecimals));
    }
    json.key("grossPaidPrice");
    json.number(formatDecimal(direction * total, signs.decimals));
    json.key("taxAmount");
    json.number(formatDecimal(taxMinor(direction * total, vatRate), signs.decimals));
    json.key("taxPercent");
    json.number(vatRate);
    json.key("sku");
    json.text(textOf(line, "sku").empty() ? article : textOf(line, "sku"));
    json.key("articleNumber");
    json.text(article);
    json.key("articleName");
    json.text(textOf(line, "description"));
    if (discount != 0) {
        json.key("discounts");
        json.open('[');
        json.open('{');
        json.key("value");
        json.number(formatDecimal(-direction * discount, signs.decimals));
        json.key("type");
        json.text("LINE");
        json.key("description");
        json.text("line discount");
        json.close('}');
        json.close(']');
    }
    json.close('}');
}

void writeItems(JsonWriter& json, const Array& lines, const Signs& signs) {
    json.key("items");
    json.open('[');
    for (size_t i = 0; i < lines.size(); ++i) {
        if (const auto line = lines.getObject(static_cast<unsigned>(i)))
            writeItem(json, *line, signs);
    }
    json.close(']');
}

void writePayments(JsonWriter& json, const Array& payments, const Signs& signs) {
    json.key("paymentMethods");
    json.open('[');
    for (size_t i = 0; i < payments.size(); ++i) {
        const auto payment = payments.getObject(static_cast<unsigned>(i));
        if (!payment) continue;
        json.open('{');
        json.key("type");
        json.text(textOf(*payment, "method"));
        json.key("description");
        json.text(textOf(*payment, "method"));
        json.key("value");
        json.number(signedAmount(textOf(*payment, "amount"), signs));
        json.close('}');
    }
    json.close(']');
}

// An all-positive return turns round; a signed one (or a sale) stays as it is.
Signs signsOf(const Object& receipt) {
    Signs signs;
    signs.decimals = currencyExponent(textOf(receipt, "currency")).value_or(2);
    const auto total = parseDecimal(textOf(receipt, "total"), signs.decimals).value_or(0);
    if (textOf(receipt, "kind") == "return" && total > 0) signs.flip = -1;
    return signs;
}

Object::Ptr parseObject(const std::string& text) {
    Poco::JSON::Parser parser;
    return parser.parse(text).extract<Object::Ptr>();
}

}  // namespace

MappedReceipt mapReceipt(const std::string& receiptJson, const std::string& storeExternalId,
                         const std::string& exchangeRate) {
    Object::Ptr receipt;
    try {
        receipt = parseObject(receiptJson);
    } catch (const Poco::Exception& e) {
        return {"", "unreadable receipt: " + e.displayText()};
    }
    // Voyado files a receipt under a contact: contactId (our member_id is
    // Voyado's contact id) or mobilePhone.
    std::string matchKey;
    std::string matchKeyType;
    if (const auto member = receipt->getObject("member")) {
        if (!textOf(*member, "member_id").empty()) {
            matchKey = textOf(*member, "member_id");
            matchKeyType = "contactId";
        } else if (!textOf(*member, "phone").empty()) {
            matchKey = textOf(*member, "phone");
            matchKeyType = "mobilePhone";
        }
    }
    if (matchKey.empty())
        return {"", "no member_id or phone: Voyado stores receipts of identified contacts only"};

    JsonWriter json;
    json.open('{');
    json.key("contact");
    json.open('{');
    json.key("matchKey");
    json.text(matchKey);
    json.key("matchKeyType");
    json.text(matchKeyType);
    if (matchKeyType != "contactId") {
        json.key("contactType");
        json.text("Member");
    }
    json.close('}');
    json.key("uniqueReceiptId");
    json.text(textOf(*receipt, "receipt_id"));
    json.key("receiptNumber");
    json.text(textOf(*receipt, "receipt_id"));
    json.key("createdDate");  // local time with its offset, as Voyado asks
    json.text(textOf(*receipt, "time"));
    json.key("storeExternalId");
    json.text(storeExternalId.empty() ? textOf(*receipt, "store_id") : storeExternalId);
    json.key("currency");
    json.text(textOf(*receipt, "currency"));
    if (!exchangeRate.empty()) {  // else Engage converts with its own rates
        json.key("exchangeRateToGroupCurrency");
        json.number(exchangeRate);
    }
    const Signs signs = signsOf(*receipt);
    json.key("totalGrossPrice");  // negative for a return, as the field definitions say
    json.number(signedAmount(textOf(*receipt, "total"), signs));
    if (const auto payments = receipt->getArray("payments")) writePayments(json, *payments, signs);
    if (const auto lines = receipt->getArray("lines")) writeItems(json, *lines, signs);
    json.close('}');
    return {json.str(), ""};
}

namespace {

// preferences.acceptsSms and the consents under the tenant's ids.
void setConsents(Object& contact, const OutgoingSignup& signup,
                 const std::map<std::string, std::string>& consentIds) {
    Object preferences;
    Poco::JSON::Array consents;
    for (const Consent& consent : signup.consents) {
        if (consent.purpose == "marketing_sms") preferences.set("acceptsSms", consent.granted);
        const auto id = consentIds.find(consent.purpose);
        if (id == consentIds.end()) continue;  // the tenant has no such consent
        Object given;
        given.set("id", id->second);
        given.set("value", consent.granted);
        given.set("date", signup.createdAt);
        given.set("source", "Lojal " + signup.storeId + "/" + signup.registerId);
        given.set("comment", "terms " + consent.textVersion);
        consents.add(given);
    }
    contact.set("preferences", preferences);
    contact.set("consents", consents);
}

std::string stringify(const Object& object) {
    std::ostringstream out;
    object.stringify(out);
    return out.str();
}

}  // namespace

std::string mapSignup(const OutgoingSignup& signup,
                      const std::map<std::string, std::string>& consentIds,
                      const ContactDefaults& defaults) {
    Object contact;
    contact.set("contactType", defaults.contactType);
    contact.set("mobilePhone", signup.phone);
    if (!defaults.countryCode.empty()) contact.set("countryCode", defaults.countryCode);
    setConsents(contact, signup, consentIds);
    return stringify(contact);
}

std::string mapConsentUpdate(const OutgoingSignup& signup,
                             const std::map<std::string, std::string>& consentIds) {
    Object contact;
    setConsents(contact, signup, consentIds);
    return stringify(contact);
}

std::optional<std::string> parseContactId(const std::string& answer) {
    try {
        Poco::JSON::Parser parser;
        const auto value = parser.parse(answer);
        if (value.isString()) return value.extract<std::string>();
        const auto object = value.extract<Object::Ptr>();
        if (object && !textOf(*object, "id").empty()) return textOf(*object, "id");
    } catch (const Poco::Exception&) {
    }
    // Poco 1.11 cannot parse a bare top-level string: take the quoted text.
    if (answer.size() >= 2 && answer.front() == '"' && answer.back() == '"' &&
        answer.find('"', 1) == answer.size() - 1) {
        return answer.substr(1, answer.size() - 2);
    }
    return std::nullopt;
}

std::optional<Member> parseContact(const std::string& answer) {
    try {
        const auto contact = parseObject(answer);
        if (!contact) return std::nullopt;
        Member member;
        member.memberId = textOf(*contact, "id");
        if (member.memberId.empty()) return std::nullopt;
        const auto attributes = contact->getObject("attributes");
        const Object& fields = attributes ? *attributes : *contact;
        member.phone = textOf(fields, "mobilePhone");
        member.tier = textOf(fields, "memberLevel");
        const std::string points = textOf(*contact, "bonusPoints");
        member.points = parseDecimal(points, 0).value_or(0);
        return member;
    } catch (const Poco::Exception&) {
        return std::nullopt;
    }
}

std::optional<int64_t> parsePointBalance(const std::string& answer, int64_t definitionId) {
    try {
        Poco::JSON::Parser parser;
        const auto page = parser.parse(answer).extract<Poco::JSON::Object::Ptr>();
        const auto items = page ? page->getArray("items") : nullptr;
        if (!items) return std::nullopt;
        for (size_t i = 0; i < items->size(); ++i) {
            const auto account = items->getObject(static_cast<unsigned>(i));
            if (!account) continue;
            if (definitionId != 0 &&
                parseDecimal(textOf(*account, "definitionId"), 0).value_or(-1) != definitionId)
                continue;
            // Points may carry decimals in some tenants: whole points are shown.
            const std::string balance = textOf(*account, "balance");
            const auto scaled = parseDecimal(balance, 6);
            if (!scaled) return std::nullopt;
            return *scaled / 1000000;
        }
        return std::nullopt;
    } catch (const Poco::Exception&) {
        return std::nullopt;
    }
}

namespace {

std::string printable(const std::string& text, size_t limit) {
    std::string out;
    for (const char c : text) {
        if (out.size() >= limit) {
            out += "...";
            break;
        }
        out += (c >= 0x20 && c < 0x7f) ? c : '?';
    }
    return out;
}

}  // namespace

std::string describeRefusal(int status, const std::string& body) {
    std::string reason = "Voyado answered " + std::to_string(status);
    try {
        const auto error = parseObject(body);
        if (!error) throw Poco::Exception("not an object");
        std::string fields;
        for (const char* name : {"modelState", "ModelState", "errors"}) {
            const auto state = error->getObject(name);
            if (!state) continue;
            for (const auto& [field, why] : *state) {
                if (!fields.empty()) fields += "; ";
                std::string text = why.isString() ? why.convert<std::string>() : "";
                if (const auto list = state->getArray(field); list && list->size() > 0)
                    text = list->get(0).convert<std::string>();
                fields += "field '" + field + "'" + (text.empty() ? "" : ": " + text);
            }
        }
        const std::string code = textOf(*error, "errorCode");
        const std::string message = textOf(*error, "message").empty() ? textOf(*error, "Message")
                                                                      : textOf(*error, "message");
        if (!code.empty()) reason += " " + code;
        if (!fields.empty())
            reason += ", " + fields;
        else if (!message.empty())
            reason += ": " + message;
    } catch (const Poco::Exception&) {
        if (!body.empty()) reason += ": " + body;
    }
    return printable(reason, 300);
}

namespace {

// expiresOn as UTC "YYYY-MM-DDTHH:MM:SS.000Z" (ordered as text); "" when absent;
// nothing when unreadable. A time without a zone is taken as UTC.
std::optional<std::string> utcExpiry(const Object& item) {
    const std::string text = textOf(item, "expiresOn");
    if (text.empty()) return std::string();
    Poco::DateTime parsed;
    int zone = 0;
    if (!Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT, text, parsed,
                                        zone) &&
        !Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::ISO8601_FORMAT, text, parsed, zone))
        return std::nullopt;
    const int64_t millis = parsed.timestamp().epochMicroseconds() / 1000 - zone * 1000LL;
    return isoUtcFromMillis(millis);
}

// One offer from an item, unless it is redeemed, expired or unreadable.
std::optional<Offer> offerFrom(const Object& item, const std::string& kind,
                               const std::string& title, int64_t nowMs) {
    const std::string id = textOf(item, "id");
    if (id.empty() || title.empty()) return std::nullopt;
    if (item.has("redeemed") && item.get("redeemed").isBoolean() && item.getValue<bool>("redeemed"))
        return std::nullopt;
    const auto expiry = utcExpiry(item);
    if (!expiry || (!expiry->empty() && *expiry <= isoUtcFromMillis(nowMs))) return std::nullopt;
    return Offer{kind + ":" + id, title, "", *expiry, ""};
}

}  // namespace

std::optional<std::vector<Offer>> parsePromotions(const std::string& answer, int64_t nowMs) {
    try {
        Poco::JSON::Parser parser;
        const auto list = parser.parse(answer).extract<Array::Ptr>();
        if (!list) return std::nullopt;
        std::vector<Offer> offers;
        for (size_t i = 0; i < list->size(); ++i) {
            const auto item = list->getObject(static_cast<unsigned>(i));
            if (!item) continue;
            const std::string title =
                textOf(*item, "heading").empty() ? textOf(*item, "name") : textOf(*item, "heading");
            if (auto offer = offerFrom(*item, "promotion", title, nowMs)) offers.push_back(*offer);
        }
        return offers;
    } catch (const Poco::Exception&) {
        return std::nullopt;
    }
}

std::optional<std::vector<Offer>> parseVouchers(const std::string& answer, int64_t nowMs) {
    try {
        const auto page = parseObject(answer);
        const auto items = page ? page->getArray("items") : nullptr;
        if (!items) return std::nullopt;
        std::vector<Offer> offers;
        for (size_t i = 0; i < items->size(); ++i) {
            const auto item = items->getObject(static_cast<unsigned>(i));
            if (!item) continue;
            if (auto offer = offerFrom(*item, "voucher", textOf(*item, "name"), nowMs))
                offers.push_back(*offer);
        }
        return offers;
    } catch (const Poco::Exception&) {
        return std::nullopt;
    }
}

std::optional<std::vector<std::string>> parseChangedIds(const std::string& answer) {
    try {
        Poco::JSON::Parser parser;
        const auto ids = parser.parse(answer).extract<Array::Ptr>();
        if (!ids) return std::nullopt;
        std::vector<std::string> result;
        for (size_t i = 0; i < ids->size(); ++i)
            result.push_back(ids->getElement<std::string>(static_cast<unsigned>(i)));
        return result;
    } catch (const Poco::Exception&) {
        return std::nullopt;
    }
}

}  // namespace lojal::crm::voyado

#include "receipts/ReceiptValidation.h"

#include <algorithm>
#include <cstdint>

#include <Poco/JSON/Array.h>

#include <map>
#include <regex>

#include "barcode/CheckDigit.h"
#include "core/Money.h"
#include "receipts/CardNumberGuard.h"

namespace lojal {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

ReceiptFault fault(const std::string& code, const std::string& message, const std::string& path) {
    return ReceiptFault{code, message, path};
}

// The largest quantity on a line, in units (docs/API.md): far past any real
// sale, and small enough that quantity × a 12-digit price stays in 64 bits.
constexpr int64_t kMaxQuantity = 1000000;

ReceiptFault quantityOutOfRange(const std::string& at) {
    return fault("invalid_field",
                 "'quantity' must be from -1000000 to 1000000 (at most 3 decimals)",
                 at + ".quantity");
}

// A required string field, 1..maxLength bytes, no control characters.
std::optional<ReceiptFault> text(const Object& o, const std::string& key, const std::string& path,
                                 size_t maxLength, std::string& out, bool required = true) {
    const std::string at = path + "." + key;
    if (!o.has(key) || o.isNull(key)) {
        if (!required) return std::nullopt;
        return fault("missing_field", "'" + key + "' is required", at);
    }
    const auto value = o.get(key);
    if (!value.isString()) return fault("invalid_field", "'" + key + "' must be a string", at);
    out = value.extract<std::string>();
    if (out.empty() || out.size() > maxLength) {
        return fault("invalid_field",
                     "'" + key + "' must have 1 to " + std::to_string(maxLength) + " bytes", at);
    }
    for (unsigned char c : out) {
        if (c < 0x20 || c == 0x7f)
            return fault("invalid_field", "'" + key + "' contains control characters", at);
    }
    return std::nullopt;
}

bool isE164(const std::string& phone) {
    if (phone.size() < 8 || phone.size() > 16 || phone[0] != '+' || phone[1] == '0') return false;
    return std::all_of(phone.begin() + 1, phone.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "member": optional; when present an object with at least one of member_id,
// phone (E.164), card_token or qr_token.
std::optional<ReceiptFault> validateMember(const Object& r, ReceiptSummary& summary) {
    if (!r.has("member") || r.isNull("member")) return std::nullopt;
    const auto member = r.getObject("member");
    if (!member) return fault("invalid_field", "'member' must be an object", "$.member");
    if (auto f = text(*member, "member_id", "$.member", 64, summary.memberId, false)) return f;
    if (auto f = text(*member, "phone", "$.member", 16, summary.memberPhone, false)) return f;
    if (auto f = text(*member, "card_token", "$.member", 128, summary.memberCardToken, false))
        return f;
    if (auto f = text(*member, "qr_token", "$.member", 128, summary.memberQrToken, false)) return f;
    if (!summary.memberPhone.empty() && !isE164(summary.memberPhone)) {
        return fault("invalid_field", "'phone' must be in E.164 form (+46701234567)",
                     "$.member.phone");
    }
    if (summary.memberId.empty() && summary.memberPhone.empty() &&
        summary.memberCardToken.empty() && summary.memberQrToken.empty()) {
        return fault("missing_field",
                     "'member' needs one of member_id, phone, card_token or qr_token", "$.member");
    }
    return std::nullopt;
}

// An amount: a decimal string with at most the currency's minor digits.
std::optional<ReceiptFault> amount(const Object& o, const std::string& key, const std::string& path,
                                   int exponent, int64_t& out) {
    const std::string at = path + "." + key;
    if (!o.has(key) || o.isNull(key))
        return fault("missing_field", "'" + key + "' is required", at);
    const auto value = o.get(key);
    if (!value.isString()) {
        return fault("invalid_amount",
                     "amounts are decimal strings such as \"54.90\", never JSON numbers", at);
    }
    const auto parsed = parseDecimal(value.extract<std::string>(), exponent);
    if (!parsed) {
        return fault("invalid_amount",
                     "not a decimal with at most " + std::to_string(exponent) + " decimals", at);
    }
    out = *parsed;
    return std::nullopt;
}

std::optional<ReceiptFault> array(const Object& o, const std::string& key, const std::string& path,
                                  Poco::JSON::Array::Ptr& out, size_t maxItems) {
    const std::string at = path + "." + key;
    if (!o.has(key) || o.isNull(key))
        return fault("missing_field", "'" + key + "' is required", at);
    out = o.getArray(key);
    if (!out) return fault("invalid_field", "'" + key + "' must be an array", at);
    if (out->size() == 0 || out->size() > maxItems) {
        return fault("invalid_field",
                     "'" + key + "' must have 1 to " + std::to_string(maxItems) + " items", at);
    }
    return std::nullopt;
}

Object::Ptr objectAt(const Array& a, size_t index) {
    return a.isObject(static_cast<unsigned>(index)) ? a.getObject(static_cast<unsigned>(index))
                                                    : nullptr;
}

std::string pathOf(const std::string& base, size_t index) {
    return base + "[" + std::to_string(index) + "]";
}

const std::regex& rfc3339() {
    static const std::regex pattern(
        R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$)");
    return pattern;
}

}  // namespace

std::optional<ReceiptFault> validateReceipt(const Object& r, ReceiptSummary& summary) {
    if (auto card = cardguard::findCardNumber(Poco::Dynamic::Var(Object::Ptr(new Object(r))))) {
        return fault("card_number_refused", "a payment card number must never be sent (PCI DSS)",
                     *card);
    }
    if (auto f = text(r, "receipt_id", "$", 64, summary.receiptId)) return f;
    static const std::regex idPattern(R"(^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$)");
    if (!std::regex_match(summary.receiptId, idPattern)) {
        return fault("invalid_field",
                     "'receipt_id' must be letters, digits and . _ : - (a UUID is ideal)",
                     "$.receipt_id");
    }
    if (auto f = text(r, "store_id", "$", 64, summary.storeId)) return f;
    if (auto f = text(r, "register_id", "$", 64, summary.registerId)) return f;
    std::string scratch;
    if (auto f = text(r, "cashier_id", "$", 64, scratch)) return f;
    std::string time;
    if (auto f = text(r, "time", "$", 40, time)) return f;
    if (!std::regex_match(time, rfc3339())) {
        return fault("invalid_time",
                     "'time' must be RFC 3339 with an offset, e.g. 2026-11-23T14:05:09+01:00",
                     "$.time");
    }
    if (auto f = text(r, "currency", "$", 3, summary.currency)) return f;
    const auto exponent = currencyExponent(summary.currency);
    if (!exponent)
        return fault("unknown_currency", "'" + summary.currency + "' is not a known ISO 4217 code",
                     "$.currency");
    std::string kind = "sale";
    if (auto f = text(r, "kind", "$", 8, kind, false)) return f;
    if (kind != "sale" && kind != "return")
        return fault("invalid_field", "'kind' is sale or return", "$.kind");
    const bool isReturn = kind == "return";

    Array::Ptr lines;
    if (auto f = array(r, "lines", "$", lines, 1000)) return f;
    int64_t linesSum = 0;
    std::map<int64_t, int64_t> grossByRate;  // rate in hundredths of a percent -> gross
    for (size_t i = 0; i < lines->size(); ++i) {
        const std::string at = pathOf("$.lines", i);
        const auto line = objectAt(*lines, i);
        if (!line) return fault("invalid_field", "a line must be an object", at);
        std::string id;
        if (auto f = text(*line, "gtin", at, 14, id, false)) return f;
        if (id.empty()) {
            if (auto f = text(*line, "sku", at, 64, id)) {
                f->message = "a line needs 'gtin' or 'sku'";
                return f;
            }
        } else if (!barcode::hasValidGs1CheckDigit(id)) {
            return fault("invalid_field", "'gtin' has a wrong check digit", at + ".gtin");
        }
        if (auto f = text(*line, "description", at, 200, scratch)) return f;
        // Quantity: an integer, or a decimal string for weighed goods ("0.455"),
        // within ±kMaxQuantity; checked before anything is multiplied. JSON true
        // is no number, though Poco counts a bool as an integer.
        int64_t quantityMilli = 0;
        if (!line->has("quantity"))
            return fault("missing_field", "'quantity' is required", at + ".quantity");
        const auto quantity = line->get("quantity");
        if (quantity.type() == typeid(bool)) {
            return fault("invalid_field", "'quantity' is a number, not true or false",
                         at + ".quantity");
        } else if (quantity.isInteger()) {
            int64_t units = 0;
            try {
                units = quantity.convert<int64_t>();
            } catch (const Poco::Exception&) {  // an unsigned value past 2^63 - 1
                units = INT64_MAX;
            }
            if (units > kMaxQuantity || units < -kMaxQuantity) return quantityOutOfRange(at);
            quantityMilli = units * 1000;
        } else if (quantity.isString()) {
            const auto parsed = parseDecimal(quantity.extract<std::string>(), 3);
            if (!parsed)
                return fault("invalid_field",
                             "'quantity' is an integer or a decimal string with up to 3 decimals",
                             at + ".quantity");
            quantityMilli = *parsed;
            if (quantityMilli > kMaxQuantity * 1000 || quantityMilli < -kMaxQuantity * 1000)
                return quantityOutOfRange(at);
        } else {
            return fault("invalid_field", "'quantity' is an integer or a decimal string",
                         at + ".quantity");
        }
        if (quantityMilli == 0 || (!isReturn && quantityMilli < 0)) {
            return fault("negative_quantity",
                         "quantities are positive on a sale (use \"kind\":\"return\")",
                         at + ".quantity");
        }
        int64_t unitPrice = 0;
        if (auto f = amount(*line, "unit_price", at, *exponent, unitPrice)) return f;
        int64_t discount = 0;
        if (line->has("discount")) {
            if (auto f = amount(*line, "discount", at, *exponent, discount)) return f;
        }
        std::string rateText;
        if (auto f = text(*line, "vat_rate", at, 8, rateText)) return f;
        const auto rate = parseDecimal(rateText, 2);
        if (!rate || *rate < 0 || *rate > 10000)
            return fault("invalid_field", "'vat_rate' is a percentage from 0 to 100",
                         at + ".vat_rate");
        int64_t total = 0;
        if (auto f = amount(*line, "total", at, *exponent, total)) return f;
        // Bounded inputs (quantity, 12-digit amounts) keep this within 64 bits;
        // checked all the same, so no wrapped product can ever match a total.
        const auto product = mulDivRoundChecked(quantityMilli, unitPrice, 1000);
        if (!product) {
            return fault("line_total_mismatch", "quantity × unit_price is out of range",
                         at + ".total");
        }
        const int64_t expected = *product - discount;
        if (total != expected) {
            return fault(
                "line_total_mismatch",
                "quantity × unit_price − discount = " + formatDecimal(expected, *exponent) +
                    ", not " + formatDecimal(total, *exponent),
                at + ".total");
        }
        linesSum += total;
        grossByRate[*rate] += total;
    }
    if (auto f = amount(r, "total", "$", *exponent, summary.totalMinor)) return f;
    if (summary.totalMinor != linesSum) {
        return fault("total_mismatch", "the lines add up to " + formatDecimal(linesSum, *exponent),
                     "$.total");
    }
    Array::Ptr vat;
    if (auto f = array(r, "vat", "$", vat, 20)) return f;
    std::map<int64_t, int64_t> declared;
    for (size_t i = 0; i < vat->size(); ++i) {
        const std::string at = pathOf("$.vat", i);
        const auto entry = objectAt(*vat, i);
        if (!entry) return fault("invalid_field", "a VAT entry must be an object", at);
        std::string rateText;
        if (auto f = text(*entry, "rate", at, 8, rateText)) return f;
        const auto rate = parseDecimal(rateText, 2);
        if (!rate || !grossByRate.count(*rate))
            return fault("vat_mismatch", "no line has this VAT rate", at + ".rate");
        int64_t vatAmount = 0;
        if (auto f = amount(*entry, "amount", at, *exponent, vatAmount)) return f;
        // VAT included in the gross: gross × rate / (100 + rate), rounded half away from zero.
        const int64_t expected = mulDivRound(grossByRate[*rate], *rate, 10000 + *rate);
        if (vatAmount != expected) {
            return fault("vat_mismatch",
                         "VAT at this rate is " + formatDecimal(expected, *exponent),
                         at + ".amount");
        }
        declared[*rate] = vatAmount;
    }
    for (const auto& [rate, gross] : grossByRate) {
        if (!declared.count(rate) && gross != 0) {
            return fault("vat_mismatch", "no VAT entry for rate " + formatDecimal(rate, 2),
                         "$.vat");
        }
    }
    Array::Ptr payments;
    if (auto f = array(r, "payments", "$", payments, 20)) return f;
    int64_t paid = 0;
    for (size_t i = 0; i < payments->size(); ++i) {
        const std::string at = pathOf("$.payments", i);
        const auto payment = objectAt(*payments, i);
        if (!payment) return fault("invalid_field", "a payment must be an object", at);
        if (auto f = text(*payment, "method", at, 32, scratch)) return f;
        int64_t paidHere = 0;
        if (auto f = amount(*payment, "amount", at, *exponent, paidHere)) return f;
        paid += paidHere;
    }
    if (paid != summary.totalMinor) {
        return fault("payments_mismatch", "payments add up to " + formatDecimal(paid, *exponent),
                     "$.payments");
    }
    return validateMember(r, summary);
}

}  // namespace lojal

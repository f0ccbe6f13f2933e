#pragma once
// The receipt the receipts issue says lojald must accept exactly as written.

#include <string>

namespace lojal::test {

inline const std::string kExampleReceipt =
    R"({"receipt_id":"6f1c2b1e-8a47-4f0e-9a55-0d7c3f1e2a10","store_id":"SE-0042","register_id":"R3",
 "cashier_id":"C17","time":"2026-11-23T14:05:09+01:00","currency":"SEK",
 "member":{"phone":"+46701234567"},
 "lines":[{"gtin":"07310865071811","description":"Kaffe 450 g","quantity":2,"unit_price":"54.90","vat_rate":"12","total":"109.80"},
          {"sku":"BAG-1","description":"Bärkasse","quantity":1,"unit_price":"7.00","vat_rate":"25","total":"7.00"}],
 "total":"116.80","vat":[{"rate":"12","amount":"11.76"},{"rate":"25","amount":"1.40"}],
 "payments":[{"method":"card","amount":"116.80"}]})";

// A mixed receipt, signed as lojald takes it: a discounted sale, a returned
// jacket, a bottle deposit paid back, a coupon and weighed bananas. Its total
// is negative, so it is a return receipt.
inline const std::string kMixedReceipt =
    R"({"receipt_id":"mixed-1","store_id":"SE-0042","register_id":"R3","cashier_id":"C17",
 "time":"2026-11-23T14:05:09+01:00","currency":"SEK","kind":"return",
 "member":{"phone":"+46701234567"},
 "lines":[{"gtin":"07310865071811","description":"Kaffe 450 g","quantity":2,"unit_price":"54.90","discount":"10.00","vat_rate":"12","total":"99.80"},
          {"sku":"JACKET-9","description":"Jacka","quantity":-1,"unit_price":"400.00","vat_rate":"25","total":"-400.00"},
          {"sku":"PANT-1","description":"Pant retur","quantity":10,"unit_price":"-1.00","vat_rate":"25","total":"-10.00"},
          {"sku":"COUPON-5","description":"Kupong","quantity":1,"unit_price":"-5.00","vat_rate":"12","total":"-5.00"},
          {"sku":"BANANA","description":"Bananer","quantity":"0.455","unit_price":"24.90","vat_rate":"12","total":"11.33"}],
 "total":"-303.87","vat":[{"rate":"12","amount":"11.37"},{"rate":"25","amount":"-82.00"}],
 "payments":[{"method":"card","amount":"-303.87"}]})";

// The example with another receipt_id (tests that post many receipts).
inline std::string exampleReceiptWithId(const std::string& id) {
    std::string json = kExampleReceipt;
    return json.replace(json.find("6f1c2b1e-8a47-4f0e-9a55-0d7c3f1e2a10"), 36, id);
}

}  // namespace lojal::test

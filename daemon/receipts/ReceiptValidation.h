#pragma once
// Receipt validation (docs/API.md "Receipts"): types, exact decimal amounts, sums
// under the documented rounding rule, RFC 3339 time with offset, known currency,
// and no payment card numbers anywhere. Pure: a parsed body in, the fault with its
// JSON path out. Nothing is stored unless this says yes.

#include <Poco/JSON/Object.h>

#include <optional>
#include <string>

namespace lojal {

struct ReceiptFault {
    std::string code;
    std::string message;
    std::string path;  // "$.lines[1].total"
};

struct ReceiptSummary {
    std::string receiptId;
    std::string storeId;
    std::string registerId;
    int64_t totalMinor = 0;
    std::string currency;
    // From the optional "member" object (at most what the POS knew).
    std::string memberId;
    std::string memberPhone;  // E.164
    std::string memberCardToken;
    std::string memberQrToken;
};

// Fills summary and returns nothing when the receipt is valid.
std::optional<ReceiptFault> validateReceipt(const Poco::JSON::Object& receipt,
                                            ReceiptSummary& summary);

// The PCI guard on its own: receipts/CardNumberGuard.h.

}  // namespace lojal

#pragma once
// Receipt intake: validate, then store the receipt and its outbox row in one
// durable write (group commit), keyed by receipt_id so a resend is harmless.

#include <Poco/JSON/Object.h>

#include <variant>

#include "signup/RequestFields.h"
#include "store/Database.h"

namespace lojal {

struct ReceiptAccepted {
    std::string receiptId;
    bool duplicate = false;  // the same receipt_id with the same content was already stored
};

struct ReceiptRefusal {
    Refusal refusal;
    std::string path;
};

class ReceiptService {
  public:
    explicit ReceiptService(Database& database) : database_(database) {}
    std::variant<ReceiptAccepted, ReceiptRefusal> ingest(const Poco::JSON::Object& receipt);
    // "queued", "synced", "dead" or "" when unknown.
    std::string state(const std::string& receiptId);

  private:
    Database& database_;
};

}  // namespace lojal

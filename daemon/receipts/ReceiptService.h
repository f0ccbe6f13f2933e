#pragma once
// Receipt intake: validate, then store the receipt and its outbox row in one
// durable write (group commit), keyed by receipt_id so a resend is harmless.

#include <Poco/JSON/Object.h>

#include <functional>
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
    ReceiptService(Database& database, std::function<void()> stored)
        : database_(database), stored_(std::move(stored)) {}
    std::variant<ReceiptAccepted, ReceiptRefusal> ingest(const Poco::JSON::Object& receipt);
    // "queued", "synced", "dead" or "" when unknown.
    std::string state(const std::string& receiptId);

    // GET /v1/queue: the dead letters with the CRM's reasons, newest first.
    Poco::JSON::Object queue();

  private:
    Database& database_;
    std::function<void()> stored_;
};

}  // namespace lojal

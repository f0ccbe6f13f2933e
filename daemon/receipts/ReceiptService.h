#pragma once
// Receipt intake: validate, then store the receipt and its outbox row in one
// durable write (group commit), keyed by receipt_id so a resend is harmless.

#include <Poco/JSON/Object.h>

#include <functional>
#include <variant>
#include <vector>

#include "members/MemberKeys.h"
#include "receipts/ReceiptValidation.h"
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
    // memberQrKey verifies qr_token member blocks ("" when not configured).
    ReceiptService(Database& database, MemberKeys keys, std::string memberQrKey,
                   std::function<void()> stored)
        : database_(database),
          keys_(std::move(keys)),
          memberQrKey_(std::move(memberQrKey)),
          stored_(std::move(stored)) {}
    std::variant<ReceiptAccepted, ReceiptRefusal> ingest(const Poco::JSON::Object& receipt);
    // "queued", "synced", "dead" or "" when unknown.
    std::string state(const std::string& receiptId);

    // GET /v1/queue: the dead letters with the CRM's reasons, newest first.
    Poco::JSON::Object queue();

    // The member's latest receipts in this store (newest first, at most limit):
    // {time, total, currency, lines} each, found by the keyed hashes of their
    // member id and, when known, phone number. For the kiosk's member view.
    std::vector<Poco::JSON::Object> recentFor(const std::string& memberId, const std::string& phone,
                                              int limit);

    // The keyed hash that ties a receipt to its member for erasure ("" if none).
    std::string memberRef(const ReceiptSummary& summary) const;
    // Deletes receipts the CRM acknowledged that arrived before cutoffMs, with
    // their outbox rows; returns how many. Unsynced receipts are never deleted.
    Result<int> purgeSyncedBefore(int64_t cutoffMs);

  private:
    Database& database_;
    MemberKeys keys_;
    std::string memberQrKey_;
    std::function<void()> stored_;
};

}  // namespace lojal

#include "receipts/ReceiptSync.h"

namespace lojal {

namespace {

// A receipt of a customer who signed up moments ago must not reach the CRM
// before their sign-up does: the CRM would file it under no contact (Voyado
// keys receipts by the contact). True while that sign-up is still queued.
bool waitsForSignup(Transaction& tx, const std::string& body) {
    auto select = tx.prepare(
        "SELECT 1 FROM signups s JOIN outbox o ON o.topic = 'signup' AND o.idempotency_key = "
        "'signup:' || s.id WHERE s.phone = json_extract(?1, '$.member.phone') AND o.state IN "
        "('queued', 'sending') LIMIT 1");
    select.bind(1, body);
    return select.step();
}

}  // namespace

CrmTopic receiptSyncTopic(Database& database, std::shared_ptr<crm::CrmConnector> connector) {
    CrmTopic topic;
    topic.name = "receipt";
    topic.plural = "receipts";
    topic.send = [&database, connector](const std::vector<OutboxItem>& items) {
        std::vector<crm::OutgoingReceipt> receipts;
        std::vector<std::string> held;
        (void)database.read([&](Transaction& tx) {
            for (const OutboxItem& item : items) {
                auto select = tx.prepare("SELECT body FROM receipts WHERE receipt_id = ?1");
                select.bind(1, item.payload);
                if (!select.step()) continue;
                const std::string body = select.columnText(0);
                if (waitsForSignup(tx, body))
                    held.push_back(item.payload);
                else
                    receipts.push_back({item.payload, body});
            }
            return okStatus();
        });
        crm::BatchOutcome outcome =
            receipts.empty() ? crm::BatchOutcome{crm::BatchOutcome::Kind::answered, {}, "", 0}
                             : connector->sendReceipts(receipts);
        for (const std::string& id : held) {
            outcome.results[id] = {crm::ReceiptResult::Outcome::missing,
                                   "waits for its customer's sign-up to reach the CRM"};
        }
        return outcome;
    };
    return topic;
}

}  // namespace lojal

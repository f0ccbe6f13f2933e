#include "receipts/ReceiptSync.h"

namespace lojal {

CrmTopic receiptSyncTopic(Database& database, std::shared_ptr<crm::CrmConnector> connector) {
    CrmTopic topic;
    topic.name = "receipt";
    topic.plural = "receipts";
    topic.send = [&database, connector](const std::vector<OutboxItem>& items) {
        std::vector<crm::OutgoingReceipt> receipts;
        (void)database.read([&](Transaction& tx) {
            for (const OutboxItem& item : items) {
                auto select = tx.prepare("SELECT body FROM receipts WHERE receipt_id = ?1");
                select.bind(1, item.payload);
                if (select.step()) receipts.push_back({item.payload, select.columnText(0)});
            }
            return okStatus();
        });
        return connector->sendReceipts(receipts);
    };
    return topic;
}

}  // namespace lojal

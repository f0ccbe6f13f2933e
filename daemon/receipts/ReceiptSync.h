#pragma once
// The outbox topic "receipt" for CrmSync: each row's payload is a receipt_id;
// the receipt goes to the CRM as it was accepted.

#include "crmsync/CrmSync.h"

namespace lojal {
CrmTopic receiptSyncTopic(Database& database, std::shared_ptr<crm::CrmConnector> connector);
}

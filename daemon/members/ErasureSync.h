#pragma once
// The outbox topic "erasure" for CrmSync: an erasure asked for at the store
// (lojalctl erase, POST /v1/members/erase) is queued in the same transaction
// that erases the local data, and carried to the CRM (rest: POST
// /v1/erasures/batch; voyado: DELETE /api/v2/contacts/{id}). Once the CRM has
// it, the queued row forgets the member id and phone it carried.

#include <memory>

#include "CrmConnector.h"
#include "crmsync/CrmSync.h"
#include "store/Database.h"

namespace lojal {

// A new erasure for the CRM: key "{store_id}/erasure/{ms}-{random}".
crm::OutgoingErasure newErasure(const std::string& storeId, const std::string& memberId,
                                const std::string& phoneE164, int64_t nowMs);

// Queues it in tx (the erasure's own transaction).
Status queueErasure(Transaction& tx, const crm::OutgoingErasure& erasure, int64_t nowMs);

CrmTopic erasureSyncTopic(Database& database, std::shared_ptr<crm::CrmConnector> connector);

}  // namespace lojal

#pragma once
// The outbox topic "signup" for CrmSync: a sign-up with its consents goes to the
// CRM (rest: POST /v1/signups/batch; voyado: a new contact), and its consents
// are marked synced in the same transaction that settles the row.

#include "crmsync/CrmSync.h"

namespace lojal {

// "{store_id}/signup/{id}": unique across stores, the CRM's idempotency key.
std::string signupSyncKey(const std::string& storeId, int64_t signupId);

CrmTopic signupSyncTopic(Database& database, std::shared_ptr<crm::CrmConnector> connector);

}  // namespace lojal

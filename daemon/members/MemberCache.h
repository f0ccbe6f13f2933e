#pragma once
// The member cache in SQLite: what the CRM last said about each member (id,
// keyed hash of the phone, keyed hashes of card tokens, tier, points) and the
// active offers, so identification keeps working offline. Also the one place
// that erases a member's data (GDPR): cache rows, the member block of their
// receipts, and their sign-ups, consents, codes and SMS.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "CrmConnector.h"
#include "members/MemberKeys.h"
#include "store/Database.h"

namespace lojal {

struct CachedMember {
    crm::Member member;    // phone and card tokens are not kept in clear: empty here
    int64_t syncedAt = 0;  // Unix ms of the CRM answer it came from
};

struct ErasureCounts {
    int members = 0;
    int receipts = 0;      // receipts whose member block was removed
    int personalRows = 0;  // sign-ups, consents, codes, SMS
};

class MemberCache {
  public:
    MemberCache(Database& database, MemberKeys keys)
        : database_(database), keys_(std::move(keys)) {}

    const MemberKeys& keys() const { return keys_; }
    // Adds or replaces members (their card list too) and, when cursorName is
    // given, stores the new down-sync cursor in the same transaction.
    Status store(const std::vector<crm::Member>& members, int64_t nowMs,
                 const std::string& cursorName = "", const std::string& cursor = "");
    // query.value: E.164 for phone, else as given.
    std::optional<CachedMember> find(const crm::MemberQuery& query);
    // Everything stored about the member; phoneE164 (optional) also reaches data
    // of a number the cache never saw.
    // alsoInTransaction runs in the erasure's transaction (queueing it for the CRM).
    using Extra = std::function<Status(Transaction&)>;
    Result<ErasureCounts> erase(const std::string& memberId, const std::string& phoneE164 = "",
                                const Extra& alsoInTransaction = nullptr);
    // Everything about a number, through indexes (no table scan): the members
    // with its keyed hash (memberIds: who they were, for the CRM), their
    // receipts' member blocks, and the number's sign-ups, consents, codes, SMS.
    Result<ErasureCounts> eraseByPhone(const std::string& phoneE164,
                                       std::vector<std::string>& memberIds,
                                       const Extra& alsoInTransaction = nullptr);

    Status replaceOffers(const std::vector<crm::Offer>& offers, int64_t nowMs);
    std::vector<crm::Offer> offersFor(const std::string& tier);

    std::string cursor(const std::string& name);
    int64_t memberCount();

  private:
    Database& database_;
    MemberKeys keys_;
};

}  // namespace lojal

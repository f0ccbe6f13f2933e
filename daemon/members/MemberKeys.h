#pragma once
// Keyed hashes of what identifies a member (phone number, payment-card token,
// member id), so the member cache and the receipts' member_ref hold no phone
// number in clear. The key is random per store database (store_meta.pii_key):
// the hashes mean nothing outside this store and need no coordination.

#include <string>

#include "core/Result.h"
#include "store/Database.h"

namespace lojal {

class MemberKeys {
  public:
    explicit MemberKeys(std::string key) : key_(std::move(key)) {}
    static Result<MemberKeys> load(Database& database);

    std::string phone(const std::string& e164) const { return hash("phone:", e164); }
    std::string card(const std::string& cardToken) const { return hash("card:", cardToken); }
    std::string member(const std::string& memberId) const { return hash("member:", memberId); }

  private:
    std::string hash(const char* kind, const std::string& value) const;
    std::string key_;
};

}  // namespace lojal

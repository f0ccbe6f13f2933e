#include "members/MemberKeys.h"

#include "core/Crypto.h"

namespace lojal {

Result<MemberKeys> MemberKeys::load(Database& database) {
    std::string key;
    auto read = database.read([&](Transaction& tx) -> Status {
        auto select = tx.prepare("SELECT value FROM store_meta WHERE key = 'pii_key'");
        if (!select.step()) return Error{ErrorCode::data, "store_meta has no pii_key"};
        key = select.columnText(0);
        return okStatus();
    });
    if (!read) return read.error();
    return MemberKeys(key);
}

std::string MemberKeys::hash(const char* kind, const std::string& value) const {
    std::string data(kind);
    data += value;
    const auto mac = hmacSha256(key_, data);
    return base64Url(mac.data(), mac.size());
}

}  // namespace lojal

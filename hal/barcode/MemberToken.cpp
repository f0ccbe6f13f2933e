#include "barcode/MemberToken.h"

#include <algorithm>
#include <charconv>

#include "core/Crypto.h"

namespace lojal::barcode {
namespace {

std::string signature(std::string_view signedPart, std::string_view key) {
    const auto digest = hmacSha256(key, signedPart);
    return base64Url(digest.data(), 16);
}

bool validMemberId(std::string_view id) {
    return !id.empty() && id.size() <= 32 && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_';
    });
}

Error tokenError(const std::string& what) {
    return Error{ErrorCode::data, "member token: " + what};
}

}  // namespace

std::string signMemberToken(const MemberToken& token, std::string_view key) {
    const std::string signedPart =
        std::string(kMemberTokenPrefix) + token.memberId + "." + std::to_string(token.expiresAt);
    return signedPart + "." + signature(signedPart, key);
}

Result<MemberToken> verifyMemberToken(std::string_view text, std::string_view key, int64_t now) {
    if (text.substr(0, kMemberTokenPrefix.size()) != kMemberTokenPrefix)
        return tokenError("not a member token");
    if (key.empty()) return tokenError("no key configured to verify it");
    const size_t lastDot = text.rfind('.');
    const size_t expiryDot = text.rfind('.', lastDot - 1);
    if (expiryDot < kMemberTokenPrefix.size() || expiryDot == std::string_view::npos) {
        return tokenError("malformed");
    }
    MemberToken token;
    token.memberId =
        std::string(text.substr(kMemberTokenPrefix.size(), expiryDot - kMemberTokenPrefix.size()));
    const std::string_view expiry = text.substr(expiryDot + 1, lastDot - expiryDot - 1);
    const auto [end, ec] =
        std::from_chars(expiry.data(), expiry.data() + expiry.size(), token.expiresAt);
    if (!validMemberId(token.memberId) || ec != std::errc() ||
        end != expiry.data() + expiry.size()) {
        return tokenError("malformed");
    }
    if (!constantTimeEqual(text.substr(lastDot + 1), signature(text.substr(0, lastDot), key))) {
        return tokenError("bad signature");
    }
    if (now > token.expiresAt) return tokenError("expired");
    return token;
}

}  // namespace lojal::barcode

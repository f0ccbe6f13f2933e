#pragma once
// The member app's QR token, verifiable offline in the store:
//
//   LJM1.<member id>.<expiry, Unix seconds>.<signature>
//
// member id: 1-32 of [A-Za-z0-9_-]; signature: the first 16 bytes of
// HMAC-SHA256(key, "LJM1.<member id>.<expiry>"), base64url without padding
// (22 characters). About 60 characters: a small, quickly scanned QR code.
// The app refreshes it (e.g. every 5 minutes), so a screenshot soon expires.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/Result.h"

namespace lojal::barcode {

constexpr std::string_view kMemberTokenPrefix = "LJM1.";

struct MemberToken {
    std::string memberId;
    int64_t expiresAt = 0;  // Unix seconds
};

std::string signMemberToken(const MemberToken& token, std::string_view key);

// Checks shape, signature (in constant time) and expiry against now (Unix seconds).
Result<MemberToken> verifyMemberToken(std::string_view text, std::string_view key, int64_t now);

}  // namespace lojal::barcode

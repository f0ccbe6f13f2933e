#pragma once
// The token in a sign-up link ({signup_base_url}/j/{token}). 22 bytes, base64url
// (30 characters), so link and text fit one SMS:
//   version (1) | sign-up id (6, big-endian) | expiry, Unix minutes (4) |
//   store tag: first 3 bytes of SHA-256(store id) | HMAC-SHA256 over the above, first 8 bytes
// The landing page holds the same secret and checks it the same way.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/Result.h"

namespace lojal {

struct SignupClaims {
    uint64_t signupId = 0;
    int64_t expiresAt = 0;  // Unix seconds (minute resolution)
    std::string storeId;
};

std::string signSignupToken(const SignupClaims& claims, std::string_view secret);
// Fails with "tampered", "expired", "other store" or "malformed".
Result<SignupClaims> verifySignupToken(std::string_view token, std::string_view secret,
                                       std::string_view storeId, int64_t now);

}  // namespace lojal

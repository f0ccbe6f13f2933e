#include "signup/SignupToken.h"

#include <Poco/SHA2Engine.h>

#include <vector>

#include "core/Crypto.h"

namespace lojal {
namespace {

constexpr unsigned char kVersion = 1;
constexpr size_t kSignedBytes = 14;
constexpr size_t kTokenBytes = 22;

std::vector<unsigned char> storeTag(std::string_view storeId) {
    Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
    sha.update(storeId.data(), static_cast<unsigned>(storeId.size()));
    const auto& digest = sha.digest();
    return {digest.begin(), digest.begin() + 3};
}

std::vector<unsigned char> mac(const std::vector<unsigned char>& body, std::string_view secret) {
    const auto full = hmacSha256(
        secret, std::string_view(reinterpret_cast<const char*>(body.data()), body.size()));
    return {full.begin(), full.begin() + 8};
}

Error tokenError(const char* what) {
    return Error{ErrorCode::data, what};
}

}  // namespace

std::string signSignupToken(const SignupClaims& claims, std::string_view secret) {
    std::vector<unsigned char> bytes{kVersion};
    for (int shift = 40; shift >= 0; shift -= 8)
        bytes.push_back(static_cast<unsigned char>(claims.signupId >> shift));
    const uint32_t minutes = static_cast<uint32_t>(claims.expiresAt / 60);
    for (int shift = 24; shift >= 0; shift -= 8)
        bytes.push_back(static_cast<unsigned char>(minutes >> shift));
    const auto tag = storeTag(claims.storeId);
    bytes.insert(bytes.end(), tag.begin(), tag.end());
    const auto signature = mac(bytes, secret);
    bytes.insert(bytes.end(), signature.begin(), signature.end());
    return base64Url(bytes.data(), bytes.size());
}

Result<SignupClaims> verifySignupToken(std::string_view token, std::string_view secret,
                                       std::string_view storeId, int64_t now) {
    std::vector<unsigned char> bytes;
    if (token.size() != 30 || !decodeBase64Url(token, bytes) || bytes.size() != kTokenBytes ||
        bytes[0] != kVersion) {
        return tokenError("malformed");
    }
    const std::vector<unsigned char> body(bytes.begin(), bytes.begin() + kSignedBytes);
    const auto expected = mac(body, secret);
    const std::string_view given(reinterpret_cast<const char*>(bytes.data()) + kSignedBytes, 8);
    if (!constantTimeEqual(given,
                           std::string_view(reinterpret_cast<const char*>(expected.data()), 8))) {
        return tokenError("tampered");
    }
    if (storeTag(storeId) != std::vector<unsigned char>(bytes.begin() + 11, bytes.begin() + 14)) {
        return tokenError("other store");
    }
    SignupClaims claims;
    for (size_t i = 1; i <= 6; ++i) claims.signupId = (claims.signupId << 8) | bytes[i];
    uint32_t minutes = 0;
    for (size_t i = 7; i <= 10; ++i) minutes = (minutes << 8) | bytes[i];
    claims.expiresAt = static_cast<int64_t>(minutes) * 60;
    claims.storeId = std::string(storeId);
    if (now > claims.expiresAt) return tokenError("expired");
    return claims;
}

}  // namespace lojal

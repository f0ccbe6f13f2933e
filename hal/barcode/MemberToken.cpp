#include "barcode/MemberToken.h"

#include <Poco/HMACEngine.h>
#include <Poco/SHA2Engine.h>

#include <algorithm>
#include <charconv>

namespace lojal::barcode {
namespace {

// Poco's HMACEngine wants BLOCK_SIZE and DIGEST_SIZE, which SHA2Engine lacks.
class Sha256Engine : public Poco::SHA2Engine {
  public:
    enum { BLOCK_SIZE = 64, DIGEST_SIZE = 32 };
    Sha256Engine() : Poco::SHA2Engine(Poco::SHA2Engine::SHA_256) {}
};

std::string base64Url(const unsigned char* data, size_t size) {
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    uint32_t buffer = 0;
    int bits = 0;
    for (size_t i = 0; i < size; ++i) {
        buffer = (buffer << 8) | data[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += alphabet[(buffer >> bits) & 0x3f];
        }
    }
    if (bits > 0) out += alphabet[(buffer << (6 - bits)) & 0x3f];
    return out;
}

std::string signature(std::string_view signedPart, std::string_view key) {
    Poco::HMACEngine<Sha256Engine> hmac{std::string(key)};
    hmac.update(signedPart.data(), static_cast<unsigned>(signedPart.size()));
    const auto& digest = hmac.digest();
    return base64Url(digest.data(), 16);
}

bool validMemberId(std::string_view id) {
    return !id.empty() && id.size() <= 32 && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_';
    });
}

bool constantTimeEqual(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    unsigned char difference = 0;
    for (size_t i = 0; i < a.size(); ++i) difference |= static_cast<unsigned char>(a[i] ^ b[i]);
    return difference == 0;
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

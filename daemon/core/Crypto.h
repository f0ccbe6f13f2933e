#pragma once
// The few primitives tokens are built from: HMAC-SHA256, base64url (no padding),
// constant-time comparison.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lojal {

std::vector<unsigned char> hmacSha256(std::string_view key, std::string_view data);
std::string base64Url(const unsigned char* data, size_t size);
// Nothing when text is not base64url.
bool decodeBase64Url(std::string_view text, std::vector<unsigned char>& out);
bool constantTimeEqual(std::string_view a, std::string_view b);

}  // namespace lojal

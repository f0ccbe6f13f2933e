#include "core/Crypto.h"

#include <Poco/HMACEngine.h>
#include <Poco/SHA2Engine.h>

namespace lojal {
namespace {

// Poco's HMACEngine wants BLOCK_SIZE and DIGEST_SIZE, which SHA2Engine lacks.
class Sha256Engine : public Poco::SHA2Engine {
  public:
    enum { BLOCK_SIZE = 64, DIGEST_SIZE = 32 };
    Sha256Engine() : Poco::SHA2Engine(Poco::SHA2Engine::SHA_256) {}
};

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

}  // namespace

std::vector<unsigned char> hmacSha256(std::string_view key, std::string_view data) {
    Poco::HMACEngine<Sha256Engine> hmac{std::string(key)};
    hmac.update(data.data(), static_cast<unsigned>(data.size()));
    const auto& digest = hmac.digest();
    return {digest.begin(), digest.end()};
}

std::string base64Url(const unsigned char* data, size_t size) {
    std::string out;
    uint32_t buffer = 0;
    int bits = 0;
    for (size_t i = 0; i < size; ++i) {
        buffer = (buffer << 8) | data[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += kAlphabet[(buffer >> bits) & 0x3f];
        }
    }
    if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 0x3f];
    return out;
}

bool decodeBase64Url(std::string_view text, std::vector<unsigned char>& out) {
    out.clear();
    uint32_t buffer = 0;
    int bits = 0;
    for (char c : text) {
        const char* at = std::char_traits<char>::find(kAlphabet, 64, c);
        if (!at) return false;
        buffer = (buffer << 6) | static_cast<uint32_t>(at - kAlphabet);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<unsigned char>((buffer >> bits) & 0xff));
        }
    }
    return bits < 6 && (buffer & ((1u << bits) - 1)) == 0;  // no stray bits: one spelling per value
}

bool constantTimeEqual(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    unsigned char difference = 0;
    for (size_t i = 0; i < a.size(); ++i) difference |= static_cast<unsigned char>(a[i] ^ b[i]);
    return difference == 0;
}

}  // namespace lojal

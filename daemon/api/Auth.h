#pragma once
// Bearer-token authentication. Tokens are kept as SHA-256 hashes only, so neither
// memory dumps of the config nor GET /v1/config reveal a secret.

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/Config.h"
#include "core/Result.h"

namespace lojal {

struct Caller {
    std::string tokenName;
    Role role;
};

class TokenRegistry {
  public:
    explicit TokenRegistry(const std::vector<ApiToken>& tokens);

    // Takes the value of the Authorization header; nothing if it names no known token.
    std::optional<Caller> authenticate(std::string_view authorizationHeader) const;
    size_t size() const { return byHash_.size(); }

  private:
    std::unordered_map<std::string, Caller> byHash_;
};

// Reads `ROLE TOKEN` lines from path, or creates the file (mode 0600, parent
// directories 0700) with one fresh random token per role when it does not exist.
Result<std::vector<ApiToken>> loadOrCreateDevTokens(const std::string& path);

// A new random token: 32 bytes from the system's CSPRNG, hex-encoded.
std::string generateTokenSecret();

}  // namespace lojal

#pragma once
// Bearer-token authentication. Tokens are kept as SHA-256 hashes only, so neither
// memory dumps of the config nor GET /v1/config reveal a secret.

#include <optional>
#include <shared_mutex>
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
    size_t size() const;
    // All tokens at once (a reload of the tokens file): a request sees the old
    // set or the new one, never a mix.
    void replace(const std::vector<ApiToken>& tokens);

  private:
    mutable std::shared_mutex mutex_;
    std::unordered_map<std::string, Caller> byHash_;
};

// The tokens file ([auth] tokens_file, written by `lojalctl tokens`): one
// `NAME ROLE sha256:HEX` line per token, the hash of its secret only; `#` comments.
Result<std::vector<ApiToken>> parseTokensFile(std::string_view text, const std::string& source);
std::string formatTokenLine(const ApiToken& token);
bool isTokenName(std::string_view name);
// Reads the file; a file that does not exist holds no tokens.
Result<std::vector<ApiToken>> loadTokensFile(const std::string& path);

// Reads `ROLE TOKEN` lines from path, or creates the file (mode 0600, parent
// directories 0700) with one fresh random token per role when it does not exist.
Result<std::vector<ApiToken>> loadOrCreateDevTokens(const std::string& path);

// A new random token: 32 bytes from the system's CSPRNG, hex-encoded.
std::string generateTokenSecret();

}  // namespace lojal

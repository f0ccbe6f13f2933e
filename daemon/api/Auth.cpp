#include "api/Auth.h"

#include <Poco/DigestEngine.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/RandomStream.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include "core/PosixFiles.h"

namespace lojal {

TokenRegistry::TokenRegistry(const std::vector<ApiToken>& tokens) {
    replace(tokens);
}

void TokenRegistry::replace(const std::vector<ApiToken>& tokens) {
    std::unordered_map<std::string, Caller> byHash;
    for (const auto& token : tokens) byHash[token.sha256Hex] = Caller{token.name, token.role};
    std::unique_lock lock(mutex_);
    byHash_.swap(byHash);
}

size_t TokenRegistry::size() const {
    std::shared_lock lock(mutex_);
    return byHash_.size();
}

std::optional<Caller> TokenRegistry::authenticate(std::string_view header) const {
    constexpr std::string_view scheme = "Bearer ";
    if (header.size() <= scheme.size() || header.substr(0, scheme.size()) != scheme) {
        return std::nullopt;
    }
    // Looking up the hash, not the secret, keeps the comparison independent of
    // how many leading characters of a guess are right.
    const std::string hash = sha256Hex(header.substr(scheme.size()));
    std::shared_lock lock(mutex_);
    const auto found = byHash_.find(hash);
    if (found == byHash_.end()) return std::nullopt;
    return found->second;
}

std::string generateTokenSecret() {
    Poco::RandomInputStream random;
    std::vector<unsigned char> bytes(32);
    random.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return Poco::DigestEngine::digestToHex(bytes);
}

namespace {

Result<std::vector<ApiToken>> readDevTokens(const std::string& path) {
    std::ifstream in(path);
    if (!in) return Error{ErrorCode::io, path + ": cannot read the development tokens file"};
    std::vector<ApiToken> tokens;
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.empty() || line.front() == '#') continue;
        std::istringstream fields(line);
        std::string role;
        std::string secret;
        fields >> role >> secret;
        auto parsed = parseRole(role);
        if (!parsed || secret.size() < 24) {
            return Error{ErrorCode::data, path + " line " + std::to_string(number) +
                                              ": expected 'ROLE TOKEN' (role pos, kiosk or "
                                              "admin; token of at least 24 characters)"};
        }
        tokens.push_back(ApiToken{"dev-" + role, *parsed, sha256Hex(secret)});
    }
    return tokens;
}

Status writeDevTokens(const std::string& path) {
    try {
        const Poco::Path parent = Poco::Path(path).parent();
        if (!parent.toString().empty()) Poco::File(parent).createDirectories();
    } catch (const Poco::Exception& e) {
        return Error{ErrorCode::io, path + ": cannot create its directory: " + e.displayText()};
    }
    std::string text =
        "# Development tokens written by lojald: ROLE TOKEN. Keep this file private.\n";
    for (Role role : kAllRoles)
        text += std::string(toString(role)) + " " + generateTokenSecret() + "\n";
    // O_EXCL: two daemons starting at once must not overwrite each other's tokens.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Error{ErrorCode::io, path + ": cannot create: " + std::strerror(errno)};
    const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (!written || !synced) return Error{ErrorCode::io, path + ": cannot write"};
    return okStatus();
}

}  // namespace

Result<std::vector<ApiToken>> parseTokensFile(std::string_view text, const std::string& source) {
    std::vector<ApiToken> tokens;
    std::istringstream in{std::string(text)};
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.empty() || line.front() == '#') continue;
        std::istringstream fields(line);
        std::string name, role, hash, extra;
        fields >> name >> role >> hash >> extra;
        const std::string where = source + " line " + std::to_string(number) + ": ";
        if (name.empty() || role.empty() || hash.empty() || !extra.empty())
            return Error{ErrorCode::data, where + "expected 'NAME ROLE sha256:HEX'"};
        if (!isTokenName(name))
            return Error{ErrorCode::data,
                         where + "a token name has 1 to 64 letters, digits, '-', '_' or '.'"};
        auto parsed = parseRole(role);
        if (!parsed) return Error{ErrorCode::data, where + parsed.error().message};
        if (hash.rfind("sha256:", 0) != 0 || hash.size() != 7 + 64 ||
            hash.find_first_not_of("0123456789abcdef", 7) != std::string::npos)
            return Error{ErrorCode::data, where + "expected sha256: and 64 lower-case hex digits"};
        for (const ApiToken& earlier : tokens) {
            if (earlier.name == name)
                return Error{ErrorCode::data, where + "token '" + name + "' is named twice"};
        }
        tokens.push_back(ApiToken{name, *parsed, hash.substr(7)});
    }
    return tokens;
}

std::string formatTokenLine(const ApiToken& token) {
    return token.name + " " + toString(token.role) + " sha256:" + token.sha256Hex;
}

bool isTokenName(std::string_view name) {
    return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    });
}

Result<std::vector<ApiToken>> loadTokensFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (errno == ENOENT) return std::vector<ApiToken>{};
        return Error{ErrorCode::io,
                     path + ": cannot read the tokens file: " + std::strerror(errno)};
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (text.str().size() > 1024 * 1024)
        return Error{ErrorCode::data, path + ": larger than 1 MiB"};
    return parseTokensFile(text.str(), path);
}

Result<std::vector<ApiToken>> loadOrCreateDevTokens(const std::string& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) {
        if (auto written = writeDevTokens(path); !written) return written.error();
    }
    return readDevTokens(path);
}

}  // namespace lojal

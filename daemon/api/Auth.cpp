#include "api/Auth.h"

#include <Poco/DigestEngine.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/RandomStream.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace lojal {

TokenRegistry::TokenRegistry(const std::vector<ApiToken>& tokens) {
    for (const auto& token : tokens) byHash_[token.sha256Hex] = Caller{token.name, token.role};
}

std::optional<Caller> TokenRegistry::authenticate(std::string_view header) const {
    constexpr std::string_view scheme = "Bearer ";
    if (header.size() <= scheme.size() || header.substr(0, scheme.size()) != scheme) {
        return std::nullopt;
    }
    // Looking up the hash, not the secret, keeps the comparison independent of
    // how many leading characters of a guess are right.
    const auto found = byHash_.find(sha256Hex(header.substr(scheme.size())));
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

Result<std::vector<ApiToken>> loadOrCreateDevTokens(const std::string& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) {
        if (auto written = writeDevTokens(path); !written) return written.error();
    }
    return readDevTokens(path);
}

}  // namespace lojal

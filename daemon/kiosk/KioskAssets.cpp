#include "kiosk/KioskAssets.h"

#include <fstream>
#include <sstream>
#include <utility>

namespace lojal {

const char* const kKioskContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob: mediastream:; connect-src 'self'; font-src 'self'; "
    "object-src 'none'; worker-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

namespace {

constexpr size_t kMaxAssetBytes = 2 * 1024 * 1024;

Response notFound() {
    return errorResponse(404, "not_found", "no such kiosk file");
}

}  // namespace

std::optional<std::string> kioskContentType(std::string_view name) {
    static const std::pair<std::string_view, std::string_view> types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".woff2", "font/woff2"},
    };
    for (const auto& [extension, type] : types) {
        if (name.size() > extension.size() &&
            name.substr(name.size() - extension.size()) == extension)
            return std::string(type);
    }
    return std::nullopt;
}

bool isSafeAssetPath(std::string_view path) {
    if (path.empty() || path.size() > 200) return false;
    int levels = 0;
    size_t start = 0;
    while (start <= path.size()) {
        const size_t end = std::min(path.find('/', start), path.size());
        const std::string_view name = path.substr(start, end - start);
        if (name.empty() || name.front() == '.' || ++levels > 4) return false;
        for (const char c : name) {
            const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                               (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
            if (!plain) return false;
        }
        start = end + 1;
    }
    return true;
}

void addKioskHeaders(Response& response) {
    response.headers.emplace_back("Content-Security-Policy", kKioskContentSecurityPolicy);
    response.headers.emplace_back("X-Content-Type-Options", "nosniff");
    response.headers.emplace_back("Referrer-Policy", "no-referrer");
    response.headers.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
    response.headers.emplace_back("Cross-Origin-Resource-Policy", "same-origin");
    response.headers.emplace_back("Permissions-Policy",
                                  "camera=(self), microphone=(), geolocation=()");
}

KioskAssets::KioskAssets(std::string directory, std::string version)
    : directory_(std::move(directory)), version_(std::move(version)) {}

std::optional<std::string> KioskAssets::read(std::string_view path) const {
    std::ifstream file(directory_ + "/" + std::string(path), std::ios::binary);
    if (!file) return std::nullopt;
    std::string bytes(kMaxAssetBytes + 1, '\0');
    file.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (file.bad() || static_cast<size_t>(file.gcount()) > kMaxAssetBytes) return std::nullopt;
    bytes.resize(static_cast<size_t>(file.gcount()));
    return bytes;
}

Response KioskAssets::page() const {
    auto html = read("index.html");
    if (!html) return errorResponse(503, "kiosk_unavailable", "the kiosk files are not installed");
    for (size_t at = 0; (at = html->find("%VERSION%", at)) != std::string::npos;)
        html->replace(at, 9, version_);
    Response response;
    response.contentType = "text/html; charset=utf-8";
    response.body = std::move(*html);
    response.headers.emplace_back("Cache-Control", "no-cache");
    addKioskHeaders(response);
    return response;
}

Response KioskAssets::asset(std::string_view version, std::string_view path) const {
    const auto type = kioskContentType(path);
    if (!type || !isSafeAssetPath(path)) return notFound();
    auto bytes = read(path);
    if (!bytes) return notFound();
    Response response;
    response.contentType = *type;
    response.body = std::move(*bytes);
    // Only the current version is immutable: an old page asking for its old
    // version gets today's file, not to be kept.
    response.headers.emplace_back(
        "Cache-Control", version == version_ ? "public, max-age=31536000, immutable" : "no-cache");
    addKioskHeaders(response);
    return response;
}

}  // namespace lojal

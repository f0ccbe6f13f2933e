#pragma once
// The kiosk web app's files (kiosk-ui/), served by lojald: GET /kiosk/ is the
// page (never cached: it names the asset version), GET /kiosk/v/VERSION/FILE
// an asset (cached for a year: a new lojald is a new VERSION). Every answer
// carries a strict Content-Security-Policy: the page loads nothing from any
// other origin and runs no inline script.

#include <optional>
#include <string>
#include <string_view>

#include "api/Http.h"

namespace lojal {

// The policy every kiosk answer carries.
extern const char* const kKioskContentSecurityPolicy;

// Pure: the content type for a file name, nothing for a type the kiosk does
// not serve (only these are served at all).
std::optional<std::string> kioskContentType(std::string_view name);
// Pure: true for a relative path of plain names ([A-Za-z0-9_-.], no leading
// dot, no "..", at most 4 levels).
bool isSafeAssetPath(std::string_view path);

class KioskAssets {
  public:
    // directory: kiosk-ui/; version: the asset path version (lojald's own).
    KioskAssets(std::string directory, std::string version);
    const std::string& version() const { return version_; }
    // index.html, with %VERSION% replaced by the asset version.
    Response page() const;
    Response asset(std::string_view version, std::string_view path) const;

  private:
    std::optional<std::string> read(std::string_view path) const;
    const std::string directory_;
    const std::string version_;
};

// Adds the security headers of a kiosk answer.
void addKioskHeaders(Response& response);

}  // namespace lojal

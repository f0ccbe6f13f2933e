#pragma once
// What a scan looks like on /v1/events, whichever reader saw it (a serial
// scanner, the kiosk camera): one payload shape, and one rule for repeats.

#include <Poco/JSON/Object.h>

#include <chrono>
#include <optional>
#include <string>

#include "barcode/Scan.h"

namespace lojal::barcode {

// The `data` of a `scan` event (also used by the replay golden files).
Poco::JSON::Object scanToJson(const Scan& scan);

// Drops the same code read again within the window (a held scanner rereads it
// every few hundred ms; a camera sees it in every frame). The window restarts
// with every repeat.
class DuplicateFilter {
  public:
    using TimePoint = std::chrono::steady_clock::time_point;
    explicit DuplicateFilter(std::chrono::milliseconds window) : window_(window) {}
    bool accept(const std::string& code, TimePoint now);

  private:
    std::chrono::milliseconds window_;
    std::string lastCode_;
    std::optional<TimePoint> lastSeen_;
};

}  // namespace lojal::barcode

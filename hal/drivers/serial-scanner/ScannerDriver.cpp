#include "drivers/serial-scanner/ScannerDriver.h"

#include <Poco/JSON/Array.h>

#include <algorithm>
#include <charconv>

#include "barcode/ScanEvent.h"
#include "core/Utf8.h"
#include "drivers/serial-scanner/ScannerProtocol.h"

namespace lojal::hal {
namespace {

class ScannerDriver : public Driver {
  public:
    ScannerDriver(FramingOptions framing, std::chrono::milliseconds dedupWindow,
                  DriverContext context)
        : framer_(std::move(framing)), duplicates_(dedupWindow), context_(std::move(context)) {}

    void onBytes(std::string_view bytes, TimePoint now, EventSink& sink) override {
        FramerOutput out;
        framer_.feed(bytes, now, out);
        deliver(out, now, sink);
    }

    void onTick(TimePoint now, EventSink& sink) override {
        FramerOutput out;
        framer_.tick(now, out);
        deliver(out, now, sink);
    }

    std::chrono::milliseconds tickInterval() const override {
        return std::chrono::milliseconds(20);
    }
    void onOpen() override { framer_.reset(); }

  private:
    void deliver(const FramerOutput& out, TimePoint now, EventSink& sink) {
        for (size_t i = 0; i < out.overflows; ++i) sink.count("overflows");
        for (const std::string& frame : out.frames) {
            if (!duplicates_.accept(frame, now)) {
                sink.count("duplicates");
                continue;
            }
            const barcode::Scan scan =
                barcode::decodeScan(frame, context_.classifier, context_.unixNow());
            sink.count(scan.valid ? "scans" : "invalid_scans");
            sink.publish("scan", barcode::scanToJson(scan));
        }
    }

    ScanFramer framer_;
    barcode::DuplicateFilter duplicates_;
    DriverContext context_;
};

Result<long long> integerOption(const DriverOptions& options, const std::string& key,
                                long long fallback, long long min, long long max) {
    const auto found = options.find(key);
    if (found == options.end()) return fallback;
    long long value = 0;
    const std::string& text = found->second;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
        return Error{ErrorCode::arg, "option '" + key + "': expected a whole number from " +
                                         std::to_string(min) + " to " + std::to_string(max)};
    }
    return value;
}

}  // namespace

Result<std::unique_ptr<Driver>> createScannerDriver(const DriverOptions& options,
                                                    const DriverContext& context) {
    static const char* known[] = {"suffix", "prefix", "inter_char_timeout_ms", "dedup_window_ms",
                                  "max_frame_bytes"};
    for (const auto& [key, value] : options) {
        if (std::find(std::begin(known), std::end(known), key) == std::end(known)) {
            return Error{ErrorCode::arg, "option '" + key + "': unknown for serial-scanner"};
        }
    }
    FramingOptions framing;
    if (auto suffix = options.find("suffix"); suffix != options.end()) {
        static const std::pair<std::string_view, std::string_view> suffixes[] = {
            {"cr", "\r"}, {"lf", "\n"}, {"crlf", "\r\n"}, {"none", ""}};
        const auto match = std::find_if(std::begin(suffixes), std::end(suffixes),
                                        [&](const auto& s) { return suffix->second == s.first; });
        if (match == std::end(suffixes)) {
            return Error{ErrorCode::arg, "option 'suffix': expected cr, lf, crlf or none"};
        }
        framing.suffix =
            std::string(match->second);  // a fresh string: GCC 12's -Wrestrict misfires on assign
    }
    if (auto prefix = options.find("prefix"); prefix != options.end())
        framing.prefix = prefix->second;
    auto timeout = integerOption(options, "inter_char_timeout_ms", 50, 1, 10000);
    if (!timeout) return timeout.error();
    framing.interCharTimeout = std::chrono::milliseconds(*timeout);
    auto maxFrame = integerOption(options, "max_frame_bytes", 4096, 16, 65536);
    if (!maxFrame) return maxFrame.error();
    framing.maxFrameBytes = static_cast<size_t>(*maxFrame);
    auto dedup = integerOption(options, "dedup_window_ms", 1000, 0, 60000);
    if (!dedup) return dedup.error();
    return std::unique_ptr<Driver>(std::make_unique<ScannerDriver>(
        std::move(framing), std::chrono::milliseconds(*dedup), context));
}

}  // namespace lojal::hal

#pragma once
// The serial scanner's wire format: frames end with a suffix (CR, LF, CRLF) or
// after an inter-character silence; an optional prefix is stripped. Pure: bytes
// and times in, frames out. The buffer is bounded: a device that floods the port
// without a suffix costs at most maxFrameBytes.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lojal::hal {

struct FramingOptions {
    std::string suffix = "\r";  // may be empty: frames end only by silence
    std::string prefix;         // stripped when a frame starts with it
    std::chrono::milliseconds interCharTimeout{50};
    size_t maxFrameBytes = 4096;
};

struct FramerOutput {
    std::vector<std::string> frames;
    size_t overflows = 0;  // frames thrown away for being longer than maxFrameBytes
};

class ScanFramer {
  public:
    using TimePoint = std::chrono::steady_clock::time_point;
    explicit ScanFramer(FramingOptions options) : options_(std::move(options)) {}

    void feed(std::string_view bytes, TimePoint now, FramerOutput& out);
    // Ends a partial frame once the line has been silent for interCharTimeout.
    void tick(TimePoint now, FramerOutput& out);
    void reset();
    size_t buffered() const { return buffer_.size(); }

  private:
    void finishFrame(FramerOutput& out);

    FramingOptions options_;
    std::string buffer_;
    bool discarding_ = false;  // an overflowing frame is skipped up to its end
    TimePoint lastByteAt_{};
};

}  // namespace lojal::hal

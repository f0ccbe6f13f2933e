#include "drivers/serial-scanner/ScannerProtocol.h"

namespace lojal::hal {

void ScanFramer::feed(std::string_view bytes, TimePoint now, FramerOutput& out) {
    if (bytes.empty()) return;
    tick(now, out);  // silence before these bytes ends what came earlier
    lastByteAt_ = now;
    const std::string& suffix = options_.suffix;
    for (char byte : bytes) {
        if (!discarding_) buffer_ += byte;
        const bool suffixSeen =
            !suffix.empty() && (discarding_ ? byte == suffix.back()
                                            : buffer_.size() >= suffix.size() &&
                                                  buffer_.compare(buffer_.size() - suffix.size(),
                                                                  suffix.size(), suffix) == 0);
        if (suffixSeen) {
            if (discarding_) {
                discarding_ = false;
                continue;
            }
            buffer_.resize(buffer_.size() - suffix.size());
            finishFrame(out);
            continue;
        }
        if (!discarding_ && buffer_.size() > options_.maxFrameBytes + suffix.size()) {
            ++out.overflows;
            buffer_.clear();
            discarding_ = true;
        }
    }
}

void ScanFramer::tick(TimePoint now, FramerOutput& out) {
    if ((buffer_.empty() && !discarding_) || now - lastByteAt_ < options_.interCharTimeout) return;
    discarding_ = false;
    finishFrame(out);
}

void ScanFramer::reset() {
    buffer_.clear();
    discarding_ = false;
}

void ScanFramer::finishFrame(FramerOutput& out) {
    std::string frame;
    frame.swap(buffer_);
    if (!options_.prefix.empty() && frame.rfind(options_.prefix, 0) == 0) {
        frame.erase(0, options_.prefix.size());
    }
    if (frame.size() > options_.maxFrameBytes) {
        ++out.overflows;
        return;
    }
    if (!frame.empty()) out.frames.push_back(std::move(frame));
}

}  // namespace lojal::hal

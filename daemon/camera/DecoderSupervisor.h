#pragma once
// Runs lojal-decode, the process that reads camera frames with ZXing, and
// answers every frame whatever it does: a decoder that aborts, crashes or
// overruns the per-frame deadline is killed and started again (with backoff),
// and that frame is answered {found:false, error:"decoder_restarted"}. After
// repeated crashes the camera is degraded (the kiosk then offers the scanner
// and the SMS PIN).

#include <sys/types.h>

#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "camera/DecoderProtocol.h"

namespace lojal {

struct DecoderOptions {
    std::string program;            // lojal-decode
    std::vector<std::string> args;  // e.g. --test-hooks
    std::chrono::milliseconds deadline{250};
    int degradedAfterCrashes = 5;  // within degradedWindow
    std::chrono::seconds degradedWindow{60};
};

struct DecodeAnswer {
    bool found = false;
    std::string format;
    std::string symbology;
    std::string text;
    std::string error;  // "decoder_restarted", "decoder_restarting", "decoder_unavailable", or the
                        // decoder's code
    std::string why;    // for the log: how the decoder failed
    double ms = 0;      // time spent on this frame
};

class DecoderSupervisor {
  public:
    explicit DecoderSupervisor(DecoderOptions options);
    ~DecoderSupervisor();
    DecoderSupervisor(const DecoderSupervisor&) = delete;
    DecoderSupervisor& operator=(const DecoderSupervisor&) = delete;

    // One frame, answered within the deadline (plus the time to kill a stuck
    // decoder). Frames are decoded one at a time.
    DecodeAnswer decode(const camera::DecodeRequest& request);

    int restarts() const;      // decoders killed or found dead
    pid_t decoderPid() const;  // -1 when none runs (benchmarks read its memory)
    bool degraded() const;     // degradedAfterCrashes within degradedWindow

  private:
    using Clock = std::chrono::steady_clock;
    bool start(std::string& why);
    void stop();
    DecodeAnswer fail(const std::string& why, Clock::time_point began);
    bool sendAll(const std::string& bytes, Clock::time_point deadline);
    std::optional<std::string> receive(Clock::time_point deadline, std::string& why);

    const DecoderOptions options_;
    mutable std::mutex mutex_;
    pid_t pid_ = -1;
    int socket_ = -1;
    camera::MessageReader reader_{4096};
    int restarts_ = 0;
    std::deque<Clock::time_point> crashes_;  // within the window
    int failuresInRow_ = 0;
    Clock::time_point nextStart_{};
};

}  // namespace lojal

#pragma once
// The kiosk camera behind GET /v1/camera: frames from any number of kiosk
// connections are decoded one at a time on one worker thread by the supervised
// decoder (lojal-decode). Each connection has at most one frame waiting; a
// newer frame replaces it. A decoded text goes through the same
// barcode::decodeScan as a serial scan and is published as a `scan` event of
// device "camera"; the camera's state (ready, degraded, unavailable) is in
// GET /v1/devices and announced as a `device` event when it changes.

#include <Poco/JSON/Object.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "barcode/Scan.h"
#include "barcode/ScanEvent.h"
#include "camera/DecoderSupervisor.h"
#include "config/Config.h"
#include "events/EventRing.h"
#include "metrics/Metrics.h"

namespace lojal {

class CameraService {
  public:
    CameraService(const CameraConfig& config, const barcode::ClassifierConfig& classifier,
                  EventRing& events);
    ~CameraService();

    void start();
    void stop();
    // Called on the worker thread when an answer is ready (the reactor wakes).
    void setAnswerListener(std::function<void()> listener) { listener_ = std::move(listener); }

    // A checked frame (CameraFrame.h bytes) from connection `client`. When a
    // frame of that client was still waiting, it is dropped and its seq returned.
    std::optional<uint32_t> submit(uint64_t client, uint32_t seq, std::string frame);
    // The answers (JSON texts) ready for `client`, oldest first.
    std::vector<std::string> takeAnswers(uint64_t client);
    // The connection is gone: its waiting frame and answers are dropped.
    void forget(uint64_t client);

    // An outcome the connection decided alone (superseded, rate_limited, a
    // refused frame's code), for /metrics.
    void count(const std::string& outcome);

    Poco::JSON::Object describe() const;  // the camera's entry in GET /v1/devices
    std::vector<Gauge> gauges() const;
    int restarts() const { return supervisor_.restarts(); }

  private:
    struct Waiting {
        uint32_t seq = 0;
        std::string frame;
    };
    void run();
    std::string decodeOne(uint32_t seq, const std::string& frame);
    std::string stateNow() const;
    std::string reasonFor(const std::string& state) const;
    void noteState();

    const CameraConfig config_;
    const barcode::ClassifierConfig classifier_;
    EventRing& events_;
    DecoderSupervisor supervisor_;
    std::function<void()> listener_;
    std::thread thread_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::map<uint64_t, Waiting> waiting_;
    std::deque<uint64_t> order_;  // clients with a waiting frame, first come first served
    std::map<uint64_t, std::vector<std::string>> answers_;
    std::optional<uint64_t> decoding_;  // the client whose frame is in the decoder
    // Worker-thread state:
    uint64_t framesDecoded_ = 0;
    barcode::DuplicateFilter repeats_{std::chrono::milliseconds(2000)};
    std::string publishedState_ = "ready";
    std::atomic<bool> unavailable_{false};  // the decoder could not be started last time
    // Counters (under mutex_):
    std::map<std::string, uint64_t> outcomes_;  // found, not_found, decoder errors
};

// lojal-decode beside the running lojald (the build tree and the packages put
// it there).
std::string decoderBesideExecutable();

}  // namespace lojal

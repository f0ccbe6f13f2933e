#include "camera/CameraStreams.h"

#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>

#include <algorithm>
#include <chrono>
#include <sstream>

#include "camera/CameraFrame.h"

namespace lojal {
namespace {

// A kiosk or two per token; each sends frames from one camera.
constexpr int kConnectionsPerToken = 4;
// Answers are small; a client that reads none of 256 KiB of them is gone.
constexpr size_t kQueueBytes = 256 * 1024;

WsReactor::Limits reactorLimits() {
    WsReactor::Limits limits;
    limits.connectionsPerToken = kConnectionsPerToken;
    limits.queueBytes = kQueueBytes;
    limits.maxMessage = camera::kMaxFrameBytes;  // Poco's own default would be INT_MAX
    return limits;
}

std::string refusal(std::optional<uint32_t> seq, const std::string& code,
                    const std::string& message) {
    Poco::JSON::Object reply;
    if (seq) {
        reply.set("seq", *seq);
    } else {
        reply.set("seq", Poco::Dynamic::Var());
    }
    reply.set("found", false);
    reply.set("error", code);
    reply.set("message", message);
    std::ostringstream out;
    reply.stringify(out);
    return out.str();
}

}  // namespace

class CameraStreams::Session : public WsSession {
  public:
    Session(CameraService& service, int maxFramesPerSecond)
        : service_(service),
          rate_(maxFramesPerSecond),
          tokens_(maxFramesPerSecond),
          refilled_(std::chrono::steady_clock::now()) {}

    void onMessage(WsConnection& connection, const ws::Frame& message) override {
        if (message.opcode != ws::kBinary) {
            return refuse(connection, std::nullopt, "frame_not_binary",
                          "send camera frames as binary WebSocket messages");
        }
        camera::FrameProblem problem;
        const auto* bytes = reinterpret_cast<const uint8_t*>(message.payload.data());
        const auto frame = camera::parseFrame(bytes, message.payload.size(), problem);
        if (!frame) return refuse(connection, problem.seq, problem.code, problem.message);
        if (!takeToken()) {
            return refuse(connection, frame->header.seq, "rate_limited",
                          "at most " + std::to_string(rate_) +
                              " frames a second (camera.max_frames_per_second)");
        }
        if (auto replaced = service_.submit(connection.id(), frame->header.seq, message.payload)) {
            connection.sendText(refusal(*replaced, "superseded",
                                        "a newer frame replaced this one before it was decoded"));
        }
    }

    void onRound(WsConnection& connection) override {
        for (const std::string& answer : service_.takeAnswers(connection.id()))
            connection.sendText(answer);
    }

    void onEnd(WsConnection& connection) override { service_.forget(connection.id()); }

  private:
    void refuse(WsConnection& connection, std::optional<uint32_t> seq, const std::string& code,
                const std::string& message) {
        service_.count(code);
        connection.sendText(refusal(seq, code, message));
    }

    // A token bucket: up to `rate_` frames in a burst, refilled at `rate_` a second.
    bool takeToken() {
        const auto now = std::chrono::steady_clock::now();
        const double seconds = std::chrono::duration<double>(now - refilled_).count();
        tokens_ = std::min<double>(rate_, tokens_ + seconds * rate_);
        refilled_ = now;
        if (tokens_ < 1) return false;
        tokens_ -= 1;
        return true;
    }

    CameraService& service_;
    const int rate_;
    double tokens_;
    std::chrono::steady_clock::time_point refilled_;
};

CameraStreams::CameraStreams(CameraService& service, int maxFramesPerSecond)
    : service_(service),
      maxFramesPerSecond_(maxFramesPerSecond),
      reactor_("camera", reactorLimits()) {}

CameraStreams::~CameraStreams() {
    stop();
}

void CameraStreams::start() {
    service_.setAnswerListener([this] { reactor_.wake(); });
    reactor_.start();
}

void CameraStreams::stop() {
    reactor_.stop();
}

void CameraStreams::add(Poco::Net::StreamSocket socket, const std::string& token,
                        std::shared_ptr<void> hold) {
    Poco::Logger::get("lojal.camera").information("camera: %s connected", token);
    reactor_.add(std::move(socket), token, std::move(hold),
                 std::make_unique<Session>(service_, maxFramesPerSecond_));
}

}  // namespace lojal

#include "camera/CameraService.h"

#include <Poco/JSON/Array.h>
#include <Poco/Logger.h>
#include <unistd.h>

#include <ctime>
#include <sstream>

#include "core/Paths.h"
#include "core/Utf8.h"

namespace lojal {
namespace {

DecoderOptions decoderOptions(const CameraConfig& config) {
    DecoderOptions options;
    options.program = config.decoder.empty() ? decoderBesideExecutable() : config.decoder;
    options.deadline = std::chrono::milliseconds(config.deadlineMs);
    options.degradedAfterCrashes = config.degradedAfterCrashes;
    return options;
}

std::string toText(const Poco::JSON::Object& object) {
    std::ostringstream out;
    object.stringify(out);
    return out.str();
}

}  // namespace

std::string decoderBesideExecutable() {
    const std::string directory = executableDirectory();  // .../bin/
    if (directory.empty()) return "lojal-decode";
    // The build tree puts it beside lojald; packages in ../lib/lojal/.
    const std::string beside = directory + "lojal-decode";
    if (::access(beside.c_str(), X_OK) == 0) return beside;
    return directory + "../lib/lojal/lojal-decode";
}

CameraService::CameraService(const CameraConfig& config,
                             const barcode::ClassifierConfig& classifier, EventRing& events)
    : config_(config),
      classifier_(classifier),
      events_(events),
      supervisor_(decoderOptions(config)) {}

CameraService::~CameraService() {
    stop();
}

void CameraService::start() {
    thread_ = std::thread([this] { run(); });
}

void CameraService::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

std::optional<uint32_t> CameraService::submit(uint64_t client, uint32_t seq, std::string frame) {
    std::optional<uint32_t> replaced;
    {
        std::lock_guard lock(mutex_);
        auto [slot, fresh] = waiting_.try_emplace(client);
        if (fresh) {
            order_.push_back(client);
        } else {
            replaced = slot->second.seq;
            ++outcomes_["superseded"];
        }
        slot->second = Waiting{seq, std::move(frame)};
    }
    wake_.notify_all();
    return replaced;
}

std::vector<std::string> CameraService::takeAnswers(uint64_t client) {
    std::lock_guard lock(mutex_);
    auto found = answers_.find(client);
    if (found == answers_.end()) return {};
    std::vector<std::string> ready = std::move(found->second);
    answers_.erase(found);
    return ready;
}

void CameraService::forget(uint64_t client) {
    std::lock_guard lock(mutex_);
    if (waiting_.erase(client) > 0) order_.erase(std::find(order_.begin(), order_.end(), client));
    answers_.erase(client);
    if (decoding_ == client) decoding_.reset();  // its answer is thrown away
}

void CameraService::count(const std::string& outcome) {
    std::lock_guard lock(mutex_);
    ++outcomes_[outcome];
}

void CameraService::run() {
    while (true) {
        uint64_t client = 0;
        Waiting frame;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !order_.empty(); });
            if (stopping_) return;
            client = order_.front();
            order_.pop_front();
            frame = std::move(waiting_.at(client));
            waiting_.erase(client);
            decoding_ = client;
        }
        std::string answer = decodeOne(frame.seq, frame.frame);
        {
            std::lock_guard lock(mutex_);
            if (decoding_ != client) continue;  // the connection went meanwhile
            decoding_.reset();
            answers_[client].push_back(std::move(answer));
        }
        if (listener_) listener_();
    }
}

// One frame through the decoder and, when something was read, through the
// same scan pipeline as a serial scanner.
std::string CameraService::decodeOne(uint32_t seq, const std::string& frame) {
    camera::DecodeRequest request;
    request.formats = config_.formats;
    ++framesDecoded_;
    if (config_.tryHarderEvery > 0 && framesDecoded_ % config_.tryHarderEvery == 0)
        request.flags |= camera::kTryHarder;
    request.frame = frame;
    const DecodeAnswer decoded = supervisor_.decode(request);
    if (decoded.error != "decoder_restarting")
        unavailable_ = decoded.error == "decoder_unavailable";
    if (!decoded.why.empty()) {
        Poco::Logger::get("lojal.camera").warning("camera decoder: %s", decoded.why);
    }
    Poco::JSON::Object reply;
    reply.set("seq", seq);
    reply.set("found", decoded.found);
    reply.set("ms", static_cast<double>(static_cast<int64_t>(decoded.ms * 10)) / 10);
    if (!decoded.error.empty()) reply.set("error", decoded.error);
    {
        std::lock_guard lock(mutex_);
        ++outcomes_[decoded.error.empty() ? (decoded.found ? "found" : "not_found")
                                          : decoded.error];
    }
    noteState();
    if (!decoded.found) return toText(reply);

    const barcode::Scan scan = barcode::decodeScan(decoded.symbology + decoded.text, classifier_,
                                                   static_cast<int64_t>(std::time(nullptr)));
    reply.set("format", decoded.format);
    reply.set("text", scannedTextToUtf8(scan.label));
    reply.set("kind", barcode::toString(scan.kind));
    reply.set("valid", scan.valid);
    if (!scan.valid) reply.set("reason", scan.reason);
    if (scan.kind == barcode::ScanKind::memberQr || scan.kind == barcode::ScanKind::memberCard) {
        Poco::JSON::Object member;
        if (!scan.memberId.empty()) member.set("member_id", scan.memberId);
        if (scan.memberId.empty()) member.set("card", scan.label);  // a card number
        reply.set("member", member);
    }
    if (!scan.gtin.empty()) reply.set("gtin", scan.gtin);
    // A code held in front of the camera is in every frame: one event per showing.
    if (repeats_.accept(decoded.symbology + decoded.text, std::chrono::steady_clock::now()))
        events_.publish("scan", "camera", barcode::scanToJson(scan));
    return toText(reply);
}

std::string CameraService::reasonFor(const std::string& state) const {
    if (state == "unavailable") return "lojal-decode cannot be started (see the log)";
    return "the decoder crashed " + std::to_string(config_.degradedAfterCrashes) +
           " times within a minute; offer the scanner or the SMS PIN";
}

std::string CameraService::stateNow() const {
    if (unavailable_) return "unavailable";
    return supervisor_.degraded() ? "degraded" : "ready";
}

// Announces a change of the camera's state as a `device` event.
void CameraService::noteState() {
    const std::string state = stateNow();
    if (state == publishedState_) return;
    publishedState_ = state;
    Poco::JSON::Object data;
    data.set("state", state);
    if (state != "ready") {
        data.set("reason", reasonFor(state));
        Poco::Logger::get("lojal.camera").error("camera %s: %s", state, reasonFor(state));
    }
    events_.publish("device", "camera", data);
}

Poco::JSON::Object CameraService::describe() const {
    Poco::JSON::Object item;
    item.set("name", "camera");
    item.set("driver", "camera");
    item.set("state", stateNow());
    if (const std::string state = stateNow(); state != "ready")
        item.set("reason", reasonFor(state));
    item.set("formats", camera::formatsToString(config_.formats));
    item.set("decoder_restarts", supervisor_.restarts());
    Poco::JSON::Object counters;
    std::lock_guard lock(mutex_);
    for (const auto& [name, value] : outcomes_) counters.set(name, value);
    item.set("counters", counters);
    return item;
}

std::vector<Gauge> CameraService::gauges() const {
    std::vector<Gauge> gauges;
    gauges.emplace_back("lojal_camera_decoder_restarts_total",
                        "Camera decoder processes killed or found dead, and restarted.",
                        static_cast<double>(supervisor_.restarts()), "", "counter");
    gauges.emplace_back("lojal_camera_degraded", "1 while the camera decoder crashes repeatedly.",
                        stateNow() == "degraded" ? 1.0 : 0.0);
    std::lock_guard lock(mutex_);
    for (const auto& [outcome, value] : outcomes_) {
        gauges.emplace_back("lojal_camera_frames_total", "Camera frames by outcome.",
                            static_cast<double>(value), promLabel("outcome", outcome), "counter");
    }
    return gauges;
}

}  // namespace lojal

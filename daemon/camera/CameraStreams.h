#pragma once
// Every GET /v1/camera WebSocket, on one WsReactor thread (an idle kiosk holds
// no HTTP pool thread). A connection sends binary frames (CameraFrame.h); each
// one gets exactly one JSON answer, in the order the answers become ready:
//   decoded:  {"seq":7,"found":true,"format":"QRCode","text":"...","kind":"member_qr",
//              "member":{"member_id":"M-7"},"valid":true,"ms":3.1}
//   nothing:  {"seq":8,"found":false,"ms":2.0}
//   refused:  {"seq":9,"found":false,"error":"rate_limited","message":"..."}
// Refusal codes: frame_not_binary, frame_too_short, bad_magic,
// unsupported_version, bad_flags, bad_frame_size, frame_length_mismatch,
// rate_limited, superseded (a newer frame replaced it while it waited), and
// from the decoder decoder_restarted, decoder_restarting, decoder_unavailable.
// A message over the frame limit closes the socket with 1009; a broken
// WebSocket stream with 1002.

#include <Poco/Net/StreamSocket.h>

#include <memory>
#include <string>

#include "api/WsReactor.h"
#include "camera/CameraService.h"

namespace lojal {

class CameraStreams {
  public:
    CameraStreams(CameraService& service, int maxFramesPerSecond);
    ~CameraStreams();

    void start();
    void stop();
    bool admit(const std::string& token) { return reactor_.admit(token); }
    void release(const std::string& token) { reactor_.release(token); }
    void add(Poco::Net::StreamSocket socket, const std::string& token, std::shared_ptr<void> hold);
    size_t openStreams() const { return reactor_.openConnections(); }

  private:
    class Session;
    CameraService& service_;
    const int maxFramesPerSecond_;
    WsReactor reactor_;
};

}  // namespace lojal

#pragma once
// WebSocket frames (RFC 6455 section 5) as the server side needs them, pure: no
// sockets, no threads. Streams that live on one reactor thread write frames with
// non-blocking sends, so the framing is ours: a partial write must resume inside
// a frame, which a blocking frame-at-a-time API cannot do.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lojal::ws {

enum Opcode : uint8_t {
    kContinuation = 0x0,
    kText = 0x1,
    kBinary = 0x2,
    kClose = 0x8,
    kPing = 0x9,
    kPong = 0xA,
};

// Close codes (RFC 6455 7.4.1).
constexpr uint16_t kNormalClose = 1000;
constexpr uint16_t kGoingAway = 1001;
constexpr uint16_t kProtocolError = 1002;
constexpr uint16_t kTooBig = 1009;

// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key (RFC 6455 4.2.2):
// base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")).
std::string acceptKey(const std::string& clientKey);

// One unmasked, final frame from the server.
std::string serverFrame(Opcode opcode, std::string_view payload);
std::string closeFrame(uint16_t code, std::string_view reason = "");

struct Frame {
    Opcode opcode = kText;
    bool final = true;
    std::string payload;  // unmasked
    // For a close frame: its status code, when it gave one.
    std::optional<uint16_t> closeCode() const;
};

// Reassembles frames from what a client sends. Clients must mask (5.3); control
// frames are at most 125 bytes and never fragmented (5.5). Anything else is a
// protocol error, and the stream is to be closed with the code given.
class FrameReader {
  public:
    explicit FrameReader(size_t maxPayload) : maxPayload_(maxPayload) {}
    struct Result {
        std::vector<Frame> frames;
        std::optional<uint16_t> error;  // close with this code
        std::string reason;
    };
    Result feed(const char* data, size_t size);

  private:
    size_t maxPayload_;
    std::string buffer_;
    bool failed_ = false;
};

// Joins a fragmented data message (RFC 6455 5.4): a text or binary frame
// without FIN, then continuations up to one with FIN. Control frames may come
// between fragments and pass through at once. A continuation with nothing to
// continue, a new data frame inside a fragmented one, or a message whose
// fragments add up past `maxMessage` is refused with the close code given.
class MessageAssembler {
  public:
    explicit MessageAssembler(size_t maxMessage) : maxMessage_(maxMessage) {}
    struct Result {
        std::optional<Frame> message;  // a whole data message, or a control frame
        std::optional<uint16_t> error;
        std::string reason;
    };
    Result add(Frame frame);

  private:
    size_t maxMessage_;
    std::optional<Frame> partial_;
};

}  // namespace lojal::ws

// zvt-sim: plays a ZVT payment terminal on a pseudo-terminal, for tests and for
// trying lojald without hardware.
//
//   zvt-sim --link PATH
//
// PATH becomes a symlink to the pty. The terminal answers Registration (06 00),
// Read Card (06 C0), Authorization (06 01), Log-Off (06 02) and Abort (06 B0).
// How it behaves is set on standard input, one command per line, answered "ok":
//
//   mode approve    card read / payment approved, with 1F14, a masked PAN, print lines
//   mode decline    status 27 = 78 (card expired), then completion
//   mode abort      the customer aborts: 06 1E 6C
//   mode noack      never acknowledges anything (T2 on the register's side)
//   mode silent     acknowledges and answers 80 00, then says nothing (T4)
//   mode garbage    noise and a frame with a bad CRC first, then approve
//   mode slow       three intermediate statuses a second apart, then approve
//   mode panclear   approve, but with the whole PAN and track 2 data, and no 1F14
//   quit
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "drivers/zvt/ZvtApdu.h"
#include "drivers/zvt/ZvtFrame.h"

using namespace lojal::hal::zvt;
using Clock = std::chrono::steady_clock;

namespace {

// The card the simulator "reads": its identification item and PAN.
const Bytes kCardId{0xC0, 0xFF, 0xEE, 0x01, 0x02, 0x03, 0x04, 0x05};
const Bytes kMaskedPan{0x47, 0x61, 0x73, 0xEE, 0xEE, 0xEE, 0x00, 0x10};
const Bytes kClearPan{0x47, 0x61, 0x73, 0x90, 0x01, 0x01, 0x00, 0x10};  // 4761739001010010

int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
        .count();
}

class Terminal {
  public:
    explicit Terminal(int fd) : fd_(fd) {}
    std::string mode = "approve";

    void write(const Bytes& bytes) {
        size_t done = 0;
        while (done < bytes.size()) {
            const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
            if (n > 0)
                done += static_cast<size_t>(n);
            else if (n < 0 && errno != EAGAIN && errno != EINTR)
                return;
            else {
                pollfd p{fd_, POLLOUT, 0};
                ::poll(&p, 1, 100);
            }
        }
    }
    void sendFrame(const Bytes& apdu) { write(encodeFrame(apdu)); }

    // The next whole frame from the register within timeoutMs (ACK/NAK skipped).
    std::optional<Bytes> nextFrame(int timeoutMs) {
        const int64_t deadline = nowMs() + timeoutMs;
        while (true) {
            if (!pending_.empty()) {
                Bytes frame = pending_.front();
                pending_.erase(pending_.begin());
                return frame;
            }
            const int64_t left = deadline - nowMs();
            if (left <= 0) return std::nullopt;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
            uint8_t buffer[512];
            const ssize_t n = ::read(fd_, buffer, sizeof buffer);
            if (n <= 0) continue;
            for (auto& event : decoder_.feed(buffer, static_cast<size_t>(n), nowMs())) {
                if (event.kind == FrameDecoder::Event::Kind::frame)
                    pending_.push_back(std::move(event.apdu));
            }
        }
    }

    // Sends a terminal command and waits for the register's answer; true when it
    // was 80 00 00 (false: 06 B0, the register aborts).
    bool exchange(const Bytes& apdu) {
        sendFrame(apdu);
        const auto answer = nextFrame(3000);
        if (!answer) return false;
        write({kAck});
        if (answer->size() >= 2 && (*answer)[0] == 0x06 && (*answer)[1] == 0xB0) {
            sendFrame(encodeApdu(0x06, 0x1E, {0x6C}));
            nextFrame(1000);
            return false;
        }
        return true;
    }

    void handle(const Bytes& command) {
        if (mode == "noack") return;
        write({kAck});
        if (command.size() < 2) return;
        const uint16_t code = static_cast<uint16_t>(command[0] << 8 | command[1]);
        sendFrame(encodeApdu(0x80, 0x00));
        if (code == 0x0602 || code == 0x06B0) return;
        if (code == 0x0501) {  // status enquiry: SW version (LLLVAR) and status 00 (ready)
            Bytes completion{0xF0, 0xF0, 0xF5, '1', '.', '2', '.', '3', 0x00};
            exchange(encodeApdu(0x06, 0x0F, completion));
            return;
        }
        if (code == 0x0600) {  // registration: completion with the terminal id
            exchange(encodeApdu(0x06, 0x0F, {0x29, 0x12, 0x34, 0x56, 0x78}));
            return;
        }
        if (mode == "silent") return;
        const bool payment = code == 0x0601;
        if (mode == "garbage") {
            write({0x41, 0x42, 0x43, 0x10, 0x99});
            Bytes bad = encodeFrame(encodeApdu(0x04, 0xFF, {0x0A}));
            bad.back() ^= 0x5A;
            write(bad);  // the register answers NAK: we send it again, properly
        }
        if (!exchange(encodeApdu(0x04, 0xFF, {0x0A}))) return;  // "insert card"
        if (mode == "slow") {
            for (int i = 0; i < 3; ++i) {
                std::this_thread::sleep_for(std::chrono::seconds(1));
                if (!exchange(encodeApdu(0x04, 0xFF, {0x17}))) return;
            }
        }
        if (mode == "abort") {
            sendFrame(encodeApdu(0x06, 0x1E, {0x6C}));
            nextFrame(1000);
            return;
        }
        if (!exchange(encodeApdu(0x04, 0x0F, status(payment, command)))) return;
        if (mode != "decline") {
            Bytes line{0x00};
            for (char c : std::string("LOJAL TEST TERMINAL"))
                line.push_back(static_cast<uint8_t>(c));
            if (!exchange(encodeApdu(0x06, 0xD1, line))) return;
        }
        exchange(encodeApdu(0x06, 0x0F, {}));
    }

  private:
    Bytes status(bool payment, const Bytes& command) const {
        Bytes data{0x27, static_cast<uint8_t>(mode == "decline" ? 0x78 : 0x00)};
        if (payment && command.size() >= 10) {  // echo the amount: 04 + 6 BCD bytes
            data.push_back(0x04);
            data.insert(data.end(), command.begin() + 4, command.begin() + 10);
        }
        const Bytes trace{0x0B, 0x00, 0x01, 0x23, 0x87, 0x00, 0x42, 0x29, 0x12,
                          0x34, 0x56, 0x78, 0x0E, 0x28, 0x12, 0x8A, 0x05};
        data.insert(data.end(), trace.begin(), trace.end());
        data.insert(data.end(), {0x22, 0xF0, 0xF8});  // LLVAR: 8 bytes, 16 digits
        const Bytes& pan = mode == "panclear" ? kClearPan : kMaskedPan;
        data.insert(data.end(), pan.begin(), pan.end());
        if (mode == "panclear") {
            data.insert(data.end(), {0x23, 0xF0, 0xF8});
            data.insert(data.end(), kClearPan.begin(), kClearPan.end());
        } else {
            const Bytes tlv = encodeTlv(0x1F14, kCardId);
            data.push_back(0x06);
            data.push_back(static_cast<uint8_t>(tlv.size()));
            data.insert(data.end(), tlv.begin(), tlv.end());
        }
        return data;
    }

    int fd_;
    FrameDecoder decoder_;
    std::vector<Bytes> pending_;
};

}  // namespace

int main(int argc, char** argv) {
    std::string link;
    for (int i = 1; i + 1 < argc; ++i) {
        if (std::string(argv[i]) == "--link") link = argv[i + 1];
    }
    if (link.empty()) {
        std::cerr << "usage: zvt-sim --link PATH" << std::endl;
        return 2;
    }
    int master = -1;
    int slave = -1;
    char name[256];
    if (openpty(&master, &slave, name, nullptr, nullptr) != 0) {
        std::cout << "error openpty failed" << std::endl;
        return 1;
    }
    termios tio{};
    tcgetattr(slave, &tio);
    cfmakeraw(&tio);
    tcsetattr(slave, TCSANOW, &tio);
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
    ::unlink(link.c_str());
    if (::symlink(name, link.c_str()) != 0) {
        std::cout << "error cannot create link " << link << std::endl;
        return 1;
    }
    std::cout << "ok ready " << name << std::endl;
    Terminal terminal(master);
    while (true) {
        pollfd fds[2] = {{0, POLLIN, 0}, {master, POLLIN, 0}};
        if (::poll(fds, 2, 100) < 0) break;
        if (fds[0].revents & (POLLIN | POLLHUP)) {
            std::string line;
            if (!std::getline(std::cin, line) || line == "quit") break;
            std::istringstream words(line);
            std::string verb, value;
            words >> verb >> value;
            if (verb == "mode") {
                terminal.mode = value;
                std::cout << "ok mode " << value << std::endl;
            } else {
                std::cout << "error unknown command" << std::endl;
            }
        }
        if (fds[1].revents & POLLIN) {
            if (auto command = terminal.nextFrame(50)) terminal.handle(*command);
        }
    }
    ::unlink(link.c_str());
    return 0;
}

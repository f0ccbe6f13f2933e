// zvt-sim: plays a ZVT payment terminal, for tests and for trying lojald without
// hardware, over a pseudo-terminal (serial framing, ACK/NAK) or TCP (bare APDUs).
//
//   zvt-sim --link PATH [--t2-ms N]    PATH becomes a symlink to the pty
//   zvt-sim --tcp PORT [--t2-ms N]     listens on 127.0.0.1:PORT (0: any free port)
//
// It prints "ok ready PTY" or "ok ready tcp://127.0.0.1:PORT" once it listens.
// The flows follow PA00P015 as a terminal does (see hal/drivers/zvt/FLOWS.md):
//   Registration 06 00   80 00, then the completion 06 0F with the terminal id
//   Read Card 06 C0      80 00, 04 FF "insert card", then the card data in 04 0F,
//                        which hands master rights back: no completion (2.21)
//   Authorization 06 01  80 00, 04 FF, 04 0F with the result, a print line, 06 0F
//   Status Enquiry 05 01 80 00, then 06 0F with the software version and status 00
//   Log-Off 06 02, Abort 06 B0 while idle: 80 00
// How it behaves is set on standard input, one command per line, answered "ok":
//
//   mode approve    card read / payment approved, with 1F14, a masked PAN, print lines
//   mode decline    payment: status 27 = 78 (card expired); read card: 27 = 64
//   mode abort      the customer aborts: 06 1E 6C
//   mode noack      never acknowledges anything (T2 on the register's side)
//   mode silent     acknowledges and answers 80 00, then says nothing (T4)
//   mode garbage    noise and a frame with a bad CRC first, then approve (serial)
//   mode slow       three intermediate statuses a second apart, then approve
//   mode panclear   approve, but with the whole PAN and track 2 data, and no 1F14
//   mode wait       read card waits for a card (`card`) or the register's Abort
//   mode collide    read card waits; the register's Abort crosses the card data:
//                   no ACK, the card data is repeated twice, then the terminal
//                   falls back to its basic state and takes the next Abort
//   mode statuscard a status enquiry also sends a 04 0F with the last card's data
//   card            present the card to a read card waiting in mode wait
//   last            "ok last MS": wall-clock milliseconds of the last message sent
//   quit
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pty.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <deque>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

#include "drivers/zvt/ZvtApdu.h"
#include "drivers/zvt/ZvtFrame.h"

using namespace lojal::hal::zvt;
using Clock = std::chrono::steady_clock;

namespace {

// The card the simulator "reads": its identification item and PAN.
const Bytes kCardId{0xC0, 0xFF, 0xEE, 0x01, 0x02, 0x03, 0x04, 0x05};
const Bytes kMaskedPan{0x47, 0x61, 0x73, 0xEE, 0xEE, 0xEE, 0x00, 0x10};
const Bytes kClearPan{0x47, 0x61, 0x73, 0x90, 0x01, 0x01, 0x00, 0x10};  // 4761739001010010
// BMP 8B in the terminal's character set, CP437: "VISA Débit" (0x82 = é),
// NUL-padded as some terminals send it, with a bell that must not reach events.
const Bytes kCardName{'V', 'I', 'S', 'A', ' ', 'D', 0x82, 'b', 'i', 't', 0x07, 0x00, 0x00};

int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
        .count();
}
int64_t wallMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

uint16_t commandOf(const Bytes& apdu) {
    return apdu.size() < 2 ? 0 : static_cast<uint16_t>(apdu[0] << 8 | apdu[1]);
}

// Standard input, read without blocking the terminal: whole lines only.
class Console {
  public:
    std::optional<std::string> line() {
        while (true) {
            const size_t end = buffer_.find('\n');
            if (end != std::string::npos) {
                std::string line = buffer_.substr(0, end);
                buffer_.erase(0, end + 1);
                return line;
            }
            pollfd p{0, POLLIN, 0};
            if (::poll(&p, 1, 0) <= 0) return std::nullopt;
            char chunk[256];
            const ssize_t n = ::read(0, chunk, sizeof chunk);
            if (n <= 0) {
                closed = true;
                return std::nullopt;
            }
            buffer_.append(chunk, static_cast<size_t>(n));
        }
    }
    bool closed = false;

  private:
    std::string buffer_;
};

class Terminal {
  public:
    Terminal(bool tcp, int t2Ms) : tcp_(tcp), t2Ms_(t2Ms) {}
    std::string mode = "approve";
    bool cardPresented = false;
    int64_t lastSentWallMs = 0;
    Console console;

    void attach(int fd) {
        fd_ = fd;
        decoder_.reset();
        stream_.reset();
        pending_.clear();
        acks_ = 0;
    }
    int fd() const { return fd_; }
    bool connected() const { return fd_ >= 0; }

    // Handles one console line; false on quit.
    bool consoleCommand(const std::string& line) {
        std::istringstream words(line);
        std::string verb, value;
        words >> verb >> value;
        if (verb.empty()) return true;
        if (verb == "quit") return false;
        if (verb == "mode") {
            mode = value;
            std::cout << "ok mode " << value << std::endl;
        } else if (verb == "card") {
            cardPresented = true;
            std::cout << "ok card" << std::endl;
        } else if (verb == "last") {
            std::cout << "ok last " << lastSentWallMs << std::endl;
        } else {
            std::cout << "error unknown command" << std::endl;
        }
        return true;
    }

    // Reads what is there (up to timeoutMs): messages queue up, ACKs are counted.
    void pump(int timeoutMs) {
        if (fd_ < 0) return;  // no register: the callers stop waiting
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, timeoutMs) <= 0) return;
        uint8_t buffer[512];
        const ssize_t n = ::read(fd_, buffer, sizeof buffer);
        if (n <= 0) {
            if (tcp_ && (n == 0 || (errno != EAGAIN && errno != EINTR))) {
                ::close(fd_);  // the register closed the connection
                fd_ = -1;
            }
            return;
        }
        if (tcp_) {
            for (auto& event : stream_.feed(buffer, static_cast<size_t>(n), nowMs()))
                pending_.push_back(std::move(event.apdu));
            return;
        }
        for (auto& event : decoder_.feed(buffer, static_cast<size_t>(n), nowMs())) {
            if (event.kind == FrameDecoder::Event::Kind::frame)
                pending_.push_back(std::move(event.apdu));
            if (event.kind == FrameDecoder::Event::Kind::ack) ++acks_;
        }
    }

    // The next message from the register within timeoutMs.
    std::optional<Bytes> nextMessage(int timeoutMs) {
        const int64_t deadline = nowMs() + timeoutMs;
        while (pending_.empty()) {
            const int64_t left = deadline - nowMs();
            if (left <= 0 || fd_ < 0) return std::nullopt;
            pump(static_cast<int>(std::min<int64_t>(left, 50)));
        }
        Bytes message = std::move(pending_.front());
        pending_.pop_front();
        return message;
    }
    bool hasMessage() {
        if (pending_.empty()) pump(0);
        return !pending_.empty();
    }

    void sendApdu(const Bytes& apdu) {
        write(tcp_ ? apdu : encodeFrame(apdu));
        lastSentWallMs = wallMs();
    }
    void ack() {
        if (!tcp_) write({kAck});
    }

    // Sends a terminal command and waits for the register's answer; true when it
    // was 80 00 00 (false: 06 B0 in its place, the register aborts a payment).
    bool exchange(const Bytes& apdu) {
        sendApdu(apdu);
        const auto answer = nextMessage(3000);
        if (!answer) return false;
        ack();
        if (commandOf(*answer) == 0x06B0) {
            sendApdu(encodeApdu(0x06, 0x1E, {0x6C}));
            nextMessage(1000);
            ack();
            return false;
        }
        return true;
    }

    void handle(const Bytes& command) {
        if (mode == "noack") return;
        ack();
        switch (commandOf(command)) {
            case 0x06B0:  // Abort while idle, Log-Off: 80 00 and nothing more
            case 0x0602: sendApdu(encodeApdu(0x80, 0x00)); return;
            case 0x0501: return statusEnquiry();
            case 0x0600:  // registration: completion with the terminal id
                sendApdu(encodeApdu(0x80, 0x00));
                exchange(encodeApdu(0x06, 0x0F, {0x29, 0x12, 0x34, 0x56, 0x78}));
                return;
            case 0x06C0: return readCard();
            case 0x0601: return payment(command);
            default: sendApdu(encodeApdu(0x84, 0x83)); return;  // command not possible
        }
    }

  private:
    void write(const Bytes& bytes) {
        size_t done = 0;
        while (fd_ >= 0 && done < bytes.size()) {
            const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
            const ssize_t written = n < 0 && errno == ENOTSOCK
                                        ? ::write(fd_, bytes.data() + done, bytes.size() - done)
                                        : n;
            if (written > 0)
                done += static_cast<size_t>(written);
            else if (written < 0 && errno != EAGAIN && errno != EINTR)
                return;
            else {
                pollfd p{fd_, POLLOUT, 0};
                ::poll(&p, 1, 100);
            }
        }
    }

    // PA00P015 2.56: without events to run, the terminal ends at once with its
    // completion: software version (LLLVAR) and terminal status 00 (ready).
    void statusEnquiry() {
        sendApdu(encodeApdu(0x80, 0x00));
        if (mode == "statuscard" && !exchange(encodeApdu(0x04, 0x0F, cardStatus(false, {}))))
            return;
        exchange(encodeApdu(0x06, 0x0F, {0xF0, 0xF0, 0xF5, '1', '.', '2', '.', '3', 0x00}));
    }

    // The start every card flow shares; false when the flow ends here.
    bool cardFlowStart() {
        sendApdu(encodeApdu(0x80, 0x00));
        if (mode == "silent") return false;
        if (mode == "garbage" && !tcp_) {
            write({0x41, 0x42, 0x43, 0x10, 0x99});
            Bytes bad = encodeFrame(encodeApdu(0x04, 0xFF, {0x0A}));
            bad.back() ^= 0x5A;
            write(bad);  // the register answers NAK: we send it again, properly
        }
        if (!exchange(encodeApdu(0x04, 0xFF, {0x0A}))) return false;  // "insert card"
        if (mode == "slow") {
            // A slow card read: an intermediate status a second, as PA00P015 2.56.3
            // has terminals keep the register's time-outs running. In between, the
            // register may abort a read (2.21, 2.23): taken, 80 00, basic state.
            for (int i = 0; i < 3; ++i) {
                if (const auto early = nextMessage(1000); early && commandOf(*early) == 0x06B0) {
                    ack();
                    sendApdu(encodeApdu(0x80, 0x00));
                    return false;
                }
                if (!exchange(encodeApdu(0x04, 0xFF, {0x17}))) return false;
            }
        }
        if (mode == "abort") {
            sendApdu(encodeApdu(0x06, 0x1E, {0x6C}));
            nextMessage(1000);
            ack();
            return false;
        }
        return true;
    }

    void readCard() {
        if (!cardFlowStart()) return;
        if ((mode == "wait" || mode == "collide") && !waitForCard()) return;
        const Bytes status = mode == "decline" ? Bytes{0x27, 0x64} : cardStatus(false, {});
        // The status information ends Read Card: no print line, no completion.
        exchange(encodeApdu(0x04, 0x0F, status));
    }

    void payment(const Bytes& command) {
        if (!cardFlowStart()) return;
        if (!exchange(encodeApdu(0x04, 0x0F, cardStatus(true, command)))) return;
        if (mode != "decline") {
            Bytes line{0x00};
            for (char c : std::string("LOJAL TEST TERMINAL"))
                line.push_back(static_cast<uint8_t>(c));
            if (!exchange(encodeApdu(0x06, 0xD1, line))) return;
        }
        exchange(encodeApdu(0x06, 0x0F, {}));
    }

    // The terminal is master and waits for a card: true when one was presented,
    // false when the register's Abort ended the read.
    bool waitForCard() {
        cardPresented = false;
        while (!cardPresented) {
            if (auto line = console.line()) consoleCommand(*line);
            if (console.closed || fd_ < 0) return false;
            if (!hasMessage()) {
                pump(20);
                continue;
            }
            const Bytes message = *nextMessage(0);
            if (commandOf(message) != 0x06B0) continue;
            if (mode == "collide") {
                collideWithAbort();
                return false;
            }
            ack();  // PA00P015 2.23: the Abort is taken, 80 00 and back to the basic state
            sendApdu(encodeApdu(0x80, 0x00));
            return false;
        }
        return true;
    }

    // The register's Abort came while we "were sending" the card data: we send
    // it anyway and answer nothing of the register's (PA00P015 2.21, Caution).
    void collideWithAbort() {
        const Bytes card = encodeApdu(0x04, 0x0F, cardStatus(false, {}));
        for (int send = 0; send < 3; ++send) {
            sendApdu(card);
            acks_ = 0;
            const int64_t deadline = nowMs() + t2Ms_;
            while (nowMs() < deadline && acks_ == 0 && fd_ >= 0) pump(10);
            pending_.clear();  // the register's repeated Aborts: not acknowledged
            if (tcp_) break;   // no transport repeats on TCP
        }
        // Transmission error: back to the basic state, where the next Abort is taken.
    }

    Bytes cardStatus(bool payment, const Bytes& command) const {
        Bytes data{0x27, static_cast<uint8_t>(mode == "decline" ? 0x78 : 0x00)};
        if (payment && command.size() >= 10) {  // echo the amount: 04 + 6 BCD bytes
            data.push_back(0x04);
            data.insert(data.end(), command.begin() + 4, command.begin() + 10);
        }
        const Bytes trace{0x0B, 0x00, 0x01, 0x23, 0x87, 0x00, 0x42, 0x29, 0x12,
                          0x34, 0x56, 0x78, 0x0E, 0x28, 0x12, 0x8A, 0x05};
        data.insert(data.end(), trace.begin(), trace.end());
        data.insert(data.end(), {0x8B, 0xF1, static_cast<uint8_t>(0xF0 + kCardName.size() - 10)});
        data.insert(data.end(), kCardName.begin(), kCardName.end());
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

    bool tcp_;
    int t2Ms_;
    int fd_ = -1;
    FrameDecoder decoder_;
    ApduStream stream_;
    std::deque<Bytes> pending_;
    int acks_ = 0;
};

int openPtyLink(const std::string& link, std::string& name) {
    int master = -1;
    int slave = -1;
    char path[256];
    if (openpty(&master, &slave, path, nullptr, nullptr) != 0) return -1;
    termios tio{};
    tcgetattr(slave, &tio);
    cfmakeraw(&tio);
    tcsetattr(slave, TCSANOW, &tio);
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
    ::unlink(link.c_str());
    if (::symlink(path, link.c_str()) != 0) return -1;
    name = path;
    return master;
}

int listenTcp(int port, int& bound) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(fd, 4) != 0)
        return -1;
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    bound = ntohs(address.sin_port);
    return fd;
}

}  // namespace

int main(int argc, char** argv) {
    std::string link;
    int tcpPort = -1;
    int t2Ms = 5000;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--link") link = argv[i + 1];
        if (flag == "--tcp") tcpPort = std::atoi(argv[i + 1]);
        if (flag == "--t2-ms") t2Ms = std::atoi(argv[i + 1]);
    }
    if (link.empty() == (tcpPort < 0)) {
        std::cerr << "usage: zvt-sim --link PATH | --tcp PORT  [--t2-ms N]" << std::endl;
        return 2;
    }
    Terminal terminal(tcpPort >= 0, t2Ms);
    int listener = -1;
    if (tcpPort >= 0) {
        int bound = 0;
        listener = listenTcp(tcpPort, bound);
        if (listener < 0) {
            std::cout << "error cannot listen on port " << tcpPort << std::endl;
            return 1;
        }
        std::cout << "ok ready tcp://127.0.0.1:" << bound << std::endl;
    } else {
        std::string name;
        const int master = openPtyLink(link, name);
        if (master < 0) {
            std::cout << "error cannot open a pty linked at " << link << std::endl;
            return 1;
        }
        terminal.attach(master);
        std::cout << "ok ready " << name << std::endl;
    }
    while (!terminal.console.closed) {
        pollfd fds[3] = {{0, POLLIN, 0}, {terminal.fd(), POLLIN, 0}, {listener, POLLIN, 0}};
        if (::poll(fds, 3, 100) < 0) break;
        while (auto line = terminal.console.line()) {
            if (!terminal.consoleCommand(*line)) {
                terminal.console.closed = true;
                break;
            }
        }
        if (listener >= 0 && (fds[2].revents & POLLIN)) {
            const int client = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
            if (client >= 0) {
                const int on = 1;
                ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
                if (terminal.connected()) ::close(terminal.fd());  // one register at a time
                terminal.attach(client);
            }
        }
        if (terminal.connected() && terminal.hasMessage()) {
            if (auto command = terminal.nextMessage(50)) terminal.handle(*command);
        }
    }
    if (!link.empty()) ::unlink(link.c_str());
    return 0;
}

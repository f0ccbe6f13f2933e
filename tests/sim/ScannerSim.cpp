// scanner-sim: plays a serial barcode scanner on a pseudo-terminal, for tests and
// for trying lojald without hardware.
//
//   scanner-sim --link PATH
//
// PATH becomes a symlink to the pty's device (like /dev/serial/by-id/...); point a
// [device.NAME] port at it. Commands on standard input, one per line; each is
// answered on standard output with "ok ..." or "error ...":
//
//   plug                 create the pty and the link (the cable goes in)
//   unplug               remove the link and close the pty (the cable comes out)
//   scan TEXT            send TEXT followed by CR
//   send HEX             send raw bytes
//   play FILE [SPEED]    replay a recorded session (SPEED 2 = twice as fast)
//   quit
//
// Session files: lines "OFFSET_MS < HEX" (scanner to host) and "OFFSET_MS > HEX"
// (host to scanner, checked), comments and "# Key: value" headers start with '#'.

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Pty {
    int master = -1;
    int slave = -1;
};

std::optional<std::string> fromHex(const std::string& hex) {
    if (hex.size() % 2 != 0) return std::nullopt;
    std::string bytes;
    for (size_t i = 0; i < hex.size(); i += 2) {
        unsigned value = 0;
        if (std::sscanf(hex.c_str() + i, "%2x", &value) != 1) return std::nullopt;
        bytes += static_cast<char>(value);
    }
    return bytes;
}

// The pty holds a few KiB: larger writes wait (up to 5 s) for the reader.
bool writeAll(int fd, const std::string& bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n > 0) {
            done += static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
        pollfd p{fd, POLLOUT, 0};
        if (::poll(&p, 1, 5000) <= 0) return false;
    }
    return true;
}

// Waits until `when` for the one event that ends a replay early: the test that
// drives this simulator closing its end of standard input. True at `when`.
bool controllerStaysUntil(std::chrono::steady_clock::time_point when) {
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::microseconds>(
            when - std::chrono::steady_clock::now());
        if (left.count() <= 0) return true;
        pollfd p{0, 0, 0};  // no events asked: only a hang-up or an error wakes it
        const int ms = static_cast<int>((left.count() + 999) / 1000);  // never early
        if (::poll(&p, 1, ms) > 0 && (p.revents & (POLLHUP | POLLERR))) return false;
    }
}

std::string readExactly(int fd, size_t count, std::chrono::milliseconds timeout) {
    std::string bytes;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (bytes.size() < count) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd p{fd, POLLIN, 0};
        if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count()) + 1) <= 0) break;
        char buffer[256];
        const ssize_t n = ::read(fd, buffer, std::min(sizeof buffer, count - bytes.size()));
        if (n > 0) bytes.append(buffer, static_cast<size_t>(n));
    }
    return bytes;
}

class Simulator {
  public:
    explicit Simulator(std::string link) : link_(std::move(link)) {}
    ~Simulator() { unplug(); }

    std::string plug() {
        if (pty_) return "error already plugged";
        Pty pty;
        char name[256];
        if (openpty(&pty.master, &pty.slave, name, nullptr, nullptr) != 0)
            return "error openpty failed";
        // Raw on our side too: no echo, no line editing of what lojald writes.
        termios tio{};
        tcgetattr(pty.slave, &tio);
        cfmakeraw(&tio);
        tcsetattr(pty.slave, TCSANOW, &tio);
        fcntl(pty.master, F_SETFL, fcntl(pty.master, F_GETFL) | O_NONBLOCK);
        ::unlink(link_.c_str());
        if (::symlink(name, link_.c_str()) != 0) return "error cannot create link " + link_;
        pty_ = pty;
        return std::string("ok plugged ") + name;
    }

    std::string unplug() {
        if (!pty_) return "error not plugged";
        ::unlink(link_.c_str());
        ::close(pty_->master);
        ::close(pty_->slave);
        pty_.reset();
        return "ok unplugged";
    }

    std::string send(const std::string& bytes) {
        if (!pty_) return "error not plugged";
        return writeAll(pty_->master, bytes) ? "ok sent " + std::to_string(bytes.size())
                                             : "error write failed";
    }

    std::string play(const std::string& file, double speed) {
        if (!pty_) return "error not plugged";
        std::ifstream in(file);
        if (!in) return "error cannot read " + file;
        const auto start = std::chrono::steady_clock::now();
        std::string line;
        int records = 0;
        while (std::getline(in, line)) {
            if (line.empty() || line[0] == '#') continue;
            std::istringstream fields(line);
            long offset = 0;
            std::string direction, hex;
            fields >> offset >> direction >> hex;
            const auto bytes = fromHex(hex);
            if (!bytes || (direction != "<" && direction != ">")) return "error bad line: " + line;
            // The recorded offsets are the device's own timing (silence frames a
            // scan): the byte goes out at its time, unless the controller leaves.
            if (!controllerStaysUntil(
                    start + std::chrono::microseconds(static_cast<long>(offset * 1000 / speed))))
                return "error the controller went away";
            if (direction == "<") {
                if (!writeAll(pty_->master, *bytes)) return "error write failed";
            } else {
                const std::string got =
                    readExactly(pty_->master, bytes->size(), std::chrono::seconds(2));
                if (got != *bytes) return "error expected " + hex + " from lojald";
            }
            ++records;
        }
        return "ok played " + std::to_string(records);
    }

  private:
    std::string link_;
    std::optional<Pty> pty_;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3 || std::string(argv[1]) != "--link") {
        std::cerr << "usage: scanner-sim --link PATH\n";
        return 64;
    }
    Simulator simulator(argv[2]);
    std::string line;
    while (std::getline(std::cin, line)) {
        std::istringstream words(line);
        std::string command;
        words >> command;
        std::string rest;
        std::getline(words >> std::ws, rest);
        std::string answer;
        if (command == "plug")
            answer = simulator.plug();
        else if (command == "unplug")
            answer = simulator.unplug();
        else if (command == "scan")
            answer = simulator.send(rest + "\r");
        else if (command == "send") {
            const auto bytes = fromHex(rest);
            answer = bytes ? simulator.send(*bytes) : "error bad hex";
        } else if (command == "play") {
            std::istringstream args(rest);
            std::string file;
            double speed = 1.0;
            args >> file >> speed;
            answer = simulator.play(file, speed > 0 ? speed : 1.0);
        } else if (command == "quit")
            break;
        else if (command.empty())
            continue;
        else
            answer = "error unknown command " + command;
        std::cout << answer << std::endl;
    }
    return 0;
}

#include "serial/SerialPort.h"

#include <fcntl.h>
#include <libserialport.h>
#include <poll.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

namespace lojal::hal {

namespace {

ErrorCode codeForErrno(int error) {
    if (error == ENOENT || error == ENODEV || error == ENXIO) return ErrorCode::notFound;
    if (error == EACCES || error == EPERM) return ErrorCode::permission;
    return ErrorCode::io;
}

std::string withHint(ErrorCode code, const std::string& message) {
    if (code == ErrorCode::permission) {
        return message + " (permission denied: is the lojal user in group dialout?)";
    }
    return message;
}

// Reads libserialport's last error at once, on this thread, before anything
// else can overwrite it.
Error serialError(const std::string& what, sp_return rc) {
    switch (rc) {
        case SP_ERR_ARG: return Error{ErrorCode::arg, what + ": invalid argument"};
        case SP_ERR_MEM: return Error{ErrorCode::io, what + ": out of memory"};
        case SP_ERR_SUPP:
            return Error{ErrorCode::unsupported, what + ": not supported by the port"};
        default: break;
    }
    const int osError = sp_last_error_code();
    char* message = sp_last_error_message();
    const std::string text = message ? message : "unknown error";
    sp_free_error_message(message);
    const ErrorCode code = codeForErrno(osError);
    return Error{code, withHint(code, what + ": " + text)};
}

Error osError(const std::string& what) {
    const int error = errno;
    const ErrorCode code = codeForErrno(error);
    return Error{code, withHint(code, what + ": " + std::strerror(error))};
}

// ---- libserialport: every real serial device ---------------------------------

class LibSerialPort : public SerialPort {
  public:
    explicit LibSerialPort(sp_port* port) : port_(port) {}
    ~LibSerialPort() override {
        sp_close(port_);
        sp_free_port(port_);
    }

    Status configure(const SerialSettings& s) {
        static const sp_parity parities[] = {SP_PARITY_NONE, SP_PARITY_ODD, SP_PARITY_EVEN,
                                             SP_PARITY_MARK, SP_PARITY_SPACE};
        static const sp_flowcontrol flows[] = {SP_FLOWCONTROL_NONE, SP_FLOWCONTROL_XONXOFF,
                                               SP_FLOWCONTROL_RTSCTS, SP_FLOWCONTROL_DTRDSR};
        if (auto rc = sp_set_baudrate(port_, s.baud); rc != SP_OK)
            return serialError("set baud rate", rc);
        if (auto rc = sp_set_bits(port_, s.dataBits); rc != SP_OK)
            return serialError("set data bits", rc);
        if (auto rc = sp_set_parity(port_, parities[static_cast<int>(s.parity)]); rc != SP_OK)
            return serialError("set parity", rc);
        if (auto rc = sp_set_stopbits(port_, s.stopBits); rc != SP_OK)
            return serialError("set stop bits", rc);
        if (auto rc = sp_set_flowcontrol(port_, flows[static_cast<int>(s.flowControl)]);
            rc != SP_OK)
            return serialError("set flow control", rc);
        return okStatus();
    }

    Result<size_t> read(uint8_t* buffer, size_t capacity,
                        std::chrono::milliseconds timeout) override {
        const int rc =
            sp_blocking_read_next(port_, buffer, capacity, static_cast<unsigned>(timeout.count()));
        if (rc < 0) return serialError("read", static_cast<sp_return>(rc));
        return static_cast<size_t>(rc);
    }

    Result<size_t> write(const uint8_t* data, size_t size,
                         std::chrono::milliseconds timeout) override {
        const int rc = sp_blocking_write(port_, data, size, static_cast<unsigned>(timeout.count()));
        if (rc < 0) return serialError("write", static_cast<sp_return>(rc));
        return static_cast<size_t>(rc);
    }

    Status flushInput() override {
        if (auto rc = sp_flush(port_, SP_BUF_INPUT); rc != SP_OK) return serialError("flush", rc);
        return okStatus();
    }

    std::string backend() const override { return "libserialport"; }

  private:
    sp_port* port_;
};

// ---- pseudo-terminals --------------------------------------------------------
// libserialport 0.1.1 (Debian 12) cannot open a pty: it looks the port up under
// /sys/class/tty, where ptys have no entry, and it requires modem-line ioctls
// (TIOCMGET) that ptys reject. Virtual ports are ptys (socat, ser2net-style
// bridges, the test simulators), so they get this small termios backend.

speed_t toSpeed(int baud) {
    switch (baud) {
        case 1200: return B1200;
        case 2400: return B2400;
        case 4800: return B4800;
        case 9600: return B9600;
        case 19200: return B19200;
        case 38400: return B38400;
        case 57600: return B57600;
        case 115200: return B115200;
        case 230400: return B230400;
        default: return B0;
    }
}

class PtyPort : public SerialPort {
  public:
    explicit PtyPort(int fd) : fd_(fd) {}
    ~PtyPort() override { ::close(fd_); }

    Status configure(const SerialSettings& s) {
        termios tio{};
        if (tcgetattr(fd_, &tio) != 0) return osError("tcgetattr");
        cfmakeraw(&tio);
        const speed_t speed = toSpeed(s.baud);
        if (speed == B0)
            return Error{ErrorCode::arg, "unsupported baud rate " + std::to_string(s.baud)};
        cfsetispeed(&tio, speed);
        cfsetospeed(&tio, speed);
        tio.c_cflag &= ~(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS);
        static const tcflag_t sizes[] = {CS5, CS6, CS7, CS8};
        tio.c_cflag |= sizes[s.dataBits - 5] | CLOCAL | CREAD;
        if (s.parity == Parity::odd) tio.c_cflag |= PARENB | PARODD;
        if (s.parity == Parity::even) tio.c_cflag |= PARENB;
        if (s.stopBits == 2) tio.c_cflag |= CSTOPB;
        if (s.flowControl == FlowControl::rtscts) tio.c_cflag |= CRTSCTS;
        if (s.flowControl == FlowControl::xonxoff) tio.c_iflag |= IXON | IXOFF;
        if (tcsetattr(fd_, TCSANOW, &tio) != 0) return osError("tcsetattr");
        return okStatus();
    }

    Result<size_t> read(uint8_t* buffer, size_t capacity,
                        std::chrono::milliseconds timeout) override {
        pollfd p{fd_, POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
        if (ready < 0)
            return errno == EINTR ? Result<size_t>(size_t{0}) : Result<size_t>(osError("poll"));
        if (ready == 0) return size_t{0};
        const ssize_t n = ::read(fd_, buffer, capacity);
        if (n > 0) return static_cast<size_t>(n);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return size_t{0};
        // The other end closed: for a pty that is the cable being pulled.
        return Error{ErrorCode::io, "read: the other end hung up"};
    }

    Result<size_t> write(const uint8_t* data, size_t size,
                         std::chrono::milliseconds timeout) override {
        size_t done = 0;
        while (done < size) {
            pollfd p{fd_, POLLOUT, 0};
            if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) break;
            const ssize_t n = ::write(fd_, data + done, size - done);
            if (n < 0 && errno != EAGAIN && errno != EINTR) return osError("write");
            if (n > 0) done += static_cast<size_t>(n);
        }
        return done;
    }

    Status flushInput() override {
        if (tcflush(fd_, TCIFLUSH) != 0) return osError("flush");
        return okStatus();
    }

    std::string backend() const override { return "pty"; }

  private:
    int fd_;
};

Result<std::unique_ptr<SerialPort>> openPty(const std::string& path, const SerialSettings& s) {
    const int fd = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return osError("open " + path);
    auto port = std::make_unique<PtyPort>(fd);
    if (auto configured = port->configure(s); !configured) return configured.error();
    if (auto flushed = port->flushInput(); !flushed) return flushed.error();
    return std::unique_ptr<SerialPort>(std::move(port));
}

Result<std::unique_ptr<SerialPort>> openLibSerialPort(const std::string& device,
                                                      const SerialSettings& s) {
    sp_port* raw = nullptr;
    if (auto rc = sp_get_port_by_name(device.c_str(), &raw); rc != SP_OK) {
        return serialError("open " + device, rc);
    }
    if (auto rc = sp_open(raw, SP_MODE_READ_WRITE); rc != SP_OK) {
        Error error = serialError("open " + device, rc);
        sp_free_port(raw);
        return error;
    }
    auto port = std::make_unique<LibSerialPort>(raw);
    if (auto configured = port->configure(s); !configured) return configured.error();
    if (auto flushed = port->flushInput(); !flushed) return flushed.error();
    return std::unique_ptr<SerialPort>(std::move(port));
}

}  // namespace

Result<std::unique_ptr<SerialPort>> SerialPort::open(const std::string& path,
                                                     const SerialSettings& settings) {
    if (settings.dataBits < 5 || settings.dataBits > 8 || settings.stopBits < 1 ||
        settings.stopBits > 2) {
        return Error{ErrorCode::arg, "invalid serial settings " + settings.describe()};
    }
    // Stable names such as /dev/serial/by-id/... are symlinks; libserialport wants
    // the kernel's name, so resolve first.
    char resolved[PATH_MAX];
    if (!::realpath(path.c_str(), resolved)) return osError("open " + path);
    const std::string device = resolved;
    if (device.rfind("/dev/pts/", 0) == 0) return openPty(device, settings);
    return openLibSerialPort(device, settings);
}

bool portPresent(const std::string& path) {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0;
}

Result<std::vector<PortInfo>> listPorts() {
    sp_port** ports = nullptr;
    if (auto rc = sp_list_ports(&ports); rc != SP_OK) return serialError("list ports", rc);
    std::vector<PortInfo> result;
    for (sp_port** it = ports; *it; ++it) {
        PortInfo info;
        info.name = sp_get_port_name(*it);
        const char* description = sp_get_port_description(*it);
        info.description = description ? description : "";
        switch (sp_get_port_transport(*it)) {
            case SP_TRANSPORT_USB: {
                info.transport = "usb";
                int vid = -1, pid = -1;
                if (sp_get_port_usb_vid_pid(*it, &vid, &pid) == SP_OK) {
                    info.usbVendorId = vid;
                    info.usbProductId = pid;
                }
                const char* serial = sp_get_port_usb_serial(*it);
                info.serialNumber = serial ? serial : "";
                break;
            }
            case SP_TRANSPORT_BLUETOOTH: info.transport = "bluetooth"; break;
            default: info.transport = "native"; break;
        }
        result.push_back(info);
    }
    sp_free_port_list(ports);
    return result;
}

}  // namespace lojal::hal

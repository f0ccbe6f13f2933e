#pragma once
// Peers that misbehave, for liblojal's failure tests: a server that accepts and
// never answers, one that closes every connection at once, one that answers
// /v1/health with another API version. Raw sockets on loopback, one thread each.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lojal::test {

inline sockaddr_in loopbackAddress(int port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

// A listening socket on a free loopback port; the port goes to `port`.
inline int listenOnLoopback(int& port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address = loopbackAddress(0);
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(fd, 64);
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    port = ntohs(address.sin_port);
    return fd;
}

class PeerServer {
  public:
    enum class Behaviour { stall, closeAtOnce, answer };

    explicit PeerServer(Behaviour behaviour, std::string answer = "")
        : behaviour_(behaviour), answer_(std::move(answer)) {
        listener_ = listenOnLoopback(port_);
        thread_ = std::thread([this] { serve(); });
    }

    ~PeerServer() {
        stop_ = true;
        ::shutdown(listener_, SHUT_RDWR);
        thread_.join();
        for (const int fd : held_) ::close(fd);
        ::close(listener_);
    }

    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    int port() const { return port_; }

    // Waits until `count` requests whose first bytes hold `marker` (say a
    // User-Agent the test set) have come in.
    bool waitForRequests(size_t count, const std::string& marker,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] {
            return std::count_if(requests_.begin(), requests_.end(), [&](const std::string& r) {
                       return r.find(marker) != std::string::npos;
                   }) >= static_cast<long>(count);
        });
    }

  private:
    void serve() {
        for (;;) {
            const int fd = ::accept(listener_, nullptr, nullptr);
            if (fd < 0 || stop_) {
                if (fd >= 0) ::close(fd);
                return;
            }
            if (behaviour_ == Behaviour::closeAtOnce) {
                ::close(fd);
                continue;
            }
            char buffer[4096];
            const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
            if (behaviour_ == Behaviour::answer && got > 0) {
                const std::string response =
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                    std::to_string(answer_.size()) + "\r\nConnection: close\r\n\r\n" + answer_;
                (void)::send(fd, response.data(), response.size(), MSG_NOSIGNAL);
                ::close(fd);
            } else {
                held_.push_back(fd);  // never answered: the client's timeout must end it
            }
            std::lock_guard lock(mutex_);
            requests_.emplace_back(buffer, got > 0 ? static_cast<size_t>(got) : 0);
            changed_.notify_all();
        }
    }

    const Behaviour behaviour_;
    const std::string answer_;
    int listener_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::vector<int> held_;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::string> requests_;  // the first bytes of each
};

// A TCP proxy in front of lojald that loses what a till dreads losing: on a
// connection whose request holds `marker`, either lojald's answer (the request
// was carried out, the till never hears so) or the request itself (it never
// reached lojald). Everything else passes both ways, WebSockets included.
class LossyProxy {
  public:
    enum class Loses { answer, request };

    LossyProxy(int upstreamPort, std::string marker, Loses loses)
        : upstream_(upstreamPort), marker_(std::move(marker)), loses_(loses) {
        fd_ = listenOnLoopback(port_);
        acceptor_ = std::thread([this] { accept(); });
    }
    ~LossyProxy() {
        stop_ = true;
        ::shutdown(fd_, SHUT_RDWR);
        acceptor_.join();
        {
            std::lock_guard lock(mutex_);
            for (const int fd : sockets_) ::shutdown(fd, SHUT_RDWR);
        }
        for (auto& pump : pumps_) pump.join();
        for (const int fd : sockets_) ::close(fd);
        ::close(fd_);
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    // How many requests holding the marker it has seen.
    size_t lost() {
        std::lock_guard lock(mutex_);
        return lost_;
    }

  private:
    void accept() {
        for (;;) {
            const int client = ::accept(fd_, nullptr, nullptr);
            if (client < 0 || stop_) {
                if (client >= 0) ::close(client);
                return;
            }
            const int server = ::socket(AF_INET, SOCK_STREAM, 0);
            sockaddr_in address = loopbackAddress(upstream_);
            if (::connect(server, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
                ::close(client);
                ::close(server);
                continue;
            }
            auto marked = std::make_shared<std::atomic<bool>>(false);
            std::lock_guard lock(mutex_);
            sockets_.push_back(client);
            sockets_.push_back(server);
            pumps_.emplace_back(
                [this, client, server, marked] { pump(client, server, marked, true); });
            pumps_.emplace_back(
                [this, client, server, marked] { pump(server, client, marked, false); });
        }
    }
    void pump(int from, int to, const std::shared_ptr<std::atomic<bool>>& marked, bool request) {
        char buffer[16384];
        for (;;) {
            const ssize_t got = ::recv(from, buffer, sizeof buffer, 0);
            if (got <= 0) break;
            if (request &&
                std::string(buffer, static_cast<size_t>(got)).find(marker_) != std::string::npos) {
                *marked = true;
                std::lock_guard lock(mutex_);
                ++lost_;
            }
            const bool drop =
                *marked && (request ? loses_ == Loses::request : loses_ == Loses::answer);
            if (!drop && ::send(to, buffer, static_cast<size_t>(got), MSG_NOSIGNAL) < 0) break;
        }
        ::shutdown(to, SHUT_WR);
    }

    const int upstream_;
    const std::string marker_;
    const Loses loses_;
    int fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread acceptor_;
    std::mutex mutex_;
    std::vector<int> sockets_;
    std::vector<std::thread> pumps_;
    size_t lost_ = 0;
};

}  // namespace lojal::test

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
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lojal::test {

class PeerServer {
  public:
    enum class Behaviour { stall, closeAtOnce, answer };

    explicit PeerServer(Behaviour behaviour, std::string answer = "")
        : behaviour_(behaviour), answer_(std::move(answer)) {
        listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
        const int one = 1;
        ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
        ::listen(listener_, 64);
        socklen_t length = sizeof address;
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
        port_ = ntohs(address.sin_port);
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

}  // namespace lojal::test

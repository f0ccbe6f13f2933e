#include "SlowClients.h"

namespace lojal::test {

Poco::Net::StreamSocket connectFrom(const std::string& source, int port) {
    Poco::Net::StreamSocket socket;
    socket.impl()->bind(Poco::Net::SocketAddress(source, 0), false);
    socket.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
    return socket;
}

Slowloris::Slowloris(int port, int count, const std::string& source,
                     std::chrono::milliseconds interval) {
    for (int i = 0; i < count; ++i) {
        sockets_.push_back(connectFrom(source, port));
        sockets_.back().sendBytes("GET /v1/health HTTP/1.1\r\nHo", 27);
    }
    trickle_ = std::thread([this, interval] {
        std::unique_lock lock(mutex_);
        // A byte from each, then the interval or the stop, whichever comes first.
        do {
            for (auto& socket : sockets_) {
                try {
                    socket.sendBytes("x", 1);
                } catch (const Poco::Exception&) {  // closed by lojald: fine
                }
            }
        } while (!stop_.wait_for(lock, interval, [this] { return done_; }));
    });
}

Slowloris::~Slowloris() {
    {
        std::lock_guard lock(mutex_);
        done_ = true;
    }
    stop_.notify_all();
    trickle_.join();
}

}  // namespace lojal::test

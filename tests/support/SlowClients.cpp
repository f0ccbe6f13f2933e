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
        while (!done_.load()) {
            for (auto& socket : sockets_) {
                try {
                    socket.sendBytes("x", 1);
                } catch (const Poco::Exception&) {  // closed by lojald: fine
                }
            }
            std::this_thread::sleep_for(interval);
        }
    });
}

Slowloris::~Slowloris() {
    done_ = true;
    trickle_.join();
}

}  // namespace lojal::test

#pragma once
// Hostile clients for the tests and benchmarks of the API's defences: a
// connection from a loopback address of its own, and a crowd of connections
// that trickle a request head one byte at a time (slowloris) until destroyed.

#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lojal::test {

// A connection to 127.0.0.1:port from `source` (any 127.x address).
Poco::Net::StreamSocket connectFrom(const std::string& source, int port);

class Slowloris {
  public:
    // count connections from source, each sending the start of a head, then one
    // more byte every interval (from a thread of its own).
    Slowloris(int port, int count, const std::string& source, std::chrono::milliseconds interval);
    ~Slowloris();
    Slowloris(const Slowloris&) = delete;
    Slowloris& operator=(const Slowloris&) = delete;

  private:
    std::vector<Poco::Net::StreamSocket> sockets_;
    std::mutex mutex_;
    std::condition_variable stop_;  // ends the wait between bytes at once
    bool done_ = false;
    std::thread trickle_;
};

}  // namespace lojal::test

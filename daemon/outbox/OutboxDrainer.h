#pragma once
// The thread that drains one outbox topic, shared by every worker (SMS, receipts):
// at start it puts rows a crash left "sending" back in the queue, then it claims
// due rows and hands them to `handle`, claiming again at once while rows keep
// coming, and otherwise sleeps until the next row is due, wake() is called, or
// 5 s pass. The topic's own logic lives in `handle`; the loop is written once.

#include <Poco/Logger.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "outbox/Outbox.h"

namespace lojal {

class OutboxDrainer {
  public:
    using Handler = std::function<void(const std::vector<OutboxItem>&)>;
    OutboxDrainer(Outbox& outbox, std::string topic, int batchSize, Handler handle);
    ~OutboxDrainer();

    // Returns how many rows were recovered from an earlier crash.
    int start();
    void stop();
    void wake();
    // Claims nothing before this time (Unix ms): the receiver is down and the
    // rows must wait together, in their order, rather than each on its own timer.
    void holdUntil(int64_t unixMs) { holdUntil_ = unixMs; }

  private:
    void run();

    Outbox& outbox_;
    const std::string topic_;
    const int batchSize_;
    Handler handle_;
    Poco::Logger& log_;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    bool pending_ = false;
    std::string lastError_;  // of claiming; logged once per change
    std::atomic<int64_t> holdUntil_{0};
};

}  // namespace lojal

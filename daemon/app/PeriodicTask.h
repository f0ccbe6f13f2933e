#pragma once
// A thread that runs a task at start and then every interval, until stopped;
// wake() runs it now. For housekeeping (member down-sync, retention purge),
// where "every few minutes" is the contract and nothing waits on a result.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace lojal {

class PeriodicTask {
  public:
    PeriodicTask(std::chrono::milliseconds interval, std::function<void()> task)
        : interval_(interval), task_(std::move(task)) {}
    ~PeriodicTask() { stop(); }

    void start() {
        thread_ = std::thread([this] { run(); });
    }
    void stop() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        if (thread_.joinable()) thread_.join();
    }
    void wake() {
        {
            std::lock_guard lock(mutex_);
            pending_ = true;
        }
        wake_.notify_all();
    }

  private:
    void run() {
        std::unique_lock lock(mutex_);
        while (!stopping_) {
            pending_ = false;
            lock.unlock();
            task_();
            lock.lock();
            wake_.wait_for(lock, interval_, [this] { return stopping_ || pending_; });
        }
    }

    std::chrono::milliseconds interval_;
    std::function<void()> task_;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    bool pending_ = false;
};

}  // namespace lojal

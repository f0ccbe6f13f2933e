#pragma once
// Token buckets keyed by a string (a phone number, a register, the store), with the
// clock passed in so tests need no sleeps. SMS pumping costs money: every SMS a
// request would send passes these first.

#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace lojal {

struct BucketSpec {
    double capacity = 1;   // burst
    double perSecond = 1;  // refill
};

class RateLimiter {
  public:
    using TimePoint = std::chrono::steady_clock::time_point;
    explicit RateLimiter(BucketSpec spec, size_t maxKeys = 100000)
        : spec_(spec), maxKeys_(maxKeys) {}

    // Takes one token for key; when none is left, the seconds until one is.
    struct Decision {
        bool allowed;
        double retryAfterSeconds;
    };
    Decision take(const std::string& key, TimePoint now);
    // Gives a token back (a later check refused the request).
    void refund(const std::string& key);

  private:
    struct Bucket {
        double tokens;
        TimePoint updated;
    };
    BucketSpec spec_;
    size_t maxKeys_;
    std::mutex mutex_;
    std::map<std::string, Bucket> buckets_;
};

}  // namespace lojal

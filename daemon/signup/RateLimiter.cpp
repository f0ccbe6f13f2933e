#include "signup/RateLimiter.h"

#include <algorithm>

namespace lojal {

RateLimiter::Decision RateLimiter::take(const std::string& key, TimePoint now) {
    std::lock_guard lock(mutex_);
    auto found = buckets_.find(key);
    if (found == buckets_.end()) {
        // Full buckets carry no information: forget them rather than grow without bound.
        if (buckets_.size() >= maxKeys_) {
            for (auto it = buckets_.begin(); it != buckets_.end();) {
                const double refilled =
                    it->second.tokens +
                    std::chrono::duration<double>(now - it->second.updated).count() *
                        spec_.perSecond;
                it = refilled >= spec_.capacity ? buckets_.erase(it) : std::next(it);
            }
        }
        found = buckets_.emplace(key, Bucket{spec_.capacity, now}).first;
    }
    Bucket& bucket = found->second;
    const double elapsed =
        std::max(0.0, std::chrono::duration<double>(now - bucket.updated).count());
    bucket.tokens = std::min(spec_.capacity, bucket.tokens + elapsed * spec_.perSecond);
    bucket.updated = now;
    if (bucket.tokens >= 1.0) {
        bucket.tokens -= 1.0;
        return {true, 0};
    }
    return {false, (1.0 - bucket.tokens) / spec_.perSecond};
}

void RateLimiter::refund(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto found = buckets_.find(key);
    if (found != buckets_.end())
        found->second.tokens = std::min(spec_.capacity, found->second.tokens + 1.0);
}

}  // namespace lojal

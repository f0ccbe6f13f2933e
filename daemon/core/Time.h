#pragma once
// Wall-clock time as stored in the database: Unix milliseconds.

#include <chrono>
#include <cstdint>

namespace lojal {

inline int64_t unixMillisNow() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace lojal

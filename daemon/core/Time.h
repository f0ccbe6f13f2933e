#pragma once
// Wall-clock time as stored in the database: Unix milliseconds.

#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace lojal {

inline int64_t unixMillisNow() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Unix ms as ISO 8601 UTC with milliseconds, the API's time format.
inline std::string isoUtcFromMillis(int64_t unixMillis) {
    return Poco::DateTimeFormatter::format(Poco::Timestamp(unixMillis * 1000),
                                           "%Y-%m-%dT%H:%M:%S.%iZ");
}

}  // namespace lojal

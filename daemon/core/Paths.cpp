#include "core/Paths.h"

#include <unistd.h>

#include <climits>

namespace lojal {

std::string executableDirectory() {
    char path[PATH_MAX];
    const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0) return "";
    const std::string self(path, static_cast<size_t>(n));
    return self.substr(0, self.rfind('/') + 1);
}

}  // namespace lojal

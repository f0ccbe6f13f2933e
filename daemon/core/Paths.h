#pragma once
// Where the running program lives, for files that ship beside it (lojal-decode,
// the kiosk page): the build tree and the packages keep them relative to it.

#include <string>

namespace lojal {

// The directory of the running executable with a trailing '/', "" when
// /proc/self/exe cannot be read.
std::string executableDirectory();

}  // namespace lojal

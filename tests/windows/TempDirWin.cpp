// TempDir of tests/support/LojaldProcess.h for the cross-built unit tests: the
// rest of that file starts processes the POSIX way, which they do not need.
#include <filesystem>
#include <fstream>
#include <random>

#include "LojaldProcess.h"

namespace lojal::test {

TempDir::TempDir() {
    const auto made = std::filesystem::temp_directory_path() /
                      ("lojal-test-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(made);
    path_ = made.string();
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

void TempDir::write(const std::string& name, const std::string& text) const {
    std::ofstream(file(name), std::ios::binary) << text;
}

}  // namespace lojal::test

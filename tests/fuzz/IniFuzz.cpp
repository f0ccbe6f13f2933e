// libFuzzer target: the INI reader behind every configuration file.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/Ini.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto entries =
        lojal::parseIni(std::string_view(reinterpret_cast<const char*>(data), size));
    if (entries.ok()) {
        for (const auto& entry : *entries) {
            if (entry.section.empty() || entry.key.empty() || entry.line < 1) __builtin_trap();
        }
    }
    return 0;
}

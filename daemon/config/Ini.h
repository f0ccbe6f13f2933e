#pragma once
// A strict INI reader: `[section]`, `key = value`, comments starting with `;` or `#`.
// Pure (no I/O) so it is unit-tested and fuzzed with plain strings. Every entry keeps
// its line number, so config errors can point at the exact line.

#include <string>
#include <string_view>
#include <vector>

#include "core/Result.h"

namespace lojal {

struct IniEntry {
    std::string section;
    std::string key;
    std::string value;
    int line = 0;
};

// Fails on a line that is neither a section, an assignment, a comment nor blank,
// on a key outside any section, on a duplicate key and on control characters.
Result<std::vector<IniEntry>> parseIni(std::string_view text);

}  // namespace lojal

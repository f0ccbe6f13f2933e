#include "config/Ini.h"

#include <algorithm>
#include <set>
#include <utility>

namespace lojal {
namespace {

std::string_view trim(std::string_view s) {
    const auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
    while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
    return s;
}

bool isNameChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
}

bool isName(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), isNameChar);
}

Error lineError(int line, const std::string& what) {
    return Error{ErrorCode::data, "line " + std::to_string(line) + ": " + what};
}

}  // namespace

Result<std::vector<IniEntry>> parseIni(std::string_view text) {
    std::vector<IniEntry> entries;
    std::set<std::pair<std::string, std::string>> seen;
    std::string section;
    int lineNumber = 0;
    size_t pos = 0;
    while (pos <= text.size()) {
        const size_t end = std::min(text.find('\n', pos), text.size());
        std::string_view raw = text.substr(pos, end - pos);
        pos = end + 1;
        ++lineNumber;
        if (std::any_of(raw.begin(), raw.end(), [](unsigned char c) {
                return (c < 0x20 && c != '\t' && c != '\r') || c == 0x7f;
            })) {
            return lineError(lineNumber, "control character in line");
        }
        const std::string_view line = trim(raw);
        if (line.empty() || line.front() == ';' || line.front() == '#') continue;
        if (line.front() == '[') {
            if (line.back() != ']') return lineError(lineNumber, "section header lacks ']'");
            const std::string_view name = trim(line.substr(1, line.size() - 2));
            if (!isName(name)) return lineError(lineNumber, "invalid section name");
            section = name;
            continue;
        }
        const size_t eq = line.find('=');
        if (eq == std::string_view::npos) {
            return lineError(lineNumber, "expected 'key = value'");
        }
        const std::string_view key = trim(line.substr(0, eq));
        if (!isName(key)) return lineError(lineNumber, "invalid key name");
        if (section.empty()) return lineError(lineNumber, "key outside any [section]");
        if (!seen.emplace(section, std::string(key)).second) {
            return lineError(lineNumber,
                             "duplicate key '" + section + "." + std::string(key) + "'");
        }
        entries.push_back(IniEntry{section, std::string(key),
                                   std::string(trim(line.substr(eq + 1))), lineNumber});
    }
    return entries;
}

}  // namespace lojal

#include "barcode/Gs1.h"

#include <algorithm>
#include <map>
#include <optional>

#include "barcode/CheckDigit.h"

namespace lojal::barcode {
namespace {

// ---- The table, as data ---------------------------------------------------

struct AiRow {
    const char* first;
    const char* last;
    bool predefined;
    const char* spec;
    const char* rules;
    const char* title;
};

constexpr AiRow kAiRows[] = {
#include "barcode/Gs1Ais.inc"
};

enum class Charset { numeric, cset82, cset39, cset64 };

struct Component {
    Charset charset = Charset::numeric;
    size_t minLength = 0;
    size_t maxLength = 0;
    bool optional = false;
    std::vector<std::string> checks;  // csum, yymmd0, hhmm, ...
};

struct AiDefinition {
    std::string ai;
    bool predefined = false;
    std::vector<Component> components;
    std::vector<std::vector<std::string>> required;  // each: one of these must be present
    std::vector<std::string> excluded;
    bool primaryKey = false;  // a Digital Link primary key
    std::vector<std::vector<std::string>> qualifierPaths;
    std::string title;
};

std::vector<std::string> splitOn(std::string_view text, char separator) {
    std::vector<std::string> parts;
    size_t pos = 0;
    while (pos <= text.size()) {
        const size_t end = std::min(text.find(separator, pos), text.size());
        parts.emplace_back(text.substr(pos, end - pos));
        pos = end + 1;
    }
    return parts;
}

std::vector<std::string> words(std::string_view text) {
    std::vector<std::string> out;
    for (std::string& word : splitOn(text, ' '))
        if (!word.empty()) out.push_back(std::move(word));
    return out;
}

Component parseComponent(std::string word) {
    Component component;
    if (word.front() == '[') {
        component.optional = true;
        const size_t close = word.find(']');
        word = word.substr(1, close - 1) + word.substr(close + 1);
    }
    std::vector<std::string> parts = splitOn(word, ',');
    const std::string& type = parts[0];
    component.charset = type[0] == 'N'   ? Charset::numeric
                        : type[0] == 'X' ? Charset::cset82
                        : type[0] == 'Y' ? Charset::cset39
                                         : Charset::cset64;
    if (type.compare(1, 2, "..") == 0) {
        component.minLength = 1;
        component.maxLength = std::stoul(type.substr(3));
    } else {
        component.minLength = component.maxLength = std::stoul(type.substr(1));
    }
    component.checks.assign(parts.begin() + 1, parts.end());
    return component;
}

AiDefinition define(const AiRow& row, std::string ai) {
    AiDefinition definition;
    definition.ai = std::move(ai);
    definition.predefined = row.predefined;
    definition.title = row.title;
    for (const std::string& word : words(row.spec))
        definition.components.push_back(parseComponent(word));
    for (const std::string& rule : words(row.rules)) {
        if (rule.rfind("req=", 0) == 0) {
            definition.required.push_back(splitOn(rule.substr(4), ','));
        } else if (rule.rfind("ex=", 0) == 0) {
            for (std::string& ai : splitOn(rule.substr(3), ','))
                definition.excluded.push_back(std::move(ai));
        } else if (rule.rfind("dlpkey", 0) == 0) {
            definition.primaryKey = true;
            if (rule.size() > 7) {
                for (const std::string& path : splitOn(rule.substr(7), '|'))
                    definition.qualifierPaths.push_back(splitOn(path, ','));
            }
        }
    }
    return definition;
}

// Every AI by its digits, built once from the rows.
const std::map<std::string, AiDefinition, std::less<>>& aiTable() {
    static const auto table = [] {
        std::map<std::string, AiDefinition, std::less<>> built;
        for (const AiRow& row : kAiRows) {
            const std::string first = row.first;
            const std::string last = row.last;
            for (long n = std::stol(first); n <= std::stol(last); ++n) {
                std::string ai = std::to_string(n);
                ai.insert(0, first.size() - ai.size(), '0');  // "00", "01"
                built.emplace(ai, define(row, ai));
            }
        }
        return built;
    }();
    return table;
}

const AiDefinition* findDefinition(std::string_view ai) {
    const auto& table = aiTable();
    const auto found = table.find(ai);
    return found == table.end() ? nullptr : &found->second;
}

// The AI at the start of data: GS1 AIs are 2 to 4 digits and none is the
// start of another, so the first length that names one is it.
const AiDefinition* findAiAt(std::string_view data, size_t& length) {
    for (length = 2; length <= 4 && length <= data.size(); ++length) {
        if (const AiDefinition* definition = findDefinition(data.substr(0, length)))
            return definition;
    }
    return nullptr;
}

// "31nn" matches 3100-3199; "01" only 01.
bool aiMatches(std::string_view pattern, std::string_view ai) {
    if (pattern.size() != ai.size()) return false;
    for (size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] != 'n' && pattern[i] != ai[i]) return false;
    }
    return true;
}

// ---- Component checks -----------------------------------------------------

int twoDigits(std::string_view text, size_t at) {
    return (text[at] - '0') * 10 + (text[at + 1] - '0');
}

// YYMMDD. The century follows GenSpecs 7.12 (within -49..+50 years of now); in
// the window around any current year, 00 is 2000 and every year divisible by
// four is a leap year, so the two digits decide February.
bool validDate(std::string_view text, bool dayZeroAllowed) {
    if (text.size() < 6) return false;
    const int year = twoDigits(text, 0);
    const int month = twoDigits(text, 2);
    const int day = twoDigits(text, 4);
    if (month < 1 || month > 12) return false;
    if (day == 0) return dayZeroAllowed;  // "the last day of the month"
    static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (day > kDays[month - 1]) return false;
    return !(month == 2 && day == 29 && year % 4 != 0);
}

bool validHourMinute(std::string_view text) {
    return twoDigits(text, 0) <= 23 && twoDigits(text, 2) <= 59;
}

// GenSpecs Figure 7.11-1: GS1 AI encodable character set 82.
bool inCset82(char c) {
    return (c >= '!' && c <= '"') || (c >= '%' && c <= '?') || (c >= 'A' && c <= 'Z') || c == '_' ||
           (c >= 'a' && c <= 'z');
}
// Figure 7.11-2: character set 39.
bool inCset39(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c == '#' || c == '-' || c == '/';
}
// Figure 7.11-3: character set 64 (file-safe base64), '=' as padding.
bool inCset64(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' ||
           c == '_' || c == '=';
}

bool inCharset(Charset charset, std::string_view value) {
    return std::all_of(value.begin(), value.end(), [charset](char c) {
        switch (charset) {
            case Charset::numeric: return c >= '0' && c <= '9';
            case Charset::cset82: return inCset82(c);
            case Charset::cset39: return inCset39(c);
            case Charset::cset64: return inCset64(c);
        }
        return false;
    });
}

const char* charsetName(Charset charset) {
    switch (charset) {
        case Charset::numeric: return "digits";
        case Charset::cset82: return "characters of GS1 character set 82";
        case Charset::cset39: return "characters of GS1 character set 39";
        case Charset::cset64: return "characters of GS1 character set 64";
    }
    return "";
}

bool validPercentEncoding(std::string_view value) {
    for (size_t i = 0; i < value.size(); ++i) {
        if (value[i] != '%') continue;
        if (i + 2 >= value.size() || !std::isxdigit(static_cast<unsigned char>(value[i + 1])) ||
            !std::isxdigit(static_cast<unsigned char>(value[i + 2])))
            return false;
        i += 2;
    }
    return true;
}

// ISO 13616: letters as 10-35, the first four characters moved to the end,
// the number mod 97 is 1.
bool validIban(std::string_view iban) {
    if (iban.size() < 5 || !std::isupper(static_cast<unsigned char>(iban[0])) ||
        !std::isupper(static_cast<unsigned char>(iban[1])) || !allDigits(iban.substr(2, 2)))
        return false;
    int remainder = 0;
    const std::string moved = std::string(iban.substr(4)) + std::string(iban.substr(0, 4));
    for (const char c : moved) {
        if (std::isdigit(static_cast<unsigned char>(c))) {
            remainder = (remainder * 10 + (c - '0')) % 97;
        } else if (c >= 'A' && c <= 'Z') {
            remainder = (remainder * 100 + (c - 'A' + 10)) % 97;
        } else {
            return false;
        }
    }
    return remainder == 1;
}

// GenSpecs 7.9.5: the check character pair of alphanumeric keys (GMN, 8013).
// Each character's position in character set 82 times a prime weight (from the
// right: 2, 3, 5, ... 83), summed mod 1021, written as two characters of
// character set 32.
bool validCheckCharacterPair(std::string_view value) {
    static const std::string_view kCset82 =
        "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
    static const std::string_view kCset32 = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    static const int kPrimes[] = {2,  3,  5,  7,  11, 13, 17, 19, 23, 29, 31, 37,
                                  41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83};
    if (value.size() < 3 || value.size() - 2 > std::size(kPrimes)) return false;
    const std::string_view body = value.substr(0, value.size() - 2);
    int sum = 0;
    for (size_t i = 0; i < body.size(); ++i) {
        const size_t position = kCset82.find(body[body.size() - 1 - i]);
        if (position == std::string_view::npos) return false;
        sum += static_cast<int>(position) * kPrimes[i];
    }
    sum %= 1021;
    return value[value.size() - 2] == kCset32[static_cast<size_t>(sum >> 5)] &&
           value[value.size() - 1] == kCset32[static_cast<size_t>(sum & 31)];
}

// One named check on one component; "" when it passes, else why not.
std::string runCheck(const std::string& check, std::string_view part) {
    // 64 bits everywhere: a longitude's 10 digits overflow a 32-bit long on
    // Windows (found by the Windows build). The components checked this way are
    // numeric and at most 10 digits long.
    const auto number = [&] { return std::stoll(std::string(part)); };
    if (check == "csum") return hasValidGs1CheckDigit(part) ? "" : "has a wrong check digit";
    if (check == "yymmd0")
        return validDate(part, true) ? "" : "is not a valid YYMMDD date (day 00: month end)";
    if (check == "yymmdd") return validDate(part, false) ? "" : "is not a valid YYMMDD date";
    if (check == "hhmm") return validHourMinute(part) ? "" : "is not a valid HHMM time";
    if (check == "yymmddhh") {
        return validDate(part, false) && twoDigits(part, 6) <= 23
                   ? ""
                   : "is not a valid YYMMDDHH date and hour";
    }
    if (check == "mmoptss") {
        const bool ok = (part.size() == 2 || part.size() == 4) && twoDigits(part, 0) <= 59 &&
                        (part.size() == 2 || twoDigits(part, 2) <= 59);
        return ok ? "" : "minutes and seconds must be MM or MMSS";
    }
    if (check == "zero") return part == "0" ? "" : "must start with 0";
    if (check == "nonzero")  // any length: digits, not a number that could overflow
        return part.find_first_not_of('0') != std::string_view::npos ? "" : "must not be zero";
    if (check == "yesno") return part == "0" || part == "1" ? "" : "must be 0 or 1";
    if (check == "winding")
        return part == "0" || part == "1" || part == "9" ? "" : "winding must be 0, 1 or 9";
    if (check == "hyphen") return part == "-" ? "" : "only '-' may follow the value";
    if (check == "pieceoftotal") {
        const int piece = twoDigits(part, 0), total = twoDigits(part, 2);
        return piece >= 1 && total >= 1 && piece <= total ? "" : "piece must be 1 to the total";
    }
    if (check == "latitude") return number() <= 1800000000 ? "" : "latitude out of range";
    if (check == "longitude") return number() <= 3600000000 ? "" : "longitude out of range";
    if (check == "pcenc") return validPercentEncoding(part) ? "" : "has a bad percent-encoding";
    if (check == "iban") return validIban(part) ? "" : "is not a valid IBAN";
    if (check == "nozeroprefix")
        return part.size() == 1 || part[0] != '0' ? "" : "must not start with 0";
    if (check == "mediatype") {
        const long long type = number();
        return (type >= 1 && type <= 10) || type >= 80 ? "" : "is not an AIDC media type";
    }
    if (check == "csumalpha")
        return validCheckCharacterPair(part) ? "" : "has wrong check characters";
    if (check == "iso3166list") return part.size() % 3 == 0 ? "" : "must be 3-digit country codes";
    if (check == "iso3166alpha2") {
        return std::all_of(part.begin(), part.end(), [](char c) { return c >= 'A' && c <= 'Z'; })
                   ? ""
                   : "must be an ISO 3166 alpha-2 code";
    }
    if (check == "importeridx") {
        const char c = part[0];
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'
                   ? ""
                   : "is not an importer index";
    }
    // key (the GS1 Company Prefix is the registry's business, not syntax);
    // iso3166, iso3166999, iso4217 (3 digits: the charset already checks);
    // couponcode, couponposoffer (North American coupon contents).
    return "";
}

// The value of one AI against its components; "" when it passes.
std::string checkValue(const AiDefinition& definition, std::string_view value) {
    const std::string name = "AI (" + definition.ai + ")";
    if (value.empty()) return name + " has no data";
    size_t at = 0;
    for (const Component& component : definition.components) {
        const size_t left = value.size() - at;
        if (left == 0 && component.optional) break;
        if (left < component.minLength) {
            return name + " needs " + std::to_string(at + component.minLength) +
                   " characters; it has " + std::to_string(value.size());
        }
        const size_t take = std::min(left, component.maxLength);
        const std::string_view part = value.substr(at, take);
        if (!inCharset(component.charset, part))
            return name + " must be " + charsetName(component.charset);
        for (const std::string& check : component.checks) {
            if (std::string problem = runCheck(check, part); !problem.empty())
                return name + " " + problem;
        }
        at += take;
    }
    if (at < value.size()) {
        return name + " is longer than " + std::to_string(at) +
               " characters (a missing FNC1 separator?)";
    }
    return "";
}

size_t predefinedLength(const AiDefinition& definition) {
    size_t length = 0;
    for (const Component& component : definition.components) length += component.maxLength;
    return length;
}

Error gs1Error(const std::string& what) {
    return Error{ErrorCode::data, "GS1: " + what};
}

std::string listAis(const std::vector<std::string>& ais) {
    std::string text;
    for (size_t i = 0; i < ais.size(); ++i) {
        text += (i == 0 ? "(" : i + 1 == ais.size() ? " or (" : ", (") + ais[i] + ")";
    }
    return text;
}

// GenSpecs 4.14: one value per AI, the invalid pairs (4.14.1) and the
// mandatory associations (4.14.2), over everything the scan carried.
std::string checkAssociations(const std::vector<Gs1Element>& elements) {
    const auto present = [&](const std::string& pattern, const std::string& except) {
        return std::any_of(elements.begin(), elements.end(), [&](const Gs1Element& element) {
            return element.ai != except && aiMatches(pattern, element.ai);
        });
    };
    for (size_t i = 0; i < elements.size(); ++i) {
        for (size_t j = i + 1; j < elements.size(); ++j) {
            if (elements[i].ai == elements[j].ai && elements[i].value != elements[j].value)
                return "AI (" + elements[i].ai + ") appears twice with different values";
        }
    }
    for (const Gs1Element& element : elements) {
        const AiDefinition& definition = *findDefinition(element.ai);
        for (const std::string& pattern : definition.excluded) {
            if (present(pattern, element.ai)) {
                return "AI (" + element.ai + ") may not be used with AI (" + pattern +
                       ") in the same data";
            }
        }
        for (const std::vector<std::string>& oneOf : definition.required) {
            const bool met = std::any_of(oneOf.begin(), oneOf.end(), [&](const std::string& p) {
                return present(p, element.ai);
            });
            if (!met) return "AI (" + element.ai + ") needs " + listAis(oneOf) + " with it";
        }
    }
    return "";
}

}  // namespace

size_t gs1AiCount() {
    return aiTable().size();
}

Result<std::vector<Gs1Element>> parseGs1ElementString(std::string_view data) {
    std::vector<Gs1Element> elements;
    size_t pos = 0;
    if (pos < data.size() && data[pos] == kGroupSeparator) ++pos;  // FNC1 in first position
    if (pos >= data.size()) return gs1Error("no element string");
    while (pos < data.size()) {
        size_t aiLength = 0;
        const AiDefinition* definition = findAiAt(data.substr(pos), aiLength);
        if (!definition) {
            // Quoted as printable ASCII only: reasons end up in JSON events.
            std::string start(data.substr(pos, 4));
            for (char& c : start) c = c >= ' ' && c <= '~' ? c : '?';
            return gs1Error("byte " + std::to_string(pos) + ": '" + start +
                            "...' starts no Application Identifier the GS1 General "
                            "Specifications define");
        }
        pos += aiLength;
        std::string_view value;
        if (definition->predefined) {  // Figure 5.10.1-2: no separator follows
            const size_t length = predefinedLength(*definition);
            if (data.size() - pos < length) {
                return gs1Error("AI (" + definition->ai + ") needs " + std::to_string(length) +
                                " characters");
            }
            value = data.substr(pos, length);
        } else {
            value = data.substr(pos, std::min(data.find(kGroupSeparator, pos), data.size()) - pos);
        }
        pos += value.size();
        if (std::string problem = checkValue(*definition, value); !problem.empty())
            return gs1Error(problem);
        elements.push_back(Gs1Element{definition->ai, std::string(value), definition->title});
        // A separator after a predefined-length field, or at the very end, is
        // redundant but harmless (scanners often send a trailing FNC1 as GS).
        if (pos < data.size() && data[pos] == kGroupSeparator) ++pos;
    }
    if (std::string problem = checkAssociations(elements); !problem.empty())
        return gs1Error(problem);
    return elements;
}

// ---- GS1 Digital Link -----------------------------------------------------

namespace {

std::optional<std::string> percentDecode(std::string_view text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        if (i + 2 >= text.size() || !std::isxdigit(static_cast<unsigned char>(text[i + 1])) ||
            !std::isxdigit(static_cast<unsigned char>(text[i + 2])))
            return std::nullopt;
        out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
        i += 2;
    }
    return out;
}

struct UriParts {
    std::vector<std::string> segments;  // the path, split on '/'
    std::string_view query;
};

std::optional<UriParts> splitUri(std::string_view uri) {
    std::string_view rest;
    for (std::string_view scheme : {"https://", "http://", "HTTPS://", "HTTP://"}) {
        if (uri.substr(0, scheme.size()) == scheme) rest = uri.substr(scheme.size());
    }
    if (rest.empty()) return std::nullopt;
    rest = rest.substr(0, rest.find('#'));  // the fragment is the client's
    const size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    const size_t queryAt = rest.find('?');
    UriParts parts;
    const std::string_view path =
        rest.substr(slash + 1, queryAt == std::string_view::npos ? std::string_view::npos
                                                                 : queryAt - slash - 1);
    parts.segments = splitOn(path, '/');
    if (queryAt != std::string_view::npos) parts.query = rest.substr(queryAt + 1);
    return parts;
}

// The qualifiers after a primary key, in an order one of its paths allows
// (each path's qualifiers are optional, but keep their order).
bool qualifiersInOrder(const AiDefinition& key, const std::vector<std::string>& qualifiers) {
    if (qualifiers.empty()) return true;
    return std::any_of(key.qualifierPaths.begin(), key.qualifierPaths.end(),
                       [&](const std::vector<std::string>& path) {
                           size_t at = 0;
                           for (const std::string& qualifier : qualifiers) {
                               while (at < path.size() && path[at] != qualifier) ++at;
                               if (at == path.size()) return false;
                               ++at;
                           }
                           return true;
                       });
}

// Where the primary key starts: the first segment that is a primary key AI
// whose following segments are a value and qualifier pairs in a valid order.
// Segments before it are the resolver's own path ("/shop/01/...").
std::optional<size_t> primaryKeyAt(const std::vector<std::string>& segments) {
    for (size_t i = 0; i + 1 < segments.size(); ++i) {
        const AiDefinition* key = findDefinition(segments[i]);
        if (!key || !key->primaryKey || segments[i + 1].empty()) continue;
        if ((segments.size() - i) % 2 != 0) continue;
        std::vector<std::string> qualifiers;
        for (size_t q = i + 2; q < segments.size(); q += 2) qualifiers.push_back(segments[q]);
        if (qualifiersInOrder(*key, qualifiers)) return i;
    }
    return std::nullopt;
}

}  // namespace

bool looksLikeDigitalLink(std::string_view text) {
    const auto parts = splitUri(text);
    if (!parts) return false;
    for (size_t i = 0; i + 1 < parts->segments.size(); ++i) {
        const AiDefinition* key = findDefinition(parts->segments[i]);
        if (key && key->primaryKey && !parts->segments[i + 1].empty()) return true;
    }
    return false;
}

Result<std::vector<Gs1Element>> parseDigitalLink(std::string_view uri) {
    const auto fail = [](const std::string& what) {
        return Error{ErrorCode::data, "GS1 Digital Link: " + what};
    };
    const auto parts = splitUri(uri);
    if (!parts) return fail("not an http(s) URI with a path");
    const auto start = primaryKeyAt(parts->segments);
    if (!start) {
        return fail(
            "no primary key with a value, or qualifiers out of the order GS1 allows "
            "(e.g. /01/GTIN/22/CPV/10/LOT/21/SERIAL)");
    }
    std::vector<std::pair<std::string, std::string>> pairs;
    for (size_t i = *start; i + 1 < parts->segments.size(); i += 2) {
        auto value = percentDecode(parts->segments[i + 1]);
        if (!value) return fail("bad percent-encoding");
        pairs.emplace_back(parts->segments[i], std::move(*value));
    }
    const size_t pathPairs = pairs.size();
    if (!parts->query.empty()) {
        for (const std::string& parameter : splitOn(parts->query, '&')) {
            const size_t eq = parameter.find('=');
            const std::string key = parameter.substr(0, eq);
            if (eq == std::string::npos || !findDefinition(key)) continue;  // not an AI
            auto value = percentDecode(std::string_view(parameter).substr(eq + 1));
            if (!value) return fail("bad percent-encoding");
            pairs.emplace_back(key, std::move(*value));
        }
    }
    // GTIN-8/12/13 are written without padding in URIs; the AI wants 14 digits.
    if (pairs[0].first == "01" && pairs[0].second.size() < 14 && allDigits(pairs[0].second))
        pairs[0].second.insert(0, 14 - pairs[0].second.size(), '0');
    std::vector<Gs1Element> elements;
    for (size_t i = 0; i < pairs.size(); ++i) {
        const auto& [ai, value] = pairs[i];
        const AiDefinition& definition = *findDefinition(ai);
        if (i >= pathPairs && definition.primaryKey) {
            return fail("AI (" + ai + ") is a primary key: it belongs in the path, not the query");
        }
        if (std::string problem = checkValue(definition, value); !problem.empty())
            return fail(problem);
        elements.push_back(Gs1Element{ai, value, definition.title});
    }
    if (std::string problem = checkAssociations(elements); !problem.empty()) return fail(problem);
    return elements;
}

}  // namespace lojal::barcode

#include "barcode/Gs1.h"

#include <algorithm>
#include <array>

#include "barcode/CheckDigit.h"

namespace lojal::barcode {
namespace {

enum class Format { numeric, alphanumeric, date };

struct AiSpec {
    const char* ai;   // 'n' matches any digit (decimal-point position)
    int fixedLength;  // 0 for variable length
    int maxLength;
    Format format;
    bool checkDigit;
    const char* title;
};

// Lengths from the GS1 General Specifications, section 3.2.
constexpr std::array kAis = {
    AiSpec{"00", 18, 18, Format::numeric, true, "SSCC"},
    AiSpec{"01", 14, 14, Format::numeric, true, "GTIN"},
    AiSpec{"02", 14, 14, Format::numeric, true, "CONTENT"},
    AiSpec{"10", 0, 20, Format::alphanumeric, false, "BATCH/LOT"},
    AiSpec{"11", 6, 6, Format::date, false, "PROD DATE"},
    AiSpec{"12", 6, 6, Format::date, false, "DUE DATE"},
    AiSpec{"13", 6, 6, Format::date, false, "PACK DATE"},
    AiSpec{"15", 6, 6, Format::date, false, "BEST BEFORE or BEST BY"},
    AiSpec{"16", 6, 6, Format::date, false, "SELL BY"},
    AiSpec{"17", 6, 6, Format::date, false, "USE BY or EXPIRY"},
    AiSpec{"20", 2, 2, Format::numeric, false, "VARIANT"},
    AiSpec{"21", 0, 20, Format::alphanumeric, false, "SERIAL"},
    AiSpec{"22", 0, 20, Format::alphanumeric, false, "CPV"},
    AiSpec{"235", 0, 28, Format::alphanumeric, false, "TPX"},
    AiSpec{"240", 0, 30, Format::alphanumeric, false, "ADDITIONAL ID"},
    AiSpec{"241", 0, 30, Format::alphanumeric, false, "CUST. PART No."},
    AiSpec{"250", 0, 30, Format::alphanumeric, false, "SECONDARY SERIAL"},
    AiSpec{"251", 0, 30, Format::alphanumeric, false, "REF. TO SOURCE"},
    AiSpec{"253", 0, 30, Format::alphanumeric, false, "GDTI"},
    AiSpec{"254", 0, 20, Format::alphanumeric, false, "GLN EXTENSION COMPONENT"},
    AiSpec{"255", 0, 25, Format::numeric, false, "GCN"},
    AiSpec{"30", 0, 8, Format::numeric, false, "VAR. COUNT"},
    AiSpec{"310n", 6, 6, Format::numeric, false, "NET WEIGHT (kg)"},
    AiSpec{"311n", 6, 6, Format::numeric, false, "LENGTH (m)"},
    AiSpec{"312n", 6, 6, Format::numeric, false, "WIDTH (m)"},
    AiSpec{"313n", 6, 6, Format::numeric, false, "HEIGHT (m)"},
    AiSpec{"314n", 6, 6, Format::numeric, false, "AREA (m2)"},
    AiSpec{"315n", 6, 6, Format::numeric, false, "NET VOLUME (l)"},
    AiSpec{"316n", 6, 6, Format::numeric, false, "NET VOLUME (m3)"},
    AiSpec{"32nn", 6, 6, Format::numeric, false, "NET WEIGHT/MEASURE (imperial)"},
    AiSpec{"33nn", 6, 6, Format::numeric, false, "GROSS WEIGHT/MEASURE"},
    AiSpec{"34nn", 6, 6, Format::numeric, false, "GROSS MEASURE (imperial)"},
    AiSpec{"35nn", 6, 6, Format::numeric, false, "AREA/VOLUME"},
    AiSpec{"36nn", 6, 6, Format::numeric, false, "VOLUME (imperial)"},
    AiSpec{"37", 0, 8, Format::numeric, false, "COUNT"},
    AiSpec{"390n", 0, 15, Format::numeric, false, "AMOUNT"},
    AiSpec{"391n", 0, 18, Format::numeric, false, "AMOUNT (ISO currency)"},
    AiSpec{"392n", 0, 15, Format::numeric, false, "PRICE"},
    AiSpec{"393n", 0, 18, Format::numeric, false, "PRICE (ISO currency)"},
    AiSpec{"394n", 4, 4, Format::numeric, false, "PRCNT OFF"},
    AiSpec{"395n", 6, 6, Format::numeric, false, "PRICE/UoM"},
    AiSpec{"400", 0, 30, Format::alphanumeric, false, "ORDER NUMBER"},
    AiSpec{"401", 0, 30, Format::alphanumeric, false, "GINC"},
    AiSpec{"402", 17, 17, Format::numeric, false, "GSIN"},
    AiSpec{"403", 0, 30, Format::alphanumeric, false, "ROUTE"},
    AiSpec{"41n", 13, 13, Format::numeric, true, "GLN"},
    AiSpec{"420", 0, 20, Format::alphanumeric, false, "SHIP TO POST"},
    AiSpec{"421", 0, 12, Format::alphanumeric, false, "SHIP TO POST (ISO country)"},
    AiSpec{"422", 3, 3, Format::numeric, false, "ORIGIN"},
    AiSpec{"7003", 10, 10, Format::numeric, false, "EXPIRY TIME"},
    AiSpec{"7007", 0, 12, Format::numeric, false, "HARVEST DATE"},
    AiSpec{"8003", 0, 30, Format::alphanumeric, false, "GRAI"},
    AiSpec{"8004", 0, 30, Format::alphanumeric, false, "GIAI"},
    AiSpec{"8008", 0, 12, Format::numeric, false, "PROD TIME"},
    AiSpec{"8020", 0, 25, Format::alphanumeric, false, "REF No."},
    AiSpec{"8110", 0, 70, Format::alphanumeric, false, "COUPON (North America)"},
    AiSpec{"8112", 0, 70, Format::alphanumeric, false, "PAPERLESS COUPON (North America)"},
    AiSpec{"8200", 0, 70, Format::alphanumeric, false, "PRODUCT URL"},
    AiSpec{"90", 0, 30, Format::alphanumeric, false, "INTERNAL"},
    AiSpec{"9n", 0, 90, Format::alphanumeric, false, "INTERNAL"},
};

bool matches(std::string_view pattern, std::string_view text) {
    if (pattern.size() != text.size()) return false;
    for (size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == 'n' ? (text[i] < '0' || text[i] > '9') : pattern[i] != text[i])
            return false;
    }
    return true;
}

const AiSpec* findAi(std::string_view data, size_t& aiLength) {
    for (size_t length = 2; length <= 4 && length <= data.size(); ++length) {
        for (const AiSpec& spec : kAis) {
            if (matches(spec.ai, data.substr(0, length))) {
                aiLength = length;
                return &spec;
            }
        }
    }
    return nullptr;
}

bool validDate(std::string_view yymmdd) {
    if (!allDigits(yymmdd)) return false;
    const int month = (yymmdd[2] - '0') * 10 + (yymmdd[3] - '0');
    const int day = (yymmdd[4] - '0') * 10 + (yymmdd[5] - '0');
    return month >= 1 && month <= 12 && day <= 31;  // day 00 means "end of month"
}

// GS1 AI encodable character set 82 (printable ASCII less a few).
bool validCset82(std::string_view value) {
    return std::all_of(value.begin(), value.end(), [](char c) {
        return c >= '!' && c <= 'z' && c != '#' && c != '$' && c != '@' && c != '[' && c != '\\' &&
               c != ']' && c != '^' && c != '`';
    });
}

Error gs1Error(size_t position, const std::string& what) {
    return Error{ErrorCode::data, "GS1 at byte " + std::to_string(position) + ": " + what};
}

std::string checkValue(const AiSpec& spec, const std::string& ai, std::string_view value) {
    if (value.empty()) return "AI (" + ai + ") has no data";
    if (spec.format != Format::alphanumeric && !allDigits(value))
        return "AI (" + ai + ") must be numeric";
    if (spec.format == Format::alphanumeric && !validCset82(value))
        return "AI (" + ai + ") has characters outside GS1 character set 82";
    if (spec.format == Format::date && !validDate(value))
        return "AI (" + ai + ") is not a valid YYMMDD date";
    if (spec.checkDigit && !hasValidGs1CheckDigit(value))
        return "AI (" + ai + ") has a wrong check digit";
    return "";
}

}  // namespace

Result<std::vector<Gs1Element>> parseGs1ElementString(std::string_view data) {
    std::vector<Gs1Element> elements;
    size_t pos = 0;
    if (pos < data.size() && data[pos] == kGroupSeparator) ++pos;
    if (pos >= data.size()) return gs1Error(pos, "no element string");
    while (pos < data.size()) {
        size_t aiLength = 0;
        const AiSpec* spec = findAi(data.substr(pos), aiLength);
        if (!spec) return gs1Error(pos, "unknown or malformed Application Identifier");
        const std::string ai(data.substr(pos, aiLength));
        pos += aiLength;
        std::string_view value;
        if (spec->fixedLength > 0) {
            if (data.size() - pos < static_cast<size_t>(spec->fixedLength)) {
                return gs1Error(pos, "AI (" + ai + ") needs " + std::to_string(spec->fixedLength) +
                                         " characters");
            }
            value = data.substr(pos, static_cast<size_t>(spec->fixedLength));
            pos += value.size();
        } else {
            const size_t end = std::min(data.find(kGroupSeparator, pos), data.size());
            value = data.substr(pos, end - pos);
            if (value.size() > static_cast<size_t>(spec->maxLength)) {
                return gs1Error(pos, "AI (" + ai + ") longer than " +
                                         std::to_string(spec->maxLength) +
                                         " characters (missing FNC1 separator?)");
            }
            pos = end;
        }
        if (auto problem = checkValue(*spec, ai, value); !problem.empty())
            return gs1Error(pos, problem);
        elements.push_back(Gs1Element{ai, std::string(value), spec->title});
        // A separator after a fixed-length field is redundant but harmless.
        if (pos < data.size() && data[pos] == kGroupSeparator) {
            ++pos;
            if (pos == data.size()) return gs1Error(pos, "element string ends with a separator");
        }
    }
    return elements;
}

namespace {

std::string percentDecode(std::string_view text, bool& ok) {
    std::string out;
    ok = true;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        if (i + 2 >= text.size()) {
            ok = false;
            return out;
        }
        const auto hex = [](char c) -> int {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        };
        const int hi = hex(text[i + 1]);
        const int lo = hex(text[i + 2]);
        if (hi < 0 || lo < 0) {
            ok = false;
            return out;
        }
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    size_t pos = 0;
    while (pos <= text.size()) {
        const size_t end = std::min(text.find(separator, pos), text.size());
        parts.push_back(text.substr(pos, end - pos));
        pos = end + 1;
    }
    return parts;
}

std::string_view afterScheme(std::string_view uri) {
    for (std::string_view scheme : {"https://", "http://", "HTTPS://", "HTTP://"}) {
        if (uri.substr(0, scheme.size()) == scheme) return uri.substr(scheme.size());
    }
    return {};
}

}  // namespace

bool looksLikeDigitalLink(std::string_view text) {
    const std::string_view rest = afterScheme(text);
    if (rest.empty()) return false;
    const std::string_view path = rest.substr(0, rest.find('?'));
    return path.find("/01/") != std::string_view::npos;
}

Result<std::vector<Gs1Element>> parseDigitalLink(std::string_view uri) {
    const std::string_view rest = afterScheme(uri);
    const size_t slash = rest.find('/');
    if (rest.empty() || slash == std::string_view::npos) {
        return Error{ErrorCode::data, "GS1 Digital Link: not an http(s) URL with a path"};
    }
    const size_t queryAt = rest.find('?');
    const std::string_view path = rest.substr(
        slash, queryAt == std::string_view::npos ? std::string_view::npos : queryAt - slash);
    const std::string_view query =
        queryAt == std::string_view::npos ? std::string_view() : rest.substr(queryAt + 1);

    const auto segments = split(path.substr(1), '/');
    size_t start = 0;
    while (start < segments.size() && segments[start] != "01") ++start;
    if (start >= segments.size())
        return Error{ErrorCode::data, "GS1 Digital Link: no /01/ primary key"};
    std::string elementString;
    std::vector<std::pair<std::string, std::string>> pairs;
    for (size_t i = start; i + 1 < segments.size(); i += 2) {
        bool ok = false;
        pairs.emplace_back(std::string(segments[i]), percentDecode(segments[i + 1], ok));
        if (!ok) return Error{ErrorCode::data, "GS1 Digital Link: bad percent-encoding"};
    }
    if ((segments.size() - start) % 2 != 0)
        return Error{ErrorCode::data, "GS1 Digital Link: AI without a value"};
    if (!query.empty()) {
        for (std::string_view parameter : split(query, '&')) {
            const size_t eq = parameter.find('=');
            if (eq == std::string_view::npos || !allDigits(parameter.substr(0, eq)))
                continue;  // not an AI
            bool ok = false;
            pairs.emplace_back(std::string(parameter.substr(0, eq)),
                               percentDecode(parameter.substr(eq + 1), ok));
            if (!ok) return Error{ErrorCode::data, "GS1 Digital Link: bad percent-encoding"};
        }
    }
    // GTIN-8/12/13 are written without padding in URIs; the element string wants 14.
    if (!pairs.empty() && pairs[0].second.size() < 14 && allDigits(pairs[0].second)) {
        pairs[0].second.insert(0, 14 - pairs[0].second.size(), '0');
    }
    for (const auto& [ai, value] : pairs) elementString += ai + value + kGroupSeparator;
    elementString.pop_back();
    auto parsed = parseGs1ElementString(elementString);
    if (!parsed) return Error{ErrorCode::data, "GS1 Digital Link: " + parsed.error().message};
    // An AI spelled with its value inside another would reparse differently: insist on a match.
    if (parsed->size() != pairs.size())
        return Error{ErrorCode::data, "GS1 Digital Link: malformed AI values"};
    return parsed;
}

}  // namespace lojal::barcode

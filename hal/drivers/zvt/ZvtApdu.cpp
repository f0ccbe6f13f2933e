#include "drivers/zvt/ZvtApdu.h"

#include <map>

#include "core/Utf8.h"

namespace lojal::hal::zvt {
namespace {

Error dataError(const std::string& message) {
    return Error{ErrorCode::data, message};
}

std::string hex(unsigned value, int digits = 2) {
    static const char* const kDigits = "0123456789ABCDEF";
    std::string text(static_cast<size_t>(digits), '0');
    for (int i = digits - 1; i >= 0; --i, value >>= 4)
        text[static_cast<size_t>(i)] = kDigits[value & 15];
    return text;
}

// How a BMP's length is known (PA00P015 chapter 13).
enum class Length { fixed, llvar, lllvar, tlv };
struct BmpFormat {
    Length length;
    size_t bytes;  // for fixed
};

const std::map<uint8_t, BmpFormat>& bmpFormats() {
    static const std::map<uint8_t, BmpFormat> formats = [] {
        std::map<uint8_t, BmpFormat> table;
        const std::pair<uint8_t, size_t> fixed[] = {
            {0x01, 1}, {0x02, 1}, {0x03, 1}, {0x04, 6}, {0x05, 1}, {0x0B, 3},  {0x0C, 3}, {0x0D, 2},
            {0x0E, 2}, {0x17, 2}, {0x19, 1}, {0x27, 1}, {0x29, 4}, {0x2A, 15}, {0x37, 3}, {0x3A, 2},
            {0x3B, 8}, {0x3D, 3}, {0x49, 2}, {0x70, 4}, {0x71, 4}, {0x72, 1},  {0x73, 1}, {0x74, 1},
            {0x75, 1}, {0x87, 2}, {0x88, 3}, {0x8A, 1}, {0x8C, 1}, {0xA0, 1},  {0xAA, 3}, {0xBA, 5},
            {0xD0, 1}, {0xD2, 1}, {0xD3, 1}, {0xE0, 1}, {0xE9, 1}, {0xEA, 1},  {0xEB, 8}, {0xF0, 1},
            {0xF9, 1}, {0xFA, 1}, {0xFB, 1}, {0xFC, 1}, {0xFD, 1}};
        for (const auto& [bmp, bytes] : fixed) table[bmp] = {Length::fixed, bytes};
        for (uint8_t bmp : {0x22, 0x23, 0x2D, 0x8B, 0xA7, 0xD1, 0xE1, 0xE2, 0xE3, 0xE4, 0xE5,
                            0xE6, 0xE7, 0xE8, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8})
            table[bmp] = {Length::llvar, 0};
        for (uint8_t bmp : {0x24, 0x2E, 0x3C, 0x60, 0x9A, 0xAF}) table[bmp] = {Length::lllvar, 0};
        table[0x06] = {Length::tlv, 0};
        return table;
    }();
    return formats;
}

// LLVAR "F1 F2" -> 12; LLLVAR "F0 F1 F2" -> 12. Each byte is F plus a digit.
std::optional<size_t> varLength(const uint8_t* data, size_t digits) {
    size_t length = 0;
    for (size_t i = 0; i < digits; ++i) {
        if ((data[i] & 0xF0) != 0xF0 || (data[i] & 0x0F) > 9) return std::nullopt;
        length = length * 10 + (data[i] & 0x0F);
    }
    return length;
}

// A TLV length at data (short form, 81 xx, 82 hi lo); sets used.
std::optional<size_t> tlvLength(const uint8_t* data, size_t size, size_t& used) {
    if (size < 1) return std::nullopt;
    if (data[0] < 0x80) {
        used = 1;
        return data[0];
    }
    if (data[0] == 0x81 && size >= 2) {
        used = 2;
        return data[1];
    }
    if (data[0] == 0x82 && size >= 3) {
        used = 3;
        return static_cast<size_t>(data[1] << 8 | data[2]);
    }
    return std::nullopt;
}

int64_t bcdValue(const uint8_t* data, size_t size) {
    int64_t value = 0;
    for (size_t i = 0; i < size; ++i) {
        const int high = data[i] >> 4;
        const int low = data[i] & 15;
        value = value * 100 + (high > 9 ? 0 : high) * 10 + (low > 9 ? 0 : low);
    }
    return value;
}

void applyTlv(const std::vector<Tlv>& objects, StatusInformation& info) {
    if (const Tlv* card = findTag(objects, 0x1F14)) info.cardIdentification = card->value;
}

}  // namespace

Bytes encodeApdu(uint8_t cls, uint8_t instr, const Bytes& data) {
    Bytes apdu{cls, instr};
    if (data.size() <= 254) {
        apdu.push_back(static_cast<uint8_t>(data.size()));
    } else {
        apdu.push_back(0xFF);
        apdu.push_back(static_cast<uint8_t>(data.size() & 0xFF));
        apdu.push_back(static_cast<uint8_t>(data.size() >> 8));
    }
    apdu.insert(apdu.end(), data.begin(), data.end());
    return apdu;
}

Result<Apdu> parseApdu(const Bytes& bytes) {
    if (bytes.size() < 3) return dataError("APDU shorter than 3 bytes");
    Apdu apdu{bytes[0], bytes[1], {}};
    size_t header = 3;
    size_t length = bytes[2];
    if (bytes[2] == 0xFF) {
        if (bytes.size() < 5) return dataError("extended length cut short");
        length = static_cast<size_t>(bytes[3] | bytes[4] << 8);
        header = 5;
    }
    if (bytes.size() - header != length) {
        return dataError("length field says " + std::to_string(length) + " bytes, " +
                         std::to_string(bytes.size() - header) + " follow");
    }
    apdu.data.assign(bytes.begin() + static_cast<long>(header), bytes.end());
    return apdu;
}

Result<std::vector<Tlv>> parseTlv(const uint8_t* data, size_t size, int depth) {
    if (depth > kMaxTlvDepth)
        return dataError("TLV nested deeper than " + std::to_string(kMaxTlvDepth));
    std::vector<Tlv> objects;
    size_t at = 0;
    while (at < size) {
        const bool constructed = data[at] & 0x20;
        uint32_t tag = data[at++];
        if ((tag & 0x1F) == 0x1F) {  // the tag number continues
            int more = 0;
            do {
                if (at >= size || ++more > 3) return dataError("TLV tag cut short or too long");
                tag = tag << 8 | data[at];
            } while (data[at++] & 0x80);
        }
        size_t used = 0;
        const auto length = tlvLength(data + at, size - at, used);
        if (!length) return dataError("TLV length invalid for tag " + hex(tag, 2));
        at += used;
        if (*length > size - at)
            return dataError("TLV tag " + hex(tag, 2) + " longer than its container");
        Tlv object;
        object.tag = tag;
        if (constructed) {
            auto children = parseTlv(data + at, *length, depth + 1);
            if (!children) return children.error();
            object.children = std::move(*children);
        } else {
            object.value.assign(data + at, data + at + *length);
        }
        objects.push_back(std::move(object));
        at += *length;
    }
    return objects;
}

const Tlv* findTag(const std::vector<Tlv>& objects, uint32_t tag) {
    for (const Tlv& object : objects) {
        if (object.tag == tag) return &object;
        if (const Tlv* inner = findTag(object.children, tag)) return inner;
    }
    return nullptr;
}

Bytes encodeTlv(uint32_t tag, const Bytes& value) {
    Bytes out;
    for (int shift = 24; shift >= 0; shift -= 8) {
        if ((tag >> shift) != 0 || shift == 0) out.push_back(static_cast<uint8_t>(tag >> shift));
    }
    if (value.size() < 0x80) {
        out.push_back(static_cast<uint8_t>(value.size()));
    } else if (value.size() <= 0xFF) {
        out.push_back(0x81);
        out.push_back(static_cast<uint8_t>(value.size()));
    } else {
        out.push_back(0x82);
        out.push_back(static_cast<uint8_t>(value.size() >> 8));
        out.push_back(static_cast<uint8_t>(value.size() & 0xFF));
    }
    out.insert(out.end(), value.begin(), value.end());
    return out;
}

std::string bcdDigits(const uint8_t* data, size_t size) {
    std::string digits;
    for (size_t i = 0; i < size; ++i) {
        for (int nibble : {data[i] >> 4, data[i] & 15}) {
            digits += nibble <= 9 ? static_cast<char>('0' + nibble) : '?';
        }
    }
    return digits;
}

Bytes toBcd(uint64_t value, size_t bytes) {
    Bytes out(bytes, 0);
    for (size_t i = bytes; i-- > 0;) {
        out[i] = static_cast<uint8_t>((value % 10) | ((value / 10) % 10) << 4);
        value /= 100;
    }
    return out;
}

std::string maskPan(const Bytes& bcd, bool& inClear) {
    std::string symbols;  // digits and '*'; padding dropped
    for (uint8_t byte : bcd) {
        for (int nibble : {byte >> 4, byte & 15}) {
            if (nibble <= 9)
                symbols += static_cast<char>('0' + nibble);
            else if (nibble == 0xE)
                symbols += '*';
        }
    }
    for (size_t i = 0; i < symbols.size(); ++i) {
        const bool keep = i < 6 || i + 4 >= symbols.size();  // BIN and last four, as PCI allows
        if (symbols[i] != '*' && !keep) {
            symbols[i] = '*';  // the terminal left this digit in clear
            inClear = true;
        }
    }
    return symbols;
}

std::optional<TerminalStatus> parseStatusEnquiryCompletion(const Bytes& data) {
    TerminalStatus status;
    size_t at = 0;
    if (data.size() >= 3 && (data[0] & 0xF0) == 0xF0 && (data[1] & 0xF0) == 0xF0 &&
        (data[2] & 0xF0) == 0xF0) {
        const auto length = varLength(data.data(), 3);
        if (!length || 3 + *length >= data.size()) return std::nullopt;  // no status code left
        status.softwareVersion = terminalText(data.data() + 3, *length);
        at = 3 + *length;
    }
    if (at >= data.size()) return std::nullopt;
    status.statusCode = data[at];
    return status;
}

StatusInformation parseStatusInformation(const Bytes& data) {
    StatusInformation info;
    size_t at = 0;
    while (at < data.size()) {
        const uint8_t bmp = data[at++];
        const auto format = bmpFormats().find(bmp);
        if (format == bmpFormats().end()) {
            info.problem = "unknown BMP " + hex(bmp) + " at byte " + std::to_string(at - 1);
            return info;
        }
        size_t length = format->second.bytes;
        if (format->second.length == Length::llvar || format->second.length == Length::lllvar) {
            const size_t digits = format->second.length == Length::llvar ? 2 : 3;
            const auto var =
                at + digits <= data.size() ? varLength(&data[at], digits) : std::nullopt;
            if (!var) {
                info.problem = "BMP " + hex(bmp) + ": bad variable length";
                return info;
            }
            at += digits;
            length = *var;
        } else if (format->second.length == Length::tlv) {
            size_t used = 0;
            const auto tlv = tlvLength(&data[at], data.size() - at, used);
            if (!tlv) {
                info.problem = "BMP 06: bad TLV length";
                return info;
            }
            at += used;
            length = *tlv;
        }
        if (length > data.size() - at) {
            info.problem = "BMP " + hex(bmp) + " longer than the message";
            return info;
        }
        const uint8_t* field = data.data() + at;
        switch (bmp) {
            case 0x27: info.result = field[0]; break;
            case 0x04: info.amountMinor = bcdValue(field, length); break;
            case 0x0B: info.trace = bcdDigits(field, length); break;
            case 0x87: info.receipt = bcdDigits(field, length); break;
            case 0x29: info.terminalId = bcdDigits(field, length); break;
            case 0x0E: info.expiry = bcdDigits(field, length); break;
            case 0x8A: info.cardType = field[0]; break;
            case 0x8C: info.cardTypeId = field[0]; break;
            case 0x8B: info.cardName = terminalText(field, length); break;
            case 0x22:
                info.maskedPan = maskPan(Bytes(field, field + length), info.panWasInClear);
                break;
            case 0x23:
            case 0x24:
            case 0x2D: info.trackDataSeen = true; break;  // never read, kept or logged
            case 0x06: {
                auto objects = parseTlv(field, length);
                if (!objects) {
                    info.problem = "BMP 06: " + objects.error().message;
                    return info;
                }
                applyTlv(*objects, info);
                break;
            }
            default: break;  // known, not needed by a store
        }
        at += length;
    }
    return info;
}

namespace {

// BMP 06 with its TLV length and content.
Bytes tlvContainer(const Bytes& content) {
    Bytes container = encodeTlv(0x06, content);  // 06 is one tag byte: the same layout
    return container;
}

}  // namespace

Bytes registration(uint32_t password, uint8_t configByte, uint16_t currencyCode) {
    Bytes data = toBcd(password, 3);
    data.push_back(configByte);
    const Bytes cc = toBcd(currencyCode, 2);
    data.insert(data.end(), cc.begin(), cc.end());
    return encodeApdu(0x06, 0x00, data);
}

Bytes readCard(uint8_t timeoutSeconds) {
    // 1F15 = 80: "calculate with the default algorithm and send 1F14";
    // 1F60 = 07: magnetic stripe, chip and contactless.
    Bytes tlv = encodeTlv(0x1F15, {0x80});
    const Bytes technologies = encodeTlv(0x1F60, {0x07});
    tlv.insert(tlv.end(), technologies.begin(), technologies.end());
    Bytes data{timeoutSeconds};
    const Bytes container = tlvContainer(tlv);
    data.insert(data.end(), container.begin(), container.end());
    return encodeApdu(0x06, 0xC0, data);
}

Bytes authorization(int64_t amountMinor, uint16_t currencyCode) {
    Bytes data{0x04};
    const Bytes amount = toBcd(static_cast<uint64_t>(amountMinor), 6);
    data.insert(data.end(), amount.begin(), amount.end());
    data.push_back(0x49);
    const Bytes cc = toBcd(currencyCode, 2);
    data.insert(data.end(), cc.begin(), cc.end());
    // Ask for 1F14 with the payment, too.
    const Bytes container = tlvContainer(encodeTlv(0x1F15, {0x80}));
    data.insert(data.end(), container.begin(), container.end());
    return encodeApdu(0x06, 0x01, data);
}

Bytes abortCommand() {
    return encodeApdu(0x06, 0xB0);
}
Bytes logOff() {
    return encodeApdu(0x06, 0x02);
}
Bytes statusEnquiry(uint32_t password) {
    return encodeApdu(0x05, 0x01, toBcd(password, 3));
}
Bytes positiveCompletion() {
    return encodeApdu(0x80, 0x00);
}

std::string resultText(int code) {
    static const std::map<int, const char*> texts = {
        {0x00, "no error"},
        {0x64, "card not readable"},
        {0x65, "card data not present"},
        {0x66, "processing error"},
        {0x6B, "function deactivated (PT not registered)"},
        {0x6C, "abort via timeout or abort key"},
        {0x6F, "wrong currency"},
        {0x78, "card expired"},
        {0x79, "card not yet valid"},
        {0x7A, "card unknown"},
        {0x7D, "communication error"},
        {0x83, "function not possible"},
        {0x9A, "ZVT protocol error"},
        {0x9C, "please wait"},
        {0xA0, "receiver not ready"},
        {0xA1, "remote station does not respond"},
        {0xA3, "no connection"},
        {0xC3, "maximum amount exceeded"},
        {0xC5, "payment method not supported"},
        {0xC8, "amount too small"},
        {0xFF, "system error"}};
    const auto found = texts.find(code);
    return found == texts.end() ? "" : found->second;
}

std::string terminalText(const uint8_t* data, size_t size) {
    return cp437TextToUtf8(std::string_view(reinterpret_cast<const char*>(data), size));
}

}  // namespace lojal::hal::zvt

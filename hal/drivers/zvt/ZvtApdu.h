#pragma once
// ZVT application layer, pure: APDUs (PA00P016 5.2), BMP fields and TLV
// containers (PA00P015 chapters 9 and 13), the commands the register sends and
// the status information (04 0F) it receives. A PAN never leaves this file in
// clear: parseStatusInformation keeps only a masked form, and track data only
// as the fact that it was sent.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/Result.h"
#include "drivers/zvt/ZvtFrame.h"

namespace lojal::hal::zvt {

struct Apdu {
    uint8_t cls = 0;    // CLASS, or CCRC in a response (80, 84)
    uint8_t instr = 0;  // INSTR, or APRC
    Bytes data;
    uint16_t command() const { return static_cast<uint16_t>(cls << 8 | instr); }
};

// Length in one byte up to 254, else FF + two bytes little-endian.
Bytes encodeApdu(uint8_t cls, uint8_t instr, const Bytes& data = {});
// Fails when the length field disagrees with what follows.
Result<Apdu> parseApdu(const Bytes& apdu);

// ---- TLV (BER-like, lengths big-endian) -----------------------------------

struct Tlv {
    uint32_t tag = 0;
    Bytes value;                // of a primitive object
    std::vector<Tlv> children;  // of a constructed object
};

constexpr int kMaxTlvDepth = 8;
Result<std::vector<Tlv>> parseTlv(const uint8_t* data, size_t size, int depth = 0);
const Tlv* findTag(const std::vector<Tlv>& objects, uint32_t tag);  // depth-first
Bytes encodeTlv(uint32_t tag, const Bytes& value);

// ---- BMP fields ------------------------------------------------------------

// What a status information (04 0F) tells a store.
struct StatusInformation {
    std::optional<int> result;           // BMP 27
    std::optional<int64_t> amountMinor;  // BMP 04
    std::string trace;                   // BMP 0B
    std::string receipt;                 // BMP 87
    std::string terminalId;              // BMP 29
    std::string expiry;                  // BMP 0E, YYMM
    std::string maskedPan;               // BMP 22: digits kept only where the terminal masked
                                         // nothing sensitive; see maskPan
    bool panWasInClear = false;          // the terminal sent a whole PAN: we masked it
    bool trackDataSeen = false;          // BMP 23/24/2D came: dropped unread
    std::optional<int> cardType;         // BMP 8A
    std::string cardName;                // BMP 8B, UTF-8 (see terminalText)
    std::optional<int> cardTypeId;       // BMP 8C
    Bytes cardIdentification;            // TLV 1F14
    std::string problem;                 // set when parsing stopped early (unknown BMP, ...)
};

// Parses a BMP sequence. Unknown BMPs stop the parse (their length is unknown)
// and are reported in problem; what came before is kept.
StatusInformation parseStatusInformation(const Bytes& data);

// The completion of a Status Enquiry (05 01) is positional, not BMPs:
// [<SW version, LLLVAR ASCII>] <terminal status code> [06 <TLV>].
struct TerminalStatus {
    std::string softwareVersion;
    int statusCode = -1;  // 0: ready; other values per PA00P015 chapter "Terminal status"
};
std::optional<TerminalStatus> parseStatusEnquiryCompletion(const Bytes& data);

// Digits of a BCD PAN ('E' = masked digit, 'F' = padding) masked to the first
// six and last four digits, "*" for the rest; sets inClear when the terminal
// sent more digits than that.
std::string maskPan(const Bytes& bcd, bool& inClear);

// BCD helpers: "000123" <-> 00 01 23.
std::string bcdDigits(const uint8_t* data, size_t size);
Bytes toBcd(uint64_t value, size_t bytes);

// ---- Commands from the register ---------------------------------------------

constexpr uint8_t kConfigIntermediateStatus = 0x08;  // config-byte: send 04 FF

Bytes registration(uint32_t password, uint8_t configByte, uint16_t currencyCode);
// Read Card with 1F15 asking for the card identification item (1F14) and 1F60
// allowing magstripe, chip and contactless.
Bytes readCard(uint8_t timeoutSeconds);
Bytes authorization(int64_t amountMinor, uint16_t currencyCode);
Bytes abortCommand();                    // 06 B0
Bytes logOff();                          // 06 02
Bytes statusEnquiry(uint32_t password);  // 05 01
Bytes positiveCompletion();              // 80 00 00, the register's answer to each terminal command

// Text the terminal sends (card name, print lines, software version) as UTF-8:
// its character set is CP437 unless the registration chose another (we send
// no tag 14, PA00P015 2.1), it ends at a NUL and loses control characters.
std::string terminalText(const uint8_t* data, size_t size);

// A result code (BMP 27, or APRC of 84 xx) in words; "" when unknown.
std::string resultText(int code);

}  // namespace lojal::hal::zvt

// libFuzzer target: the card-number guard on any bytes (invalid UTF-8, every
// Unicode digit and separator). Checks one property besides not crashing: a
// text the guard flags stays flagged with letters around it (a letter only
// ends a chain, it never hides a card that was found).
#include <cstddef>
#include <cstdint>
#include <string>

#include "receipts/CardNumberGuard.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const bool found = lojal::cardguard::textHoldsCardNumber(text);
    if (found && !lojal::cardguard::textHoldsCardNumber("x" + text + "x")) __builtin_trap();
    if (size >= 13 && size <= 19) (void)lojal::cardguard::isCardNumber(text);
    return 0;
}

#pragma once

#include <string_view>

namespace lojal {

// True for an officially assigned ISO 3166-1 alpha-2 code ("SE", "NO").
bool isIsoCountryCode(std::string_view code);

}  // namespace lojal

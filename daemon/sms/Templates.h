#pragma once
// SMS templates, one file per kind and locale (signup.sv.txt, otp.en.txt, ...),
// with {placeholders}. Loaded and measured at start-up: a template that could
// exceed the allowed segments with the longest values it will get stops lojald.

#include <map>
#include <string>
#include <vector>

#include "core/Result.h"

namespace lojal {

constexpr const char* kSmsLocales[] = {"sv", "nb", "da", "fi", "en"};

class SmsTemplates {
  public:
    // worstCase: the longest value each placeholder will take.
    static Result<SmsTemplates> load(
        const std::string& directory, size_t maxSegments,
        const std::map<std::string, std::map<std::string, std::string>>& worstCase);
    std::string render(const std::string& kind, const std::string& locale,
                       const std::map<std::string, std::string>& values) const;
    bool hasLocale(const std::string& locale) const;

  private:
    std::map<std::string, std::string> texts_;  // "signup.sv" -> text
};

std::string fillPlaceholders(std::string text, const std::map<std::string, std::string>& values);

}  // namespace lojal

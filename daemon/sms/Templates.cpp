#include "sms/Templates.h"

#include <fstream>
#include <sstream>

#include "sms/SmsText.h"

namespace lojal {

std::string fillPlaceholders(std::string text, const std::map<std::string, std::string>& values) {
    for (const auto& [name, value] : values) {
        const std::string placeholder = "{" + name + "}";
        for (size_t at = text.find(placeholder); at != std::string::npos;
             at = text.find(placeholder, at + value.size())) {
            text.replace(at, placeholder.size(), value);
        }
    }
    return text;
}

Result<SmsTemplates> SmsTemplates::load(
    const std::string& directory, size_t maxSegments,
    const std::map<std::string, std::map<std::string, std::string>>& worstCase) {
    SmsTemplates templates;
    for (const auto& [kind, values] : worstCase) {
        for (const char* locale : kSmsLocales) {
            const std::string path = directory + "/" + kind + "." + locale + ".txt";
            std::ifstream in(path);
            if (!in) return Error{ErrorCode::io, "SMS template " + path + ": cannot read"};
            std::ostringstream text;
            text << in.rdbuf();
            std::string body = text.str();
            while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
            const std::string longest = fillPlaceholders(body, values);
            if (longest.find('{') != std::string::npos) {
                return Error{ErrorCode::data,
                             "SMS template " + path + ": unknown placeholder in '" + body + "'"};
            }
            const SmsSize size = measureSms(longest);
            if (size.segments > maxSegments) {
                return Error{ErrorCode::data,
                             "SMS template " + path + ": " + std::to_string(size.units) + " " +
                                 toString(size.encoding) + " units with the longest values = " +
                                 std::to_string(size.segments) + " segments; sms.max_segments is " +
                                 std::to_string(maxSegments)};
            }
            templates.texts_[kind + "." + locale] = body;
        }
    }
    return templates;
}

std::string SmsTemplates::render(const std::string& kind, const std::string& locale,
                                 const std::map<std::string, std::string>& values) const {
    return fillPlaceholders(texts_.at(kind + "." + locale), values);
}

bool SmsTemplates::hasLocale(const std::string& locale) const {
    return texts_.count("signup." + locale) > 0;
}

}  // namespace lojal

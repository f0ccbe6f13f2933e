// The card-number guard on its two corpora (tests/data/card-guard/): false
// positives (legitimate identifiers refused) and false negatives (cards let
// through), side by side with the rule it replaced (digit runs joined across a
// single space or dash, any 13-19 digit window passing Luhn), and how many
// receipt fragments per second each checks. Prints figures; asserts nothing.
//
//   card-guard-bench
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <vector>

#include "receipts/CardNumberGuard.h"

namespace {

using Clock = std::chrono::steady_clock;

// The previous guard, as it was: values only (strings and integers), ASCII
// digits, runs joined across one space or dash, every 13-19 window by Luhn;
// "gtin" with a GS1 check digit and "phone" starting with + skipped by key name
// (the check digit is not tested here: every gtin is skipped, which favours it).
bool previousRule(const Poco::Dynamic::Var& value) {
    if (value.type() == typeid(Poco::JSON::Object::Ptr)) {
        for (const auto& [key, child] : *value.extract<Poco::JSON::Object::Ptr>()) {
            if (key == "gtin") continue;
            if (key == "phone" && child.isString() &&
                child.extract<std::string>().rfind('+', 0) == 0)
                continue;
            if (previousRule(child)) return true;
        }
        return false;
    }
    if (value.type() == typeid(Poco::JSON::Array::Ptr)) {
        const auto items = value.extract<Poco::JSON::Array::Ptr>();
        for (size_t i = 0; i < items->size(); ++i)
            if (previousRule(items->get(static_cast<unsigned>(i)))) return true;
        return false;
    }
    if (!value.isString() && !value.isInteger()) return false;
    const std::string text = value.convert<std::string>();
    std::string digits;
    for (size_t i = 0; i <= text.size(); ++i) {
        const char c = i < text.size() ? text[i] : '\0';
        if (c >= '0' && c <= '9') {
            digits += c;
            continue;
        }
        if ((c == ' ' || c == '-') && !digits.empty() && i + 1 < text.size() &&
            text[i + 1] >= '0' && text[i + 1] <= '9')
            continue;
        for (size_t start = 0; start + 13 <= digits.size(); ++start)
            for (size_t n = 13; n <= 19 && start + n <= digits.size(); ++n)
                if (lojal::cardguard::passesLuhn(digits.substr(start, n))) return true;
        digits.clear();
    }
    return false;
}

std::vector<Poco::Dynamic::Var> load(const std::string& file) {
    std::vector<Poco::Dynamic::Var> items;
    std::ifstream in(std::string(LOJAL_TEST_DATA) + "/card-guard/" + file);
    for (std::string line; std::getline(in, line);) {
        Poco::JSON::Parser parser;
        items.push_back(parser.parse(line));
    }
    return items;
}

void report(const char* name, const std::function<bool(const Poco::Dynamic::Var&)>& refuses,
            const std::vector<Poco::Dynamic::Var>& legitimate,
            const std::vector<Poco::Dynamic::Var>& cards) {
    size_t falsePositives = 0;
    size_t falseNegatives = 0;
    const auto start = Clock::now();
    for (const auto& item : legitimate) falsePositives += refuses(item) ? 1 : 0;
    for (const auto& item : cards) falseNegatives += refuses(item) ? 0 : 1;
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf(
        "card guard, %s: %zu false positives of %zu legitimate, %zu false negatives of %zu "
        "cards; %.0f fragments/s\n",
        name, falsePositives, legitimate.size(), falseNegatives, cards.size(),
        (legitimate.size() + cards.size()) / seconds);
}

}  // namespace

int main() {
    const auto legitimate = load("legitimate.jsonl");
    const auto cards = load("cards.jsonl");
    report(
        "this rule    ",
        [](const auto& v) { return lojal::cardguard::findCardNumber(v).has_value(); }, legitimate,
        cards);
    report("previous rule", previousRule, legitimate, cards);
    return 0;
}

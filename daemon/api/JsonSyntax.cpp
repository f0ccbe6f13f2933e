#include "api/JsonSyntax.h"

#include "core/Utf8.h"

namespace lojal {

std::string JsonSyntaxError::describe() const {
    return "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + message;
}

namespace {

class Checker {
  public:
    Checker(std::string_view text, int maxDepth) : text_(text), maxDepth_(maxDepth) {}

    std::optional<JsonSyntaxError> run() {
        skipSpace();
        if (atEnd()) return fail("empty body: expected a JSON value");
        if (!value(0)) return error_;
        skipSpace();
        if (!atEnd()) return fail("unexpected text after the JSON value");
        return std::nullopt;
    }

  private:
    bool atEnd() const { return pos_ >= text_.size(); }
    char peek() const { return atEnd() ? '\0' : text_[pos_]; }

    JsonSyntaxError fail(const std::string& message) {
        JsonSyntaxError error;
        error.offset = pos_;
        for (size_t i = 0; i < pos_ && i < text_.size(); ++i) {
            if (text_[i] == '\n') {
                ++error.line;
                error.column = 1;
            } else {
                ++error.column;
            }
        }
        error.message = message;
        error_ = error;
        return error;
    }
    bool failed(const std::string& message) {
        fail(message);
        return false;
    }

    void skipSpace() {
        while (!atEnd() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r'))
            ++pos_;
    }

    bool literal(std::string_view word) {
        if (text_.substr(pos_, word.size()) != word) return failed("invalid literal");
        pos_ += word.size();
        return true;
    }

    bool value(int depth) {
        if (depth >= maxDepth_) {
            return failed("nested deeper than " + std::to_string(maxDepth_) + " levels");
        }
        switch (peek()) {
            case '{': return object(depth + 1);
            case '[': return array(depth + 1);
            case '"': return string();
            case 't': return literal("true");
            case 'f': return literal("false");
            case 'n': return literal("null");
            default:
                if (peek() == '-' || (peek() >= '0' && peek() <= '9')) return number();
                if (atEnd()) return failed("unexpected end of body: expected a value");
                return failed("expected a value");
        }
    }

    // Objects and arrays share their comma and bracket rules; only the element differs.
    bool container(int depth, char close, const char* what, bool (Checker::*element)(int)) {
        ++pos_;
        skipSpace();
        if (peek() == close) {
            ++pos_;
            return true;
        }
        while (true) {
            skipSpace();
            if (!(this->*element)(depth)) return false;
            skipSpace();
            if (peek() == ',') {
                ++pos_;
                continue;
            }
            if (peek() == close) {
                ++pos_;
                return true;
            }
            return failed(std::string("expected ',' or '") + close + "' in " + what);
        }
    }

    bool object(int depth) { return container(depth, '}', "an object", &Checker::member); }
    bool array(int depth) { return container(depth, ']', "an array", &Checker::value); }

    bool member(int depth) {
        if (peek() != '"') return failed("expected a string key");
        if (!string()) return false;
        skipSpace();
        if (peek() != ':') return failed("expected ':' after an object key");
        ++pos_;
        skipSpace();
        return value(depth);
    }

    static bool isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    bool string() {
        ++pos_;  // opening quote
        while (!atEnd()) {
            const auto c = static_cast<unsigned char>(text_[pos_]);
            if (c == '"') {
                ++pos_;
                return true;
            }
            if (c < 0x20) return failed("control character in a string (escape it)");
            if (c == '\\') {
                ++pos_;
                const char e = peek();
                if (e == 'u') {
                    for (int i = 1; i <= 4; ++i) {
                        if (pos_ + i >= text_.size() || !isHex(text_[pos_ + i])) {
                            return failed("\\u needs four hex digits");
                        }
                    }
                    pos_ += 5;
                    continue;
                }
                if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos || atEnd()) {
                    return failed("invalid escape in a string");
                }
                ++pos_;
                continue;
            }
            if (c >= 0x80) {
                if (!utf8Sequence()) return false;
                continue;
            }
            ++pos_;
        }
        return failed("unterminated string");
    }

    bool utf8Sequence() {
        const size_t length = utf8SequenceLength(text_, pos_);
        if (length == 0) return failed("invalid UTF-8");
        pos_ += length;
        return true;
    }

    bool digits() {
        if (!(peek() >= '0' && peek() <= '9')) return failed("expected a digit");
        while (peek() >= '0' && peek() <= '9') ++pos_;
        return true;
    }

    bool number() {
        if (peek() == '-') ++pos_;
        if (peek() == '0') {
            ++pos_;
        } else if (!digits()) {
            return false;
        }
        if (peek() == '.') {
            ++pos_;
            if (!digits()) return false;
        }
        if (peek() == 'e' || peek() == 'E') {
            ++pos_;
            if (peek() == '+' || peek() == '-') ++pos_;
            if (!digits()) return false;
        }
        return true;
    }

    std::string_view text_;
    int maxDepth_;
    size_t pos_ = 0;
    JsonSyntaxError error_;
};

}  // namespace

std::optional<JsonSyntaxError> findJsonSyntaxError(std::string_view text, int maxDepth) {
    return Checker(text, maxDepth).run();
}

}  // namespace lojal

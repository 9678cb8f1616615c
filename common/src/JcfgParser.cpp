// SPDX-License-Identifier: GPL-3.0-or-later
#include "hipaa/JcfgParser.hpp"

#include "hipaa/Errors.hpp"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace hipaa {
namespace {

constexpr int kMaxDepth = 32;

class Parser {
public:
    Parser(std::string_view text, const std::string& name) : s_(text), name_(name) {}

    JsonPtr document() {
        JsonPtr root = jsonObject();
        settings(root.get(), '\0', 0);
        return root;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw ConfigError(name_ + ":" + std::to_string(line_) + ": " + what);
    }

    bool eof() const { return pos_ >= s_.size(); }
    char peek() const { return eof() ? '\0' : s_[pos_]; }
    char next() {
        char c = s_[pos_++];
        if (c == '\n') ++line_;
        return c;
    }

    void skipSpace() {
        while (!eof()) {
            char c = peek();
            if (std::isspace(static_cast<unsigned char>(c))) {
                next();
            } else if (c == '#' || (c == '/' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '/')) {
                while (!eof() && peek() != '\n') next();
            } else if (c == '/' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '*') {
                next();
                next();
                while (!eof() && !(peek() == '*' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '/')) next();
                if (eof()) fail("unterminated comment");
                next();
                next();
            } else {
                return;
            }
        }
    }

    std::string identifier() {
        std::string id;
        while (!eof()) {
            char c = peek();
            if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '*' || c == '.')
                id.push_back(next());
            else
                break;
        }
        if (id.empty()) fail("expected a setting name");
        if (!std::isalpha(static_cast<unsigned char>(id[0])) && id[0] != '*' && id[0] != '_')
            fail("setting name must start with a letter");
        return id;
    }

    // Settings until `close` ('}' for a group, '\0' for the document).
    void settings(json_t* obj, char close, int depth) {
        for (;;) {
            skipSpace();
            if (eof()) {
                if (close != '\0') fail("missing '}'");
                return;
            }
            if (peek() == close) {
                next();
                return;
            }
            if (peek() == '@') {  // @include is not supported: refuse rather than silently skip
                fail("@include is not supported");
            }
            std::string key = identifier();
            skipSpace();
            if (peek() != '=' && peek() != ':') fail("expected '=' or ':' after " + key);
            next();
            skipSpace();
            if (json_object_get(obj, key.c_str())) fail("duplicate setting " + key);
            json_object_set_new(obj, key.c_str(), value(depth + 1).release());
            skipSpace();
            if (peek() == ';' || peek() == ',') next();
        }
    }

    JsonPtr value(int depth) {
        if (depth > kMaxDepth) fail("nesting too deep");
        skipSpace();
        char c = peek();
        if (c == '{') {
            next();
            JsonPtr obj = jsonObject();
            settings(obj.get(), '}', depth);
            return obj;
        }
        if (c == '[' || c == '(') {
            char close = c == '[' ? ']' : ')';
            next();
            JsonPtr arr = jsonArray();
            skipSpace();
            if (peek() == close) {
                next();
                return arr;
            }
            for (;;) {
                json_array_append_new(arr.get(), value(depth + 1).release());
                skipSpace();
                if (peek() == ',') {
                    next();
                    skipSpace();
                    if (peek() == close) {  // trailing comma
                        next();
                        return arr;
                    }
                    continue;
                }
                if (peek() == close) {
                    next();
                    return arr;
                }
                fail(std::string("expected ',' or '") + close + "'");
            }
        }
        if (c == '"') return jsonAdopt(json_string(string().c_str()));
        return scalar();
    }

    std::string string() {
        std::string out;
        // Adjacent literals concatenate, as in libconfig.
        while (peek() == '"') {
            const int startLine = line_;
            next();
            for (;;) {
                if (eof()) fail("unterminated string");
                char c = next();
                if (c == '"') break;
                if (c == '\n') {
                    line_ = startLine;  // report where the string began
                    fail("newline in string");
                }
                if (c == '\\') {
                    if (eof()) fail("unterminated string");
                    char e = next();
                    switch (e) {
                        case 'n':
                            out.push_back('\n');
                            break;
                        case 't':
                            out.push_back('\t');
                            break;
                        case 'r':
                            out.push_back('\r');
                            break;
                        case 'f':
                            out.push_back('\f');
                            break;
                        case '\\':
                            out.push_back('\\');
                            break;
                        case '"':
                            out.push_back('"');
                            break;
                        case 'x': {
                            if (pos_ + 2 > s_.size() || !std::isxdigit(static_cast<unsigned char>(s_[pos_])) ||
                                !std::isxdigit(static_cast<unsigned char>(s_[pos_ + 1])))
                                fail("bad \\x escape");
                            out.push_back(static_cast<char>(std::stoi(std::string(s_.substr(pos_, 2)), nullptr, 16)));
                            pos_ += 2;
                            break;
                        }
                        default:
                            fail("unknown escape in string");
                    }
                } else {
                    out.push_back(c);
                }
            }
            skipSpace();
        }
        if (out.find('\0') != std::string::npos) fail("NUL in string");
        return out;
    }

    JsonPtr scalar() {
        std::string tok;
        while (!eof()) {
            char c = peek();
            if (std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.' || c == '_')
                tok.push_back(next());
            else
                break;
        }
        if (tok.empty()) fail("expected a value");
        std::string lower;
        for (char ch : tok) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
        if (lower == "true") return jsonAdopt(json_true());
        if (lower == "false") return jsonAdopt(json_false());
        std::string num = tok;
        while (!num.empty() && (num.back() == 'L' || num.back() == 'l')) num.pop_back();
        if (num.empty()) fail("expected a value");
        errno = 0;
        char* end = nullptr;
        bool hex = num.size() > 2 && num[0] == '0' && (num[1] == 'x' || num[1] == 'X');
        long long i = std::strtoll(num.c_str(), &end, hex ? 16 : 10);
        if (end && *end == '\0' && errno == 0) return jsonAdopt(json_integer(i));
        errno = 0;
        double d = std::strtod(tok.c_str(), &end);
        if (end && *end == '\0' && errno == 0 && !hex) return jsonAdopt(json_real(d));
        fail("invalid value");
    }

    std::string_view s_;
    const std::string& name_;
    size_t pos_ = 0;
    int line_ = 1;
};

}  // namespace

JsonPtr JcfgParser::parse(std::string_view text, const std::string& name) { return Parser(text, name).document(); }

JsonPtr JcfgParser::parseFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError("cannot read " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) throw ConfigError("cannot read " + path);
    return parse(ss.str(), path);
}

}  // namespace hipaa

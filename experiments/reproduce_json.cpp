// `bao-sim reproduce`: the small JSON reader it uses for stats files and
// results.json, and the SLoC counting rule of Table 1.
#include "experiments/reproduce.h"

#include "sim/json.h"
#include <algorithm>
#include <array>
#include <atomic>
#include <boost/program_options.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <set>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace repro {

// ---------------------------------------------------------------- JSON reader

const JsonValue* JsonValue::get(const std::string& key) const {
    if (kind != Kind::object)
        return nullptr;
    for (const auto& [k, v] : o)
        if (k == key)
            return &v;
    return nullptr;
}

const JsonValue* JsonValue::at(const std::string& dotted) const {
    const JsonValue* cur = this;
    size_t pos = 0;
    while (cur && pos <= dotted.size()) {
        size_t dot = dotted.find('.', pos);
        std::string part =
            dotted.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
        cur = cur->get(part);
        if (dot == std::string::npos)
            break;
        pos = dot + 1;
    }
    return cur;
}

std::optional<double> JsonValue::num(const std::string& dotted) const {
    const JsonValue* v = at(dotted);
    if (!v)
        return std::nullopt;
    if (v->kind == Kind::number)
        return v->n;
    if (v->kind == Kind::boolean)
        return v->b ? 1.0 : 0.0;
    return std::nullopt;
}

namespace {

class JsonParser {
  public:
    explicit JsonParser(const std::string& t) : t_(t) {}
    JsonValue parse() {
        JsonValue v = value();
        ws();
        if (i_ != t_.size())
            fail("trailing characters");
        return v;
    }

  private:
    [[noreturn]] void fail(const std::string& what) const {
        throw std::runtime_error("JSON: " + what + " at offset " + std::to_string(i_));
    }
    void ws() {
        while (i_ < t_.size() && std::isspace(static_cast<unsigned char>(t_[i_])))
            ++i_;
    }
    bool eat(char c) {
        ws();
        if (i_ < t_.size() && t_[i_] == c) {
            ++i_;
            return true;
        }
        return false;
    }
    void expect(char c) {
        if (!eat(c))
            fail(std::string("expected '") + c + "'");
    }
    std::string str() {
        expect('"');
        std::string s;
        while (i_ < t_.size() && t_[i_] != '"') {
            char c = t_[i_++];
            if (c != '\\') {
                s += c;
                continue;
            }
            if (i_ >= t_.size())
                fail("bad escape");
            char e = t_[i_++];
            switch (e) {
            case 'n':
                s += '\n';
                break;
            case 't':
                s += '\t';
                break;
            case 'r':
                s += '\r';
                break;
            case 'b':
                s += '\b';
                break;
            case 'f':
                s += '\f';
                break;
            case 'u': {
                if (i_ + 4 > t_.size())
                    fail("bad \\u escape");
                unsigned cp = static_cast<unsigned>(std::stoul(t_.substr(i_, 4), nullptr, 16));
                i_ += 4;
                if (cp < 0x80) {
                    s += static_cast<char>(cp);
                } else if (cp < 0x800) {
                    s += static_cast<char>(0xC0 | (cp >> 6));
                    s += static_cast<char>(0x80 | (cp & 0x3F));
                } else {
                    s += static_cast<char>(0xE0 | (cp >> 12));
                    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
                    s += static_cast<char>(0x80 | (cp & 0x3F));
                }
                break;
            }
            default:
                s += e;
                break;
            }
        }
        if (i_ >= t_.size())
            fail("unterminated string");
        ++i_;
        return s;
    }
    JsonValue value() {
        ws();
        if (i_ >= t_.size())
            fail("unexpected end");
        JsonValue v;
        char c = t_[i_];
        if (c == '{') {
            ++i_;
            v.kind = JsonValue::Kind::object;
            if (eat('}'))
                return v;
            do {
                ws();
                std::string k = str();
                expect(':');
                v.o.emplace_back(std::move(k), value());
            } while (eat(','));
            expect('}');
        } else if (c == '[') {
            ++i_;
            v.kind = JsonValue::Kind::array;
            if (eat(']'))
                return v;
            do
                v.a.push_back(value());
            while (eat(','));
            expect(']');
        } else if (c == '"') {
            v.kind = JsonValue::Kind::string;
            v.s = str();
        } else if (t_.compare(i_, 4, "true") == 0) {
            v.kind = JsonValue::Kind::boolean;
            v.b = true;
            i_ += 4;
        } else if (t_.compare(i_, 5, "false") == 0) {
            v.kind = JsonValue::Kind::boolean;
            i_ += 5;
        } else if (t_.compare(i_, 4, "null") == 0) {
            i_ += 4;
        } else {
            size_t end = i_;
            while (end < t_.size() && std::strchr("+-0123456789.eE", t_[end]) && t_[end] != '\0')
                ++end;
            if (end == i_)
                fail("unexpected character");
            v.kind = JsonValue::Kind::number;
            v.n = std::strtod(t_.substr(i_, end - i_).c_str(), nullptr);
            i_ = end;
        }
        return v;
    }

    const std::string& t_;
    size_t i_ = 0;
};

} // namespace

JsonValue parse_json(const std::string& text) {
    return JsonParser(text).parse();
}

unsigned count_sloc(const std::string& text) {
    unsigned n = 0;
    bool in_block = false;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        bool code = false;
        for (size_t i = 0; i < line.size(); ++i) {
            if (in_block) {
                if (line.compare(i, 2, "*/") == 0) {
                    in_block = false;
                    ++i;
                }
                continue;
            }
            if (line.compare(i, 2, "/*") == 0) {
                in_block = true;
                ++i;
                continue;
            }
            if (line.compare(i, 2, "//") == 0)
                break;
            if (!std::isspace(static_cast<unsigned char>(line[i])))
                code = true;
        }
        n += code ? 1 : 0;
    }
    return n;
}

} // namespace repro

#include "sim/json.h"

#include <cmath>
#include <cstdio>

namespace sim {

std::string JsonWriter::escape(const std::string& s) {
    std::string r = "\"";
    for (unsigned char c : s) {
        switch (c) {
        case '"':
            r += "\\\"";
            break;
        case '\\':
            r += "\\\\";
            break;
        case '\n':
            r += "\\n";
            break;
        case '\r':
            r += "\\r";
            break;
        case '\t':
            r += "\\t";
            break;
        default:
            if (c < 0x20 || c >= 0x7f) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                r += buf;
            } else {
                r += static_cast<char>(c);
            }
        }
    }
    return r + "\"";
}

void JsonWriter::prefix(const std::string& key) {
    if (!first_.empty()) {
        if (!first_.back())
            out_ += ",";
        first_.back() = false;
        out_ += "\n" + std::string(first_.size() * 2, ' ');
    }
    if (!key.empty())
        out_ += escape(key) + ": ";
}

JsonWriter& JsonWriter::begin_object(const std::string& key) {
    prefix(key);
    out_ += "{";
    first_.push_back(true);
    return *this;
}

JsonWriter& JsonWriter::end_object() {
    bool empty = first_.back();
    first_.pop_back();
    if (!empty)
        out_ += "\n" + std::string(first_.size() * 2, ' ');
    out_ += "}";
    if (first_.empty())
        out_ += "\n";
    return *this;
}

JsonWriter& JsonWriter::begin_array(const std::string& key) {
    prefix(key);
    out_ += "[";
    first_.push_back(true);
    return *this;
}

JsonWriter& JsonWriter::end_array() {
    bool empty = first_.back();
    first_.pop_back();
    if (!empty)
        out_ += "\n" + std::string(first_.size() * 2, ' ');
    out_ += "]";
    return *this;
}

JsonWriter& JsonWriter::value(const std::string& key, const std::string& v) {
    prefix(key);
    out_ += escape(v);
    return *this;
}

JsonWriter& JsonWriter::value(const std::string& key, uint64_t v) {
    prefix(key);
    out_ += std::to_string(v);
    return *this;
}

JsonWriter& JsonWriter::value(const std::string& key, int64_t v) {
    prefix(key);
    out_ += std::to_string(v);
    return *this;
}

JsonWriter& JsonWriter::value(const std::string& key, double v) {
    prefix(key);
    if (!std::isfinite(v)) {
        out_ += "null";
        return *this;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    out_ += buf;
    return *this;
}

JsonWriter& JsonWriter::value(const std::string& key, bool v) {
    prefix(key);
    out_ += v ? "true" : "false";
    return *this;
}

std::string hex16(std::uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

std::string hex_addr(std::uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

} // namespace sim

// A small streaming JSON writer: keys appear in the order written, so the
// same run gives byte-identical files (the stats contract relies on it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sim {

class JsonWriter {
  public:
    JsonWriter& begin_object(const std::string& key = {});
    JsonWriter& end_object();
    JsonWriter& begin_array(const std::string& key = {});
    JsonWriter& end_array();
    JsonWriter& value(const std::string& key, const std::string& v);
    JsonWriter& value(const std::string& key, const char* v) { return value(key, std::string(v)); }
    JsonWriter& value(const std::string& key, uint64_t v);
    JsonWriter& value(const std::string& key, int64_t v);
    JsonWriter& value(const std::string& key, unsigned v) { return value(key, uint64_t(v)); }
    JsonWriter& value(const std::string& key, int v) { return value(key, int64_t(v)); }
    JsonWriter& value(const std::string& key, double v);
    JsonWriter& value(const std::string& key, bool v);

    const std::string& str() const { return out_; }
    static std::string escape(const std::string& s);

  private:
    void prefix(const std::string& key);
    std::string out_;
    std::vector<bool> first_; // per open container: no element written yet
};

// 16 hex digits, no prefix: hashes in stats files and messages.
std::string hex16(std::uint64_t v);
// "0x" and the digits without leading zeros: addresses in messages.
std::string hex_addr(std::uint64_t v);

} // namespace sim

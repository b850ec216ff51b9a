// Reading a run's stats JSON and console text in tests, with plain string
// scans: std::regex costs 8-11 CPU-seconds of compile time in every test file
// that uses it (docs/design.md#test-tiers), and these were its only uses.
#pragma once

#include <cctype>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace sim::test {

// The stats without what depends on the host: every member whose key is
// lowercase letters and underscores ending in "host_seconds" or "mips"
// (sim.host_seconds, init_host_seconds, sim.mips), from its opening quote up
// to the next ',' or newline, as the regex "[a-z_]*(host_seconds|mips)": [^,\n]*
// would cut it.
inline std::string without_host_figures(const std::string& json) {
    std::string out;
    out.reserve(json.size());
    size_t copied = 0;
    for (size_t at = 0; (at = json.find("\": ", at)) != std::string::npos; at += 3) {
        const std::string_view key_end(json.data(), at);
        if (!key_end.ends_with("host_seconds") && !key_end.ends_with("mips"))
            continue;
        size_t open = at;
        while (open > copied &&
               (std::islower(static_cast<unsigned char>(json[open - 1])) || json[open - 1] == '_'))
            --open;
        if (open == copied || json[open - 1] != '"')
            continue;
        --open;
        const size_t end = json.find_first_of(",\n", at + 3);
        out.append(json, copied, open - copied);
        copied = end == std::string::npos ? json.size() : end;
        at = copied - 3;
    }
    out.append(json, copied);
    return out;
}

// The number that follows `key` (e.g. "\"mean\": ") at or after `from`;
// nullopt when the key is absent or no number follows it.
inline std::optional<double> number_after(const std::string& text, std::string_view key,
                                          size_t from = 0) {
    const size_t at = text.find(key, from);
    if (at == std::string::npos)
        return std::nullopt;
    const char* begin = text.c_str() + at + key.size();
    char* end = nullptr;
    const double value = std::strtod(begin, &end);
    if (end == begin)
        return std::nullopt;
    return value;
}

// irq_latency_ns.mean of a stats JSON, if the object is there with
// `samples` samples (irqlat-quick takes 50).
inline std::optional<double> irq_latency_mean(const std::string& json, unsigned samples) {
    const size_t object = json.find("\"irq_latency_ns\": {");
    if (object == std::string::npos)
        return std::nullopt;
    const size_t close = json.find('}', object);
    const size_t n = json.find("\"samples\": ", object);
    const size_t mean = json.find("\"mean\": ", object);
    if (n > close || mean > close || number_after(json, "\"samples\": ", n) != samples)
        return std::nullopt;
    return number_after(json, "\"mean\": ", mean);
}

} // namespace sim::test

// Simulated time as a run limit (--max-seconds, the config's max_seconds):
// decimal seconds read exactly into nanoseconds, then cycles of the core
// clock. Integers only, so the same text gives the same limit on every host.
#pragma once

#include "sim/error.h"

#include <cstdint>
#include <string>

namespace sim {

// The largest limit accepted: far beyond any run, far from overflowing.
inline constexpr uint64_t kMaxLimitSeconds = 1'000'000;

// "30", "2.5", "0.001": digits with an optional fraction of at most 9 digits
// (nanoseconds). No sign, exponent, suffix or spaces. Returns nanoseconds;
// "0" means no limit.
inline uint64_t parse_seconds(const std::string& text, const std::string& what) {
    const auto bad = [&](const std::string& why) {
        return InputError(what + ": '" + text + "' " + why +
                          " (seconds of simulated time, e.g. 30 or 2.5)");
    };
    const size_t dot = text.find('.');
    const std::string whole = text.substr(0, dot);
    const std::string fraction = dot == std::string::npos ? "" : text.substr(dot + 1);
    if (whole.empty() || (dot != std::string::npos && fraction.empty()))
        throw bad("is not a number");
    for (const std::string* part : {&whole, &fraction})
        for (char c : *part)
            if (c < '0' || c > '9')
                throw bad("is not a number");
    if (whole.size() > 1 && whole[0] == '0')
        throw bad("has a leading zero");
    if (fraction.size() > 9)
        throw bad("is finer than a nanosecond");
    if (whole.size() > 7 || std::stoull(whole) > kMaxLimitSeconds)
        throw bad("is out of range (0-" + std::to_string(kMaxLimitSeconds) + ")");
    const uint64_t ns =
        std::stoull(whole) * 1'000'000'000ull + std::stoull((fraction + "000000000").substr(0, 9));
    if (ns > kMaxLimitSeconds * 1'000'000'000ull)
        throw bad("is out of range (0-" + std::to_string(kMaxLimitSeconds) + ")");
    return ns;
}

// The first cycle at or after `ns` on a `hz` clock.
inline uint64_t ns_to_cycles(uint64_t ns, uint64_t hz) {
    const unsigned __int128 product = static_cast<unsigned __int128>(ns) * hz;
    return static_cast<uint64_t>((product + 999'999'999u) / 1'000'000'000u);
}

// "2.5", "30", "0.001": the shortest exact decimal of `ns` in seconds.
inline std::string format_seconds(uint64_t ns) {
    std::string out = std::to_string(ns / 1'000'000'000ull);
    uint64_t fraction = ns % 1'000'000'000ull;
    if (fraction == 0)
        return out;
    std::string digits = std::to_string(fraction);
    digits.insert(0, 9 - digits.size(), '0');
    while (digits.back() == '0')
        digits.pop_back();
    return out + "." + digits;
}

} // namespace sim

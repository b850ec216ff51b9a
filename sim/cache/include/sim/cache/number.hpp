// Unsigned numbers as bao-sim reads them everywhere (config files, [model],
// --set, the command line): decimal or 0x-hex digits, optionally followed by
// a binary suffix (K, k or KiB; M or MiB; G or GiB). No sign, no leading
// zero (so "010" is an error rather than octal 8 or decimal 10), no spaces,
// nothing that does not fit in 64 bits. Here, in the lowest of sim's
// libraries, so the cache model's parameters and sim/loader share it.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace sim::cache {

struct ParsedNumber {
    uint64_t value = 0;
    std::string error; // empty when the text is a number, else why not ("has a sign ...")
};

inline ParsedNumber parse_number_text(std::string_view text) {
    if (text.empty())
        return {0, "is empty"};
    if (text[0] == '-' || text[0] == '+')
        return {0, "has a sign (numbers are unsigned)"};
    const bool hex = text.size() > 1 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
    const char* digits = text.data() + (hex ? 2 : 0);
    const char* end = text.data() + text.size();
    uint64_t value = 0;
    const auto [rest, ec] = std::from_chars(digits, end, value, hex ? 16 : 10);
    if (rest == digits)
        return {0, "is not a number"};
    if (ec == std::errc::result_out_of_range)
        return {0, "does not fit in 64 bits"};
    if (!hex && rest - digits > 1 && digits[0] == '0')
        return {0, "has a leading zero (write decimal or 0x hex; octal is not accepted)"};
    const std::string_view suffix(rest, static_cast<size_t>(end - rest));
    unsigned shift = 0;
    if (suffix == "K" || suffix == "k" || suffix == "KiB")
        shift = 10;
    else if (suffix == "M" || suffix == "MiB")
        shift = 20;
    else if (suffix == "G" || suffix == "GiB")
        shift = 30;
    else if (!suffix.empty())
        return {0, "has an unknown suffix '" + std::string(suffix) + "'"};
    if (value > (UINT64_MAX >> shift))
        return {0, "does not fit in 64 bits"};
    return {value << shift, {}};
}

} // namespace sim::cache

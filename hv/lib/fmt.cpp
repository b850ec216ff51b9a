#include "hv/lib/fmt.h"

namespace hv {

Fmt& Fmt::ch(char c) {
    // Keep one byte for the terminator.
    if (len_ + 1 < cap_) {
        buf_[len_++] = c;
        buf_[len_] = '\0';
    } else if (!cut_ && cap_ >= 4) {
        // Full: the last three characters say something was cut.
        buf_[len_ - 3] = buf_[len_ - 2] = buf_[len_ - 1] = '.';
        cut_ = true;
    }
    return *this;
}

Fmt& Fmt::str(const char* s) {
    if (s == nullptr) {
        return str("(null)");
    }
    while (*s != '\0') {
        ch(*s++);
    }
    return *this;
}

Fmt& Fmt::dec(std::uint64_t v) {
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0) {
        ch(tmp[--n]);
    }
    return *this;
}

Fmt& Fmt::sdec(std::int64_t v) {
    if (v < 0) {
        ch('-');
        // Negate in unsigned arithmetic so INT64_MIN is well defined.
        return dec(~static_cast<std::uint64_t>(v) + 1);
    }
    return dec(static_cast<std::uint64_t>(v));
}

Fmt& Fmt::hex(std::uint64_t v) {
    static constexpr char digits[] = "0123456789abcdef";
    str("0x");
    int shift = 60;
    while (shift > 0 && ((v >> shift) & 0xf) == 0) {
        shift -= 4;
    }
    for (; shift >= 0; shift -= 4) {
        ch(digits[(v >> shift) & 0xf]);
    }
    return *this;
}

std::size_t str_len(const char* s, std::size_t max) {
    std::size_t n = 0;
    while (n < max && s[n] != '\0') {
        ++n;
    }
    return n;
}

void str_copy(char* dst, std::size_t cap, const char* src) {
    if (cap == 0) {
        return;
    }
    std::size_t n = 0;
    while (src != nullptr && n + 1 < cap && src[n] != '\0') {
        dst[n] = src[n];
        ++n;
    }
    dst[n] = '\0';
}

bool str_equal(const char* a, const char* b, std::size_t max) {
    for (std::size_t i = 0; i < max; ++i) {
        if (a[i] != b[i]) {
            return false;
        }
        if (a[i] == '\0') {
            return true;
        }
    }
    return true;
}

} // namespace hv

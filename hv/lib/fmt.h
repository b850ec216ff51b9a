// A tiny freestanding formatter: hv cannot use snprintf, yet its error
// messages must name fields and values ("vms[1].regions[0]: base 0x40001000
// is not 4 KiB aligned"). Output is always NUL-terminated; text that does
// not fit is cut at the buffer's end, which then reads "...", so a cut
// number is not taken for another.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace hv {

struct Hex {
    std::uint64_t value;
};

class Fmt {
  public:
    Fmt(char* buf, std::size_t cap) : buf_(buf), cap_(cap) {
        if (cap_ != 0) {
            buf_[0] = '\0';
        }
    }
    Fmt& ch(char c);
    Fmt& str(const char* s);
    Fmt& dec(std::uint64_t v);
    Fmt& sdec(std::int64_t v);
    Fmt& hex(std::uint64_t v);
    // Members, so a temporary works: fail(err, code) << "field: " << value.
    Fmt& operator<<(const char* s) { return str(s); }
    Fmt& operator<<(char c) { return ch(c); }
    Fmt& operator<<(Hex h) { return hex(h.value); }
    template <typename T>
    requires(std::is_integral_v<T> && !std::is_same_v<T, char> && !std::is_same_v<T, bool>) Fmt&
    operator<<(T v) {
        if constexpr (std::is_signed_v<T>) {
            return sdec(static_cast<std::int64_t>(v));
        } else {
            return dec(static_cast<std::uint64_t>(v));
        }
    }

    const char* c_str() const { return buf_; }
    std::size_t size() const { return len_; }

  private:
    char* buf_;
    std::size_t cap_;
    std::size_t len_ = 0;
    bool cut_ = false;
};

// Length of a NUL-terminated string bounded by max (names live in fixed arrays).
std::size_t str_len(const char* s, std::size_t max);
// Copies at most cap-1 characters and terminates.
void str_copy(char* dst, std::size_t cap, const char* src);
bool str_equal(const char* a, const char* b, std::size_t max);

} // namespace hv

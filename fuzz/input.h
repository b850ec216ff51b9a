// The fuzzer's bytes, read front to back as little-endian values; reads past
// the end give zeros, so every input is a valid (if short) program and a
// dictionary token spliced anywhere reads as the value it spells.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>

namespace hvfuzz {

class Input {
  public:
    Input(const std::uint8_t* data, std::size_t size) : p_(data), n_(size) {}

    bool empty() const { return n_ == 0; }
    std::uint8_t u8() {
        if (n_ == 0) {
            return 0;
        }
        --n_;
        return *p_++;
    }
    std::uint16_t u16() { return static_cast<std::uint16_t>(u8() | (u8() << 8)); }
    std::uint32_t u32() { return u16() | (static_cast<std::uint32_t>(u16()) << 16); }
    std::uint64_t u64() { return u32() | (static_cast<std::uint64_t>(u32()) << 32); }
    // One of `n` choices (n > 0).
    std::uint32_t pick(std::uint32_t n) { return u8() % n; }
    bool flag() { return (u8() & 1) != 0; }
    // A value from `common`, picked by one byte, or a raw 64-bit one when
    // that byte is 32 * common.size() or more.
    std::uint64_t choose(std::initializer_list<std::uint64_t> common) {
        const std::uint32_t k = u8();
        if (k < common.size() * 32) {
            return common.begin()[k % common.size()];
        }
        return u64();
    }
    // 1 to `max_pages` 4 KiB pages, in bytes.
    std::uint64_t pages(std::uint32_t max_pages) { return (1 + u16() % max_pages) * 0x1000ull; }

  private:
    const std::uint8_t* p_;
    std::size_t n_;
};

} // namespace hvfuzz

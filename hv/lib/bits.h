// Small address and bitmap helpers shared by hv's modules.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hv {

inline constexpr std::uint64_t kPageSize = 4096;
inline constexpr std::uint32_t kPageShift = 12;
inline constexpr std::uint64_t kSize2M = 2ull << 20;
inline constexpr std::uint64_t kSize1G = 1ull << 30;

constexpr bool is_aligned(std::uint64_t v, std::uint64_t align) {
    return (v & (align - 1)) == 0;
}
constexpr std::uint64_t align_up(std::uint64_t v, std::uint64_t align) {
    return (v + align - 1) & ~(align - 1);
}
constexpr std::uint64_t pages_of(std::uint64_t bytes) {
    return (bytes + kPageSize - 1) >> kPageShift;
}
// True when [a, a+as) and [b, b+bs) share a byte; empty ranges overlap nothing.
constexpr bool ranges_overlap(std::uint64_t a, std::uint64_t as, std::uint64_t b,
                              std::uint64_t bs) {
    return as != 0 && bs != 0 && a < b + bs && b < a + as;
}
// [inner, inner+is) lies within [outer, outer+os). Written to avoid overflow.
constexpr bool range_contains(std::uint64_t outer, std::uint64_t os, std::uint64_t inner,
                              std::uint64_t is) {
    return inner >= outer && inner - outer <= os && is <= os - (inner - outer);
}
// Not std::has_single_bit: with -mgeneral-regs-only GCC lowers it to a
// libgcc call (__popcountdi2) the freestanding target does not link.
constexpr bool is_pow2(std::uint64_t v) {
    return v != 0 && (v & (v - 1)) == 0;
}
constexpr bool bit_test(std::uint64_t mask, std::uint32_t bit) {
    return bit < 64 && ((mask >> bit) & 1u) != 0;
}

} // namespace hv

// A fixed-capacity vector: hv has no heap, so every list in the configuration
// and in the VM state has a compile-time maximum. It stays an aggregate of
// plain data so the simulator can fill configurations by assignment and the
// target build can emit them as constant data.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hv {

template <typename T, std::size_t N> struct FixedVec {
    T items[N]{};
    std::uint32_t count = 0;

    static constexpr std::size_t capacity = N;

    // Returns false (and changes nothing) when full, so a loader can report
    // "too many X" instead of overflowing.
    constexpr bool push(const T& value) {
        if (count >= N) {
            return false;
        }
        items[count++] = value;
        return true;
    }
    constexpr std::size_t size() const { return count; }
    constexpr bool empty() const { return count == 0; }
    constexpr void clear() { count = 0; }
    constexpr T& operator[](std::size_t i) { return items[i]; }
    constexpr const T& operator[](std::size_t i) const { return items[i]; }
    constexpr T* begin() { return items; }
    constexpr T* end() { return items + count; }
    constexpr const T* begin() const { return items; }
    constexpr const T* end() const { return items + count; }
    constexpr T& back() { return items[count - 1]; }
};

} // namespace hv

// Half-open address ranges [first, second), as the cores keep what they
// mapped into Unicorn (memory, devices, trapping pages, placeholders).
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace sim::cpu {

using AddressRanges = std::vector<std::pair<uint64_t, uint64_t>>;

inline bool in_ranges(const AddressRanges& ranges, uint64_t address) {
    return std::any_of(ranges.begin(), ranges.end(), [address](const auto& r) {
        return address >= r.first && address < r.second;
    });
}

} // namespace sim::cpu

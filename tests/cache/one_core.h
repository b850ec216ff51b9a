// Shared by the cache tests: a line, a page and a one-core hierarchy.
#pragma once

#include "sim/cache/hierarchy.hpp"

#include <cstdint>

namespace sim::cache::test {

inline constexpr std::uint64_t kLine = 64;
inline constexpr std::uint64_t kPage = 4096;

inline HierarchyConfig one_core() {
    HierarchyConfig config;
    config.cores = 1;
    return config;
}

} // namespace sim::cache::test

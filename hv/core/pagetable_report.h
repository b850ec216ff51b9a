// How many stage-2 table pages a VM's memory costs, with and without
// coloring (the Bao paper's Table 2; `bao-sim pagetables --mem 32M,...`).
// Built with the real stage-2 builder into a caller-provided scratch buffer
// that stands in for hv's memory, so the numbers are the builder's own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "hv/arch/arch.h"
#include "hv/core/config.h"

namespace hv::inline HV_ARCH_NS {

struct PageTableCount {
    std::uint64_t mem_bytes = 0;
    std::uint32_t uncolored = 0; // 1 GiB / 2 MiB blocks wherever alignment allows
    std::uint32_t colored = 0;   // every 4 KiB page mapped (about one L3 table per 2 MiB)
    bool ok = false;             // false if the scratch buffer was too small
};

// Scratch bytes the count needs for `mem_bytes` (the colored case's tables).
std::uint64_t pagetable_scratch_bytes(std::uint64_t mem_bytes);

// Table pages for one VM region of `mem_bytes` (4 KiB multiple) at IPA
// 0x40000000. `colors` (0 = uncolored) selects which of the L2's colors the
// colored mapping uses; PAs follow those colors as hv's allocator would give
// them from an empty pool.
bool stage2_table_pages(std::uint64_t mem_bytes, std::uint64_t colors, const L2Geometry& l2,
                        std::span<std::byte> scratch, std::uint32_t& pages);

// Both cases; the colored one uses the lower half of the colors (solo-col).
PageTableCount pagetable_report(std::uint64_t mem_bytes, const L2Geometry& l2,
                                std::span<std::byte> scratch);

} // namespace hv::inline HV_ARCH_NS

// The superpage policy every architecture's second-stage builder follows
// (Armv8-A stage 2, RISC-V G-stage): both have 1 GiB, 2 MiB and 4 KiB
// leaves, and both use the largest one that the chunk allows. Colored
// memory asks for pages only (allow_blocks false): its pages are scattered.
#pragma once

#include <cstdint>

#include "hv/lib/bits.h"

namespace hv {

// The size of the leaf that maps the start of [ipa, ipa + size) to pa: the
// largest block both addresses are aligned to with at least one whole block
// left, or a 4 KiB page.
constexpr std::uint64_t leaf_size(std::uint64_t ipa, std::uint64_t pa, std::uint64_t size,
                                  bool allow_blocks) {
    if (allow_blocks && is_aligned(ipa | pa, kSize1G) && size >= kSize1G) {
        return kSize1G;
    }
    if (allow_blocks && is_aligned(ipa | pa, kSize2M) && size >= kSize2M) {
        return kSize2M;
    }
    return kPageSize;
}

} // namespace hv

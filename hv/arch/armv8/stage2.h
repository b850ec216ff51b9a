// Stage-2 translation tables in the Armv8-A VMSA format, 4 KiB granule: the
// descriptor format the table engine (hv/lib/second_stage.h) builds and walks.
//
// Layout choice: a 40-bit IPA space (VTCR_EL2.T0SZ = 24) starting at level 1
// (SL0 = 1) with two concatenated level-1 tables as the root (8 KiB, 8 KiB
// aligned, 1024 entries of 1 GiB). Level 0 would need a 44-bit PA range the
// Cortex-A53 does not have; concatenation keeps walks at three levels.
#pragma once

#include <cstdint>

#include "hv/lib/second_stage.h"
#include "hv/port.h"

namespace hv::armv8 {

inline constexpr std::uint32_t kIpaBits = 40;
inline constexpr std::uint64_t kRootPages = 2; // concatenated level-1 tables

// VTCR_EL2: T0SZ=24, SL0=1 (level 1), inner/outer write-back write-allocate
// walks, inner shareable, TG0=4 KiB, PS=40 bits, RES1 bit 31.
inline constexpr std::uint64_t kVtcr = (64 - kIpaBits) | (1ull << 6) | (1ull << 8) | (1ull << 10) |
                                       (3ull << 12) | (0ull << 14) | (2ull << 16) | (1ull << 31);

constexpr std::uint64_t vttbr(std::uint64_t root_pa, std::uint16_t vmid) {
    return (static_cast<std::uint64_t>(vmid) << 48) | root_pa;
}

// Stage-2 descriptors (Arm ARM D8.3), levels 1 (the root) to 3. Encodings in
// stage2.cpp.
struct S2Format {
    static constexpr std::uint32_t kInBits = kIpaBits;
    static constexpr std::uint32_t kOutBits = 40; // the Cortex-A53's PA range
    static constexpr std::uint64_t kRootPages = armv8::kRootPages;
    static constexpr const char* kOutOfRange = "beyond the 40-bit address space";
    static constexpr std::uint8_t level(int depth) { return static_cast<std::uint8_t>(depth + 1); }
    static std::uint64_t root_table(std::uint64_t root_pa);
    static bool valid(std::uint64_t d);
    static bool is_table(std::uint64_t d, int depth);
    static bool leaf_ok(std::uint64_t d, int depth);
    static std::uint64_t address(std::uint64_t d);
    static std::uint64_t table(std::uint64_t pa);
    static std::uint64_t leaf(std::uint64_t pa, MapAttr a, int depth);
    static void leaf_attr(std::uint64_t d, TableWalk& w);
};

} // namespace hv::armv8

// Instantiated once, in stage2.cpp.
extern template class hv::SecondStage<hv::armv8::S2Format>;

namespace hv::armv8 {

using Stage2 = SecondStage<S2Format>;
using hv::kDeviceRw;
using hv::kNormalRwx;
using hv::MapStatus;
using hv::MemType;
using hv::TablePageSource;
using S2Attr = MapAttr;
using S2Walk = TableWalk;

inline const char* to_string(MapStatus s) {
    return describe(s, S2Format::kOutOfRange);
}
// Walks the tables rooted at root_pa (VTTBR_EL2.BADDR), as the MMU would.
inline S2Walk stage2_walk(Port& port, std::uint64_t root_pa, std::uint64_t ipa) {
    return Stage2::walk(port, root_pa, ipa);
}

} // namespace hv::armv8

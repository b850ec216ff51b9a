// G-stage translation tables (the H extension's second stage) in the Sv39x4
// format, the descriptor format the table engine (hv/lib/second_stage.h)
// builds and walks: 41-bit guest-physical addresses, a 16 KiB root (four
// concatenated pages, 2048 entries of 1 GiB, 16 KiB aligned), then 2 MiB and
// 4 KiB levels. The levels are numbered as the privileged spec does: 2 (the
// root, 1 GiB leaves), 1 (2 MiB leaves), 0 (4 KiB pages).
//
// The superpage and coloring policy is Arm's stage 2's (hv/lib/superpage.h):
// the largest leaf where GPA and PA agree, pages only for colored memory.
#pragma once

#include <cstdint>

#include "hv/lib/second_stage.h"
#include "hv/port.h"

namespace hv::riscv64 {

inline constexpr std::uint32_t kGpaBits = 41;  // Sv39x4
inline constexpr std::uint32_t kPaBits = 56;   // PPN[43:0]
inline constexpr std::uint64_t kRootPages = 4; // 16 KiB root
inline constexpr std::uint64_t kHgatpModeSv39x4 = 8;

// hgatp for a VM's tables: MODE = Sv39x4, VMID, PPN of the root.
constexpr std::uint64_t hgatp(std::uint64_t root_pa, std::uint16_t vmid) {
    return (kHgatpModeSv39x4 << 60) | (static_cast<std::uint64_t>(vmid & 0x3fff) << 44) |
           (root_pa >> 12);
}

// Sv39x4 PTEs (privileged spec), levels 2 (the root) to 0. Encodings in
// gstage.cpp. No memory type without Svpbmt: a device mapping is one that is
// never executable.
struct GFormat {
    static constexpr std::uint32_t kInBits = kGpaBits;
    static constexpr std::uint32_t kOutBits = kPaBits;
    static constexpr std::uint64_t kRootPages = riscv64::kRootPages;
    static constexpr const char* kOutOfRange =
        "beyond the 41-bit guest-physical (Sv39x4) or 56-bit physical space";
    static constexpr std::uint8_t level(int depth) { return static_cast<std::uint8_t>(2 - depth); }
    static std::uint64_t root_table(std::uint64_t root_pa);
    static bool valid(std::uint64_t pte);
    static bool is_table(std::uint64_t pte, int depth);
    static bool leaf_ok(std::uint64_t pte, int depth);
    static std::uint64_t address(std::uint64_t pte);
    static std::uint64_t table(std::uint64_t pa);
    static std::uint64_t leaf(std::uint64_t pa, MapAttr a, int depth);
    static void leaf_attr(std::uint64_t pte, TableWalk& w);
};

} // namespace hv::riscv64

// Instantiated once, in gstage.cpp.
extern template class hv::SecondStage<hv::riscv64::GFormat>;

namespace hv::riscv64 {

using GStage = SecondStage<GFormat>;
using hv::kDeviceRw;
using hv::kNormalRwx;
using hv::MapStatus;
using hv::MemType;
using hv::TablePageSource;
using GAttr = MapAttr;
using GWalk = TableWalk;

inline const char* to_string(MapStatus s) {
    return describe(s, GFormat::kOutOfRange);
}
// Walks the tables rooted at root_pa (hgatp's PPN), as the hardware would.
inline GWalk gstage_walk(Port& port, std::uint64_t root_pa, std::uint64_t gpa) {
    return GStage::walk(port, root_pa, gpa);
}

} // namespace hv::riscv64

// Stage-2 translation tables in the Armv8-A VMSA format, 4 KiB granule.
//
// Layout choice: a 40-bit IPA space (VTCR_EL2.T0SZ = 24) starting at level 1
// (SL0 = 1) with two concatenated level-1 tables as the root (8 KiB, 8 KiB
// aligned, 1024 entries of 1 GiB). Level 0 would need a 44-bit PA range the
// Cortex-A53 does not have; concatenation keeps walks at three levels.
//
// Tables are real descriptors written into physical memory through the port,
// so the simulator's software TLB walks exactly what the hardware would, and
// the target's MMU can use them as they are.
#pragma once

#include <cstdint>

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

// Where table pages come from: hv passes its page pool (hv's colors, from the
// top of RAM); the page-table report passes a scratch area.
struct TablePageSource {
    // `pages` contiguous zero-or-garbage pages aligned to `align` bytes.
    bool (*alloc)(void* ctx, std::uint64_t pages, std::uint64_t align, std::uint64_t& pa);
    void* ctx;
};

enum class MemType : std::uint8_t { Normal, Device };

struct S2Attr {
    MemType type = MemType::Normal;
    bool read = true;
    bool write = true;
    bool exec = true;
};
inline constexpr S2Attr kNormalRwx{};
inline constexpr S2Attr kDeviceRw{MemType::Device, true, true, false};

enum class MapStatus : std::uint8_t {
    Ok,
    Unaligned,   // ipa, pa or size not 4 KiB aligned
    OutOfRange,  // beyond the 40-bit IPA or PA space
    Overlap,     // part of the range is already mapped
    NoTablePages // the table page source is exhausted
};
const char* to_string(MapStatus s);

// Result of translating one IPA, as the MMU would: the software TLB caches
// `pa & ~(block_size - 1)` for the block, and can charge the walk's memory
// accesses from desc_pa.
struct S2Walk {
    bool valid = false;
    std::uint8_t level = 0; // level of the leaf, or of the invalid descriptor
    std::uint64_t pa = 0;
    std::uint64_t block_size = 0; // 1 GiB, 2 MiB or 4 KiB
    bool read = false;
    bool write = false;
    bool exec = false;
    MemType type = MemType::Normal;
    std::uint8_t num_desc = 0;
    std::uint64_t desc_pa[3]{}; // descriptors read, root first
};

// Walks the tables rooted at root_pa (VTTBR_EL2.BADDR). Reads descriptors
// through the port; does not account them (the walk is the MMU's, not hv's).
S2Walk stage2_walk(Port& port, std::uint64_t root_pa, std::uint64_t ipa);

class Stage2 {
  public:
    // Allocates and zeroes the root.
    MapStatus init(Port& port, TablePageSource tables);

    // Maps [ipa, ipa + size) to [pa, pa + size). With allow_blocks, 1 GiB and
    // 2 MiB blocks are used wherever IPA and PA are both aligned and enough
    // size remains; otherwise (colored VMs) every page gets a level-3
    // descriptor. Descriptor and table writes are accounted through the port.
    MapStatus map(std::uint64_t ipa, std::uint64_t pa, std::uint64_t size, S2Attr attr,
                  bool allow_blocks);

    std::uint64_t root() const { return root_; }
    // Pages of translation tables, the root's two included.
    std::uint32_t table_pages() const { return table_pages_; }

  private:
    std::uint64_t read_desc(std::uint64_t pa);
    void write_desc(std::uint64_t pa, std::uint64_t desc);
    // The next-level table behind the descriptor at desc_pa, created if absent.
    MapStatus descend(std::uint64_t desc_pa, std::uint64_t& table_pa);

    Port* port_ = nullptr;
    TablePageSource tables_{};
    std::uint64_t root_ = 0;
    std::uint32_t table_pages_ = 0;
};

} // namespace hv::armv8

// G-stage translation tables (the H extension's second stage) in the Sv39x4
// format: 41-bit guest-physical addresses, a 16 KiB root (four concatenated
// pages, 2048 entries of 1 GiB, 16 KiB aligned), then 2 MiB and 4 KiB levels.
// The levels are numbered as the privileged spec does: 2 (the root, 1 GiB
// leaves), 1 (2 MiB leaves), 0 (4 KiB pages).
//
// The superpage and coloring policy is Arm's stage 2's (hv/lib/superpage.h):
// the largest leaf where GPA and PA agree, pages only for colored memory.
// Tables are real PTEs written into physical memory through the port, so the
// simulator's software TLB walks exactly what the hardware would, and the
// target's hgatp can use them as they are.
#pragma once

#include <cstdint>

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

// Where table pages come from (the same contract as Arm's): hv passes its
// page pool, the page-table report a scratch area.
struct TablePageSource {
    bool (*alloc)(void* ctx, std::uint64_t pages, std::uint64_t align, std::uint64_t& pa);
    void* ctx;
};

// RISC-V has no memory type in its PTEs without Svpbmt (the platform's PMAs
// decide); the type is kept so reports and the simulator read both
// architectures alike, and a device mapping is never executable.
enum class MemType : std::uint8_t { Normal, Device };

struct GAttr {
    MemType type = MemType::Normal;
    bool read = true;
    bool write = true;
    bool exec = true;
};
inline constexpr GAttr kNormalRwx{};
inline constexpr GAttr kDeviceRw{MemType::Device, true, true, false};

enum class MapStatus : std::uint8_t {
    Ok,
    Unaligned,   // gpa, pa or size not 4 KiB aligned
    OutOfRange,  // beyond the 41-bit guest-physical or 56-bit physical space
    Overlap,     // part of the range is already mapped
    NoTablePages // the table page source is exhausted
};
const char* to_string(MapStatus s);

// One translation as the hardware would do it.
struct GWalk {
    bool valid = false;
    std::uint8_t level = 0; // level of the leaf, or of the invalid PTE (2, 1, 0)
    std::uint64_t pa = 0;
    std::uint64_t block_size = 0; // 1 GiB, 2 MiB or 4 KiB
    bool read = false;
    bool write = false;
    bool exec = false;
    MemType type = MemType::Normal; // Device where the leaf is not executable
    std::uint8_t num_desc = 0;
    std::uint64_t desc_pa[3]{}; // PTEs read, root first
};

// Walks the tables rooted at root_pa. Reads PTEs through the port; does not
// account them (the walk is the MMU's, not hv's).
GWalk gstage_walk(Port& port, std::uint64_t root_pa, std::uint64_t gpa);

class GStage {
  public:
    // Allocates and zeroes the 16 KiB root.
    MapStatus init(Port& port, TablePageSource tables);

    // Maps [gpa, gpa + size) to [pa, pa + size), with 1 GiB and 2 MiB leaves
    // where allowed and aligned (hv/lib/superpage.h), else 4 KiB pages. PTE
    // and table writes are accounted through the port.
    MapStatus map(std::uint64_t gpa, std::uint64_t pa, std::uint64_t size, GAttr attr,
                  bool allow_blocks);

    std::uint64_t root() const { return root_; }
    // Pages of translation tables, the root's four included.
    std::uint32_t table_pages() const { return table_pages_; }

  private:
    std::uint64_t read_pte(std::uint64_t pa);
    void write_pte(std::uint64_t pa, std::uint64_t pte);
    // The next-level table behind the PTE at pte_pa, created if absent.
    MapStatus descend(std::uint64_t pte_pa, std::uint64_t& table_pa);

    Port* port_ = nullptr;
    TablePageSource tables_{};
    std::uint64_t root_ = 0;
    std::uint32_t table_pages_ = 0;
};

} // namespace hv::riscv64

#include "hv/arch/riscv64/gstage.h"

#include "hv/lib/bits.h"
#include "hv/lib/superpage.h"

namespace hv::riscv64 {
namespace {

// PTE bits (privileged spec, Sv39). G-stage leaves carry U: the hardware
// checks every G-stage access as a user-mode one.
constexpr std::uint64_t kV = 1ull << 0;
constexpr std::uint64_t kR = 1ull << 1;
constexpr std::uint64_t kW = 1ull << 2;
constexpr std::uint64_t kX = 1ull << 3;
constexpr std::uint64_t kU = 1ull << 4;
constexpr std::uint64_t kA = 1ull << 6;
constexpr std::uint64_t kD = 1ull << 7;
constexpr std::uint64_t kPpnMask = ((1ull << 44) - 1) << 10; // PPN[43:0] at bits 53:10

constexpr std::uint64_t pte_pa(std::uint64_t pte) {
    return ((pte & kPpnMask) >> 10) << 12;
}
constexpr std::uint64_t pa_pte(std::uint64_t pa) {
    return (pa >> 12) << 10;
}
constexpr unsigned level_shift(int level) {
    return 12 + 9 * static_cast<unsigned>(level);
}
constexpr std::uint64_t level_size(int level) {
    return 1ull << level_shift(level);
}
// The root spans four pages: 11 index bits (GPA[40:30]).
constexpr std::uint64_t level_index(int level, std::uint64_t gpa) {
    const std::uint64_t mask = level == 2 ? 0x7ff : 0x1ff;
    return (gpa >> level_shift(level)) & mask;
}
constexpr bool is_leaf(std::uint64_t pte) {
    return (pte & (kR | kW | kX)) != 0;
}

std::uint64_t leaf_pte(std::uint64_t pa, GAttr a) {
    // A and D set: hv never relies on the hardware updating them (Svade
    // hardware would fault on a clear one).
    std::uint64_t p = kV | kU | kA | pa_pte(pa);
    p |= a.read ? kR : 0;
    p |= a.write ? (kW | kD) : 0;
    p |= a.exec && a.type == MemType::Normal ? kX : 0;
    return p;
}

} // namespace

const char* to_string(MapStatus s) {
    switch (s) {
    case MapStatus::Ok:
        return "ok";
    case MapStatus::Unaligned:
        return "not 4 KiB aligned";
    case MapStatus::OutOfRange:
        return "beyond the 41-bit guest-physical (Sv39x4) or 56-bit physical space";
    case MapStatus::Overlap:
        return "overlaps an existing mapping";
    case MapStatus::NoTablePages:
        return "out of page-table pages";
    }
    return "?";
}

GWalk gstage_walk(Port& port, std::uint64_t root_pa, std::uint64_t gpa) {
    GWalk w;
    w.level = 2;
    if (gpa >= (1ull << kGpaBits)) {
        return w;
    }
    std::uint64_t table = root_pa & ~(kRootPages * kPageSize - 1);
    for (int level = 2; level >= 0; --level) {
        const std::uint64_t pa = table + level_index(level, gpa) * 8;
        std::uint64_t pte = 0;
        port.mem_read(pa, &pte, sizeof pte);
        w.desc_pa[w.num_desc++] = pa;
        w.level = static_cast<std::uint8_t>(level);
        if ((pte & kV) == 0 || ((pte & kW) != 0 && (pte & kR) == 0)) {
            return w; // invalid, or the reserved W-without-R encoding
        }
        if (!is_leaf(pte)) {
            if (level == 0) {
                return w; // a pointer at the last level is a fault
            }
            table = pte_pa(pte);
            continue;
        }
        const std::uint64_t size = level_size(level);
        if ((pte & kU) == 0 || (pte_pa(pte) & (size - 1)) != 0) {
            return w; // not user-accessible, or a misaligned superpage
        }
        w.valid = true;
        w.block_size = size;
        w.pa = pte_pa(pte) | (gpa & (size - 1));
        w.read = (pte & kR) != 0;
        w.write = (pte & kW) != 0;
        w.exec = (pte & kX) != 0;
        w.type = w.exec ? MemType::Normal : MemType::Device;
        return w;
    }
    return w;
}

std::uint64_t GStage::read_pte(std::uint64_t pa) {
    std::uint64_t pte = 0;
    port_->mem_read(pa, &pte, sizeof pte);
    port_->account(pa, sizeof pte, false);
    return pte;
}

void GStage::write_pte(std::uint64_t pa, std::uint64_t pte) {
    port_->mem_write(pa, &pte, sizeof pte);
    port_->account(pa, sizeof pte, true);
}

MapStatus GStage::init(Port& port, TablePageSource tables) {
    port_ = &port;
    tables_ = tables;
    table_pages_ = 0;
    std::uint64_t pa = 0;
    if (!tables_.alloc(tables_.ctx, kRootPages, kRootPages * kPageSize, pa)) {
        return MapStatus::NoTablePages;
    }
    port_->mem_zero(pa, kRootPages * kPageSize);
    port_->account(pa, kRootPages * kPageSize, true);
    root_ = pa;
    table_pages_ = kRootPages;
    return MapStatus::Ok;
}

MapStatus GStage::descend(std::uint64_t pte_pa_at, std::uint64_t& table_pa) {
    const std::uint64_t pte = read_pte(pte_pa_at);
    if ((pte & kV) != 0) {
        if (is_leaf(pte)) {
            return MapStatus::Overlap; // a superpage already covers this range
        }
        table_pa = pte_pa(pte);
        return MapStatus::Ok;
    }
    std::uint64_t pa = 0;
    if (!tables_.alloc(tables_.ctx, 1, kPageSize, pa)) {
        return MapStatus::NoTablePages;
    }
    port_->mem_zero(pa, kPageSize);
    port_->account(pa, kPageSize, true);
    ++table_pages_;
    write_pte(pte_pa_at, kV | pa_pte(pa)); // a pointer: R = W = X = 0
    table_pa = pa;
    return MapStatus::Ok;
}

MapStatus GStage::map(std::uint64_t gpa, std::uint64_t pa, std::uint64_t size, GAttr attr,
                      bool allow_blocks) {
    if (!is_aligned(gpa | pa | size, kPageSize)) {
        return MapStatus::Unaligned;
    }
    constexpr std::uint64_t glimit = 1ull << kGpaBits;
    constexpr std::uint64_t plimit = 1ull << kPaBits;
    if (gpa >= glimit || size > glimit - gpa || pa >= plimit || size > plimit - pa) {
        return MapStatus::OutOfRange;
    }
    while (size != 0) {
        const std::uint64_t bs = leaf_size(gpa, pa, size, allow_blocks);
        const int leaf = bs == kSize1G ? 2 : bs == kSize2M ? 1 : 0;
        std::uint64_t table = root_;
        for (int level = 2; level > leaf; --level) {
            const MapStatus s = descend(table + level_index(level, gpa) * 8, table);
            if (s != MapStatus::Ok) {
                return s;
            }
        }
        const std::uint64_t at = table + level_index(leaf, gpa) * 8;
        if ((read_pte(at) & kV) != 0) {
            return MapStatus::Overlap;
        }
        write_pte(at, leaf_pte(pa, attr));
        gpa += bs;
        pa += bs;
        size -= bs;
    }
    return MapStatus::Ok;
}

} // namespace hv::riscv64

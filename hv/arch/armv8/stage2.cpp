#include "hv/arch/armv8/stage2.h"

#include "hv/lib/bits.h"
#include "hv/lib/superpage.h"

namespace hv::armv8 {
namespace {

// Descriptor fields (Arm ARM D8.3, stage 2).
constexpr std::uint64_t kValid = 1ull << 0;
constexpr std::uint64_t kTableOrPage = 1ull << 1;       // table at levels 1-2, page at 3
constexpr std::uint64_t kMemAttrNormalWb = 0xfull << 2; // outer and inner write-back
constexpr std::uint64_t kMemAttrDevNGnRE = 0x1ull << 2;
constexpr std::uint64_t kS2apRead = 1ull << 6;
constexpr std::uint64_t kS2apWrite = 1ull << 7;
constexpr std::uint64_t kShInner = 3ull << 8;
constexpr std::uint64_t kAf = 1ull << 10;
constexpr std::uint64_t kXn = 1ull << 54;
constexpr std::uint64_t kAddrMask = 0x0000'ffff'ffff'f000ull; // bits 47:12

constexpr std::uint64_t level_shift(int level) {
    return 12 + 9 * static_cast<unsigned>(3 - level);
}
constexpr std::uint64_t level_size(int level) {
    return 1ull << level_shift(level);
}
// Level 1 spans the two concatenated root pages: 10 index bits.
constexpr std::uint64_t level_index(int level, std::uint64_t ipa) {
    const std::uint64_t mask = level == 1 ? 0x3ff : 0x1ff;
    return (ipa >> level_shift(level)) & mask;
}

std::uint64_t leaf_desc(std::uint64_t pa, S2Attr a, int level) {
    std::uint64_t d = kValid | (pa & kAddrMask) | kAf;
    if (level == 3) {
        d |= kTableOrPage;
    }
    d |= a.type == MemType::Normal ? (kMemAttrNormalWb | kShInner) : kMemAttrDevNGnRE;
    d |= a.read ? kS2apRead : 0;
    d |= a.write ? kS2apWrite : 0;
    d |= a.exec ? 0 : kXn;
    return d;
}

} // namespace

const char* to_string(MapStatus s) {
    switch (s) {
    case MapStatus::Ok:
        return "ok";
    case MapStatus::Unaligned:
        return "not 4 KiB aligned";
    case MapStatus::OutOfRange:
        return "beyond the 40-bit address space";
    case MapStatus::Overlap:
        return "overlaps an existing mapping";
    case MapStatus::NoTablePages:
        return "out of page-table pages";
    }
    return "?";
}

S2Walk stage2_walk(Port& port, std::uint64_t root_pa, std::uint64_t ipa) {
    S2Walk w;
    if (ipa >= (1ull << kIpaBits)) {
        w.level = 1;
        return w;
    }
    std::uint64_t table = root_pa & kAddrMask;
    for (int level = 1; level <= 3; ++level) {
        const std::uint64_t desc_pa = table + level_index(level, ipa) * 8;
        std::uint64_t d = 0;
        port.mem_read(desc_pa, &d, sizeof d);
        w.desc_pa[w.num_desc++] = desc_pa;
        w.level = static_cast<std::uint8_t>(level);
        if ((d & kValid) == 0 || (level == 3 && (d & kTableOrPage) == 0)) {
            return w; // translation fault at this level
        }
        if (level < 3 && (d & kTableOrPage) != 0) {
            table = d & kAddrMask;
            continue;
        }
        const std::uint64_t size = level_size(level);
        w.valid = true;
        w.block_size = size;
        w.pa = (d & kAddrMask & ~(size - 1)) | (ipa & (size - 1));
        w.read = (d & kS2apRead) != 0;
        w.write = (d & kS2apWrite) != 0;
        w.exec = (d & kXn) == 0;
        w.type = ((d >> 2) & 0xf) == 0xf ? MemType::Normal : MemType::Device;
        return w;
    }
    return w;
}

std::uint64_t Stage2::read_desc(std::uint64_t pa) {
    std::uint64_t d = 0;
    port_->mem_read(pa, &d, sizeof d);
    port_->account(pa, sizeof d, false);
    return d;
}

void Stage2::write_desc(std::uint64_t pa, std::uint64_t desc) {
    port_->mem_write(pa, &desc, sizeof desc);
    port_->account(pa, sizeof desc, true);
}

MapStatus Stage2::init(Port& port, TablePageSource tables) {
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

MapStatus Stage2::descend(std::uint64_t desc_pa, std::uint64_t& table_pa) {
    const std::uint64_t d = read_desc(desc_pa);
    if ((d & kValid) != 0) {
        if ((d & kTableOrPage) == 0) {
            return MapStatus::Overlap; // a block already covers this range
        }
        table_pa = d & kAddrMask;
        return MapStatus::Ok;
    }
    std::uint64_t pa = 0;
    if (!tables_.alloc(tables_.ctx, 1, kPageSize, pa)) {
        return MapStatus::NoTablePages;
    }
    port_->mem_zero(pa, kPageSize);
    port_->account(pa, kPageSize, true);
    ++table_pages_;
    write_desc(desc_pa, kValid | kTableOrPage | (pa & kAddrMask));
    table_pa = pa;
    return MapStatus::Ok;
}

MapStatus Stage2::map(std::uint64_t ipa, std::uint64_t pa, std::uint64_t size, S2Attr attr,
                      bool allow_blocks) {
    if (!is_aligned(ipa | pa | size, kPageSize)) {
        return MapStatus::Unaligned;
    }
    constexpr std::uint64_t limit = 1ull << kIpaBits;
    if (ipa >= limit || size > limit - ipa || pa >= limit || size > limit - pa) {
        return MapStatus::OutOfRange;
    }
    while (size != 0) {
        // The largest leaf this chunk allows (hv/lib/superpage.h).
        const std::uint64_t leaf_bytes = leaf_size(ipa, pa, size, allow_blocks);
        const int leaf = leaf_bytes == kSize1G ? 1 : leaf_bytes == kSize2M ? 2 : 3;
        std::uint64_t table = root_;
        for (int level = 1; level < leaf; ++level) {
            const MapStatus s = descend(table + level_index(level, ipa) * 8, table);
            if (s != MapStatus::Ok) {
                return s;
            }
        }
        const std::uint64_t desc_pa = table + level_index(leaf, ipa) * 8;
        if ((read_desc(desc_pa) & kValid) != 0) {
            return MapStatus::Overlap;
        }
        write_desc(desc_pa, leaf_desc(pa, attr, leaf));
        const std::uint64_t bs = level_size(leaf);
        ipa += bs;
        pa += bs;
        size -= bs;
    }
    return MapStatus::Ok;
}

} // namespace hv::armv8

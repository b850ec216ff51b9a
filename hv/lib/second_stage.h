// The second-stage table engine every architecture's stage-2 builder uses
// (Armv8-A stage 2: hv/arch/armv8/stage2.h, RISC-V G-stage:
// hv/arch/riscv64/gstage.h). Both have three levels of 512-entry tables
// under a root of concatenated pages, with 1 GiB, 2 MiB and 4 KiB leaves, and
// follow one superpage policy (hv/lib/superpage.h); what differs is the
// descriptor encoding, the root's size, the address widths and how each
// architecture numbers its levels. That is a Format's part:
//
//   struct Format {
//       static constexpr std::uint32_t kInBits, kOutBits; // IPA/GPA and PA widths
//       static constexpr std::uint64_t kRootPages;         // concatenated root pages
//       static constexpr const char* kOutOfRange;          // to_string's text for it
//       static constexpr std::uint8_t level(int depth);    // the arch's level number
//       static std::uint64_t root_table(std::uint64_t root_pa);
//       static bool valid(std::uint64_t d);
//       static bool is_table(std::uint64_t d, int depth);  // of a valid descriptor
//       static bool leaf_ok(std::uint64_t d, int depth);   // a valid non-table one
//       static std::uint64_t address(std::uint64_t d);     // table or leaf output
//       static std::uint64_t table(std::uint64_t pa);
//       static std::uint64_t leaf(std::uint64_t pa, MapAttr a, int depth);
//       static void leaf_attr(std::uint64_t d, TableWalk& w); // permissions, type
//   };
//
// Depth counts from the root: 0 (1 GiB entries), 1 (2 MiB), 2 (4 KiB pages).
// Tables are real descriptors written into physical memory through the port,
// so the simulator's software TLB walks exactly what the hardware would, and
// the target's MMU can use them as they are.
#pragma once

#include <cstdint>

#include "hv/lib/bits.h"
#include "hv/lib/superpage.h"
#include "hv/port.h"

namespace hv {

// Where table pages come from: hv passes its page pool (hv's colors, from the
// top of RAM); the page-table report passes a scratch area.
struct TablePageSource {
    // `pages` contiguous zero-or-garbage pages aligned to `align` bytes.
    bool (*alloc)(void* ctx, std::uint64_t pages, std::uint64_t align, std::uint64_t& pa);
    void* ctx;
};

// RISC-V's PTEs have no memory type without Svpbmt (the platform's PMAs
// decide): there a device mapping is one that is not executable, so reports
// and the simulator read both architectures alike.
enum class MemType : std::uint8_t { Normal, Device };

struct MapAttr {
    MemType type = MemType::Normal;
    bool read = true;
    bool write = true;
    bool exec = true;
};
inline constexpr MapAttr kNormalRwx{};
inline constexpr MapAttr kDeviceRw{MemType::Device, true, true, false};

enum class MapStatus : std::uint8_t {
    Ok,
    Unaligned,   // input address, pa or size not 4 KiB aligned
    OutOfRange,  // beyond the input or output address space
    Overlap,     // part of the range is already mapped
    NoTablePages // the table page source is exhausted
};

// What a status means; `out_of_range` is the format's text for OutOfRange.
constexpr const char* describe(MapStatus s, const char* out_of_range) {
    switch (s) {
    case MapStatus::Ok:
        return "ok";
    case MapStatus::Unaligned:
        return "not 4 KiB aligned";
    case MapStatus::OutOfRange:
        return out_of_range;
    case MapStatus::Overlap:
        return "overlaps an existing mapping";
    case MapStatus::NoTablePages:
        return "out of page-table pages";
    }
    return "?";
}

// Result of translating one input address, as the MMU would: the software
// TLB caches `pa & ~(block_size - 1)` for the block, and can charge the
// walk's memory accesses from desc_pa.
struct TableWalk {
    bool valid = false;
    std::uint8_t level = 0; // the arch's number of the leaf's level, or the faulting one's
    std::uint64_t pa = 0;
    std::uint64_t block_size = 0; // 1 GiB, 2 MiB or 4 KiB
    bool read = false;
    bool write = false;
    bool exec = false;
    MemType type = MemType::Normal;
    std::uint8_t num_desc = 0;
    std::uint64_t desc_pa[3]{}; // descriptors read, root first
};

template <class Format> class SecondStage {
  public:
    static constexpr int kLeafDepth = 2; // 4 KiB pages
    // What one entry at `depth` maps: 1 GiB, 2 MiB or 4 KiB.
    static constexpr std::uint64_t block_size(int depth) { return 1ull << shift(depth); }

    // Allocates and zeroes the root.
    MapStatus init(Port& port, TablePageSource tables);

    // Maps [in, in + size) to [pa, pa + size). With allow_blocks, 1 GiB and
    // 2 MiB leaves are used wherever both addresses are aligned and enough
    // size remains (hv/lib/superpage.h); otherwise (colored VMs) every page
    // gets a 4 KiB leaf. Descriptor and table writes are accounted through
    // the port.
    MapStatus map(std::uint64_t in, std::uint64_t pa, std::uint64_t size, MapAttr attr,
                  bool allow_blocks);

    // Walks the tables rooted at root_pa. Reads descriptors through the port;
    // does not account them (the walk is the MMU's, not hv's).
    static TableWalk walk(Port& port, std::uint64_t root_pa, std::uint64_t in);

    std::uint64_t root() const { return root_; }
    // Pages of translation tables, the root's included.
    std::uint32_t table_pages() const { return table_pages_; }

  private:
    static constexpr unsigned shift(int depth) { return 30 - 9 * static_cast<unsigned>(depth); }
    // The root spans kRootPages pages: more index bits than 9.
    static constexpr std::uint64_t index(int depth, std::uint64_t in) {
        const std::uint64_t entries = depth == 0 ? Format::kRootPages * 512 : 512;
        return (in >> shift(depth)) & (entries - 1);
    }

    std::uint64_t read_desc(std::uint64_t pa);
    void write_desc(std::uint64_t pa, std::uint64_t desc);
    // The next-level table behind the descriptor at desc_pa, created if absent.
    MapStatus descend(std::uint64_t desc_pa, int depth, std::uint64_t& table_pa);

    Port* port_ = nullptr;
    TablePageSource tables_{};
    std::uint64_t root_ = 0;
    std::uint32_t table_pages_ = 0;
};

template <class Format>
TableWalk SecondStage<Format>::walk(Port& port, std::uint64_t root_pa, std::uint64_t in) {
    TableWalk w;
    w.level = Format::level(0);
    if (in >= (1ull << Format::kInBits)) {
        return w;
    }
    std::uint64_t table = Format::root_table(root_pa);
    for (int depth = 0; depth <= kLeafDepth; ++depth) {
        const std::uint64_t desc_pa = table + index(depth, in) * 8;
        std::uint64_t d = 0;
        port.mem_read(desc_pa, &d, sizeof d);
        w.desc_pa[w.num_desc++] = desc_pa;
        w.level = Format::level(depth);
        if (!Format::valid(d)) {
            return w; // translation fault at this level
        }
        if (Format::is_table(d, depth)) {
            if (depth == kLeafDepth) {
                return w; // a table pointer at the last level is a fault
            }
            table = Format::address(d);
            continue;
        }
        if (!Format::leaf_ok(d, depth)) {
            return w;
        }
        const std::uint64_t size = block_size(depth);
        w.valid = true;
        w.block_size = size;
        w.pa = (Format::address(d) & ~(size - 1)) | (in & (size - 1));
        Format::leaf_attr(d, w);
        return w;
    }
    return w;
}

template <class Format> std::uint64_t SecondStage<Format>::read_desc(std::uint64_t pa) {
    std::uint64_t d = 0;
    port_->mem_read(pa, &d, sizeof d);
    port_->account(pa, sizeof d, false);
    return d;
}

template <class Format> void SecondStage<Format>::write_desc(std::uint64_t pa, std::uint64_t desc) {
    port_->mem_write(pa, &desc, sizeof desc);
    port_->account(pa, sizeof desc, true);
}

template <class Format> MapStatus SecondStage<Format>::init(Port& port, TablePageSource tables) {
    port_ = &port;
    tables_ = tables;
    table_pages_ = 0;
    constexpr std::uint64_t bytes = Format::kRootPages * kPageSize;
    std::uint64_t pa = 0;
    if (!tables_.alloc(tables_.ctx, Format::kRootPages, bytes, pa)) {
        return MapStatus::NoTablePages;
    }
    port_->mem_zero(pa, bytes);
    port_->account(pa, bytes, true);
    root_ = pa;
    table_pages_ = Format::kRootPages;
    return MapStatus::Ok;
}

template <class Format>
MapStatus SecondStage<Format>::descend(std::uint64_t desc_pa, int depth, std::uint64_t& table_pa) {
    const std::uint64_t d = read_desc(desc_pa);
    if (Format::valid(d)) {
        if (!Format::is_table(d, depth)) {
            return MapStatus::Overlap; // a block already covers this range
        }
        table_pa = Format::address(d);
        return MapStatus::Ok;
    }
    std::uint64_t pa = 0;
    if (!tables_.alloc(tables_.ctx, 1, kPageSize, pa)) {
        return MapStatus::NoTablePages;
    }
    port_->mem_zero(pa, kPageSize);
    port_->account(pa, kPageSize, true);
    ++table_pages_;
    write_desc(desc_pa, Format::table(pa));
    table_pa = pa;
    return MapStatus::Ok;
}

template <class Format>
MapStatus SecondStage<Format>::map(std::uint64_t in, std::uint64_t pa, std::uint64_t size,
                                   MapAttr attr, bool allow_blocks) {
    if (!is_aligned(in | pa | size, kPageSize)) {
        return MapStatus::Unaligned;
    }
    constexpr std::uint64_t in_limit = 1ull << Format::kInBits;
    constexpr std::uint64_t out_limit = 1ull << Format::kOutBits;
    if (in >= in_limit || size > in_limit - in || pa >= out_limit || size > out_limit - pa) {
        return MapStatus::OutOfRange;
    }
    while (size != 0) {
        const std::uint64_t bs = leaf_size(in, pa, size, allow_blocks);
        const int leaf = bs == kSize1G ? 0 : bs == kSize2M ? 1 : kLeafDepth;
        std::uint64_t table = root_;
        for (int depth = 0; depth < leaf; ++depth) {
            const MapStatus s = descend(table + index(depth, in) * 8, depth, table);
            if (s != MapStatus::Ok) {
                return s;
            }
        }
        const std::uint64_t desc_pa = table + index(leaf, in) * 8;
        if (Format::valid(read_desc(desc_pa))) {
            return MapStatus::Overlap;
        }
        write_desc(desc_pa, Format::leaf(pa, attr, leaf));
        in += bs;
        pa += bs;
        size -= bs;
    }
    return MapStatus::Ok;
}

} // namespace hv

// hv's EL2 stage-1 tables (mmu.h). bao_hv_mmu_build runs on CPU 0 with the
// MMU off, where every data access is Device-nGnRnE and must be aligned: this
// file alone is compiled with -mstrict-align (CMakeLists.txt), touches memory
// only through aligned 8-byte volatile accesses, and calls no library code
// (no memcpy, no formatter) before the MMU is on.
//
// The layout: a 39-bit VA space (TCR_EL2.T0SZ = 25) walked from level 1 with
// 4 KiB pages; 1 GiB and 2 MiB blocks where a range allows them, 4 KiB pages
// for hv's image and the device frames. VA = PA everywhere except, when hv
// is colored, its image, whose pages live on hv's colors.
#include "hv/arch/armv8/target/mmu.h"

#include "hv/arch/armv8/psci.h"
#include "hv/arch/armv8/target/cpu.h"
#include "hv/arch/armv8/target/image_config.h"

extern "C" char __hv_image_start[], __hv_text_end[], __hv_loaded_end[], __bss_start[], __bss_end[],
    __hv_image_end[];

// In .data, not .bss: CPU 0 writes it before it clears the .bss it copies.
std::uint64_t bao_hv_el2_ttbr = 1;

namespace hv::target {
namespace {

constexpr std::uint32_t kVaBits = 39; // start.S: TCR_EL2.T0SZ = 64 - 39
constexpr std::uint64_t kVaLimit = 1ull << kVaBits;
constexpr std::uint64_t kEntries = 512;
// Root, a level-2 table per GiB that is not one block (devices, hyp.region,
// RAM edges) and a level-3 table per 2 MiB that is not one block: QEMU virt
// uses 6; a platform that needs more gets the message below.
constexpr std::uint32_t kTables = 8;

// Descriptors (Arm ARM D8.3; EL2's single-range regime: AP[1] and bit 53 RES0).
constexpr std::uint64_t kDescValid = 1;
constexpr std::uint64_t kDescTable = 3; // levels 1-2; a level-3 page has the same bits
constexpr std::uint64_t kDescBlock = 1;
constexpr std::uint64_t kAttrDevice = 0ull << 2; // MAIR_EL2 attr0: Device-nGnRnE
constexpr std::uint64_t kAttrNormal = 1ull << 2; // MAIR_EL2 attr1: Normal Write-Back
constexpr std::uint64_t kApReadOnly = 1ull << 7;
constexpr std::uint64_t kShInner = 3ull << 8;
constexpr std::uint64_t kAf = 1ull << 10;
constexpr std::uint64_t kXn = 1ull << 54;
constexpr std::uint64_t kAddrMask = 0x0000'ffff'ffff'f000ull;

constexpr std::uint64_t kCode = kAttrNormal | kShInner | kAf | kApReadOnly;
constexpr std::uint64_t kData = kAttrNormal | kShInner | kAf | kXn;
constexpr std::uint64_t kDevice = kAttrDevice | kAf | kXn;

alignas(kPageSize) std::uint64_t g_tables[kTables][kEntries];

std::uint64_t addr(const void* p) {
    return reinterpret_cast<std::uint64_t>(p);
}

// ---- The console and the firmware, by PA: all there is before the MMU. ----

void early_puts(const char* s) {
    const std::uint64_t uart = kConfig.platform.console_pa;
    for (; *s != '\0'; ++s) {
        while ((*reinterpret_cast<volatile std::uint32_t*>(uart + 0x18) & (1u << 5)) != 0) {
        }
        *reinterpret_cast<volatile std::uint32_t*>(uart) = static_cast<std::uint8_t>(*s);
    }
}

void early_hex(std::uint64_t v) {
    char buf[19] = "0x";
    for (int i = 0; i < 16; ++i) {
        const unsigned d = (v >> (60 - 4 * i)) & 0xf;
        buf[2 + i] = static_cast<char>(d < 10 ? '0' + d : 'a' + d - 10);
    }
    buf[18] = '\0';
    early_puts(buf);
}

[[noreturn]] void early_panic(const char* what, std::uint64_t a, const char* also,
                              std::uint64_t b) {
    early_puts("bao-hv: PANIC on cpu 0: EL2 MMU: ");
    early_puts(what);
    early_hex(a);
    early_puts(also);
    early_hex(b);
    early_puts("\n");
    smc(armv8::psci::SYSTEM_OFF, 0, 0, 0);
    for (;;) {
        wfi();
    }
}

void zero(std::uint64_t pa, std::uint64_t len) {
    auto* d = reinterpret_cast<volatile std::uint64_t*>(pa);
    for (std::uint64_t i = 0; i < len / 8; ++i) {
        d[i] = 0;
    }
}

void copy(std::uint64_t dst, std::uint64_t src, std::uint64_t len) {
    auto* d = reinterpret_cast<volatile std::uint64_t*>(dst);
    const auto* s = reinterpret_cast<const volatile std::uint64_t*>(src);
    for (std::uint64_t i = 0; i < len / 8; ++i) {
        d[i] = s[i];
    }
}

// Where hv's image lives physically: at its link address, or (colored) page
// by page on the pages of hyp.colors in hyp.region after the loaded image,
// lowest first. The simulator's model puts hv's text on its colors' pages of
// hyp.region the same way (sim/hv_host.cpp).
class ImageHome {
  public:
    explicit ImageHome(const Config& cfg)
        : colors_(cfg.hyp.colors), num_colors_(cfg.platform.l2.num_colors()),
          first_(page_up(addr(__hv_image_end))), end_(cfg.hyp.region.base + cfg.hyp.region.size) {}

    bool colored() const { return colors_ != 0; }
    std::uint64_t pages() const {
        return (addr(__hv_image_end) - addr(__hv_image_start)) >> kPageShift;
    }

    // Pages of hv's colors between the loaded image and hyp.region's end.
    std::uint64_t available() const {
        std::uint64_t n = 0;
        for (std::uint64_t pa = first_; pa < end_; pa += kPageSize) {
            n += color_ok(pa) ? 1 : 0;
        }
        return n;
    }

    // The PA of the image's byte at `va` (an address inside the image).
    std::uint64_t pa_of(std::uint64_t va) const {
        if (!colored()) {
            return va;
        }
        std::uint64_t left = (va - addr(__hv_image_start)) >> kPageShift;
        std::uint64_t pa = first_;
        for (;; pa += kPageSize) {
            if (color_ok(pa) && left-- == 0) {
                return pa + (va & (kPageSize - 1));
            }
        }
    }

  private:
    static std::uint64_t page_up(std::uint64_t a) { return (a + kPageSize - 1) & ~(kPageSize - 1); }
    bool color_ok(std::uint64_t pa) const {
        return ((colors_ >> ((pa >> kPageShift) % num_colors_)) & 1) != 0;
    }

    std::uint64_t colors_;
    std::uint32_t num_colors_;
    std::uint64_t first_;
    std::uint64_t end_;
};

// Fills the tables (at their PAs: the MMU is off) from level 1 down.
class TableBuilder {
  public:
    explicit TableBuilder(const ImageHome& home) : home_(home) { root_ = table_pa(alloc()); }

    std::uint64_t root() const { return root_; }

    // Maps [va, va + size) to [pa, ...), with blocks where both are aligned
    // to them and pages elsewhere.
    void map(std::uint64_t va, std::uint64_t pa, std::uint64_t size, std::uint64_t attrs) {
        if (va + size > kVaLimit || va + size < va) {
            early_panic("beyond the 39-bit VA space: ", va, " + ", size);
        }
        while (size != 0) {
            const std::uint64_t step = map_one(va, pa, size, attrs);
            va += step;
            pa += step;
            size -= step;
        }
    }

  private:
    std::uint32_t alloc() {
        if (used_ == kTables) {
            early_panic("out of table pages (kTables in mmu.cpp): ", kTables,
                        ", hv's image ends at ", addr(__hv_image_end));
        }
        return used_++;
    }
    std::uint64_t table_pa(std::uint32_t n) const { return home_.pa_of(addr(g_tables[n])); }

    // One block or page at the deepest level it needs; returns its size.
    std::uint64_t map_one(std::uint64_t va, std::uint64_t pa, std::uint64_t size,
                          std::uint64_t attrs) {
        std::uint64_t table = root_;
        for (std::uint32_t level = 1;; ++level) {
            const std::uint32_t shift = 39 - 9 * level; // 30, 21, 12
            const std::uint64_t block = 1ull << shift;
            auto* slot =
                reinterpret_cast<volatile std::uint64_t*>(table) + ((va >> shift) & (kEntries - 1));
            const std::uint64_t d = *slot;
            if (level == 3) {
                if ((d & kDescValid) != 0) {
                    early_panic("page mapped twice: VA ", va, " to PA ", pa);
                }
                *slot = (pa & kAddrMask) | attrs | kDescTable;
                return kPageSize;
            }
            if ((d & kDescValid) == 0 && ((va | pa) & (block - 1)) == 0 && size >= block) {
                *slot = (pa & kAddrMask) | attrs | kDescBlock;
                return block;
            }
            if ((d & kDescValid) == 0) {
                *slot = table_pa(alloc()) | kDescTable;
            } else if ((d & 3) != kDescTable) {
                early_panic("block mapped twice: VA ", va, " to PA ", pa);
            }
            table = *slot & kAddrMask;
        }
    }

    const ImageHome& home_;
    std::uint32_t used_ = 0;
    std::uint64_t root_ = 0;
};

// CPU 0's copy of its image onto hv's colors: the loaded part as QEMU put it
// (code, data, embedded guests); the rest (.bss, tables, stacks) is cleared
// below, as on the uncolored path.
void place_image(const ImageHome& home) {
    const std::uint64_t start = addr(__hv_image_start);
    if (home.colored()) {
        const std::uint64_t have = home.available();
        if (have < home.pages()) {
            early_panic("hyp.colors: hyp.region has too few pages of hv's colors after the image: ",
                        have, " for the image's ", home.pages());
        }
        for (std::uint64_t va = start; va < addr(__hv_loaded_end); va += kPageSize) {
            copy(home.pa_of(va), va, kPageSize);
        }
    }
    // .bss holds the tables: page by page, since its home need not be contiguous.
    for (std::uint64_t va = addr(__bss_start); va < addr(__bss_end);) {
        const std::uint64_t next = (va | (kPageSize - 1)) + 1;
        const std::uint64_t end = next < addr(__bss_end) ? next : addr(__bss_end);
        zero(home.pa_of(va), end - va);
        va = end;
    }
}

// RAM outside hyp.region (hv's page pool and the VMs' memory).
void map_ram(TableBuilder& t, const Config& cfg) {
    const std::uint64_t h0 = cfg.hyp.region.base;
    const std::uint64_t h1 = h0 + cfg.hyp.region.size;
    for (const MemRange& r : cfg.platform.ram) {
        const std::uint64_t r1 = r.base + r.size;
        if (r.base < h0) {
            t.map(r.base, r.base, (r1 < h0 ? r1 : h0) - r.base, kData);
        }
        if (r1 > h1) {
            const std::uint64_t b = r.base > h1 ? r.base : h1;
            t.map(b, b, r1 - b, kData);
        }
    }
}

void map_devices(TableBuilder& t, const Config& cfg) {
    const GicAddrs& gic = cfg.platform.gic;
    if (gic.version == GicVersion::V3) {
        t.map(gic.gicd, gic.gicd, kGicv3DistSize, kDevice);
        t.map(gic.gicr, gic.gicr, gic.gicr_stride * cfg.platform.cpu_num, kDevice);
    } else {
        t.map(gic.gicd, gic.gicd, kGicdFrameSize, kDevice);
        t.map(gic.gicc, gic.gicc, kGiccFrameSize, kDevice);
        t.map(gic.gich, gic.gich, kGichFrameSize, kDevice);
    }
    t.map(cfg.platform.console_pa, cfg.platform.console_pa, kPageSize, kDevice);
}

// The freshly written image and tables must not be shadowed by stale lines
// once the caches are on (start.S invalidates the I-cache).
void invalidate_dcache(const ImageHome& home) {
    const std::uint64_t line = 4ull << ((BAO_MRS(ctr_el0) >> 16) & 0xf);
    for (std::uint64_t va = addr(__hv_image_start); va < addr(__hv_image_end); va += kPageSize) {
        const std::uint64_t pa = home.pa_of(va);
        for (std::uint64_t a = pa; a < pa + kPageSize; a += line) {
            __asm__ volatile("dc ivac, %0" ::"r"(a) : "memory");
        }
    }
    dsb_sy();
}

} // namespace

void El2PageTally::add(const Config& cfg, std::uint64_t va) {
    ++pages;
    __asm__ volatile("at s1e2r, %0" ::"r"(va) : "memory");
    isb();
    const std::uint64_t par = BAO_MRS(par_el1);
    if ((par & 1) != 0) {
        ++unmapped;
        return;
    }
    const std::uint64_t pa = par & kAddrMask;
    const std::uint32_t color = cfg.platform.l2.color_of(pa);
    identity += pa == (va & ~(kPageSize - 1)) ? 1 : 0;
    colors |= 1ull << color;
    off_colors += cfg.hyp.colors != 0 && ((cfg.hyp.colors >> color) & 1) == 0 ? 1 : 0;
}

El2MapSummary summarize_el2_map(const Config& cfg) {
    El2MapSummary s;
    s.va_start = addr(__hv_image_start);
    s.va_end = addr(__hv_image_end);
    constexpr std::uint64_t kMCI = (1u << 0) | (1u << 2) | (1u << 12);
    s.mmu_and_caches_on = (BAO_MRS(sctlr_el2) & kMCI) == kMCI;
    for (std::uint64_t va = s.va_start; va < s.va_end; va += kPageSize) {
        s.image.add(cfg, va);
    }
    return s;
}

} // namespace hv::target

using namespace hv;
using namespace hv::target;

extern "C" void bao_hv_mmu_build() {
    const ImageHome home(kConfig);
    place_image(home);
    TableBuilder t(home);
    const std::uint64_t start = addr(__hv_image_start);
    const std::uint64_t text_end = (addr(__hv_text_end) + kPageSize - 1) & ~(kPageSize - 1);
    for (std::uint64_t va = start; va < addr(__hv_image_end); va += kPageSize) {
        t.map(va, home.pa_of(va), kPageSize, va < text_end ? kCode : kData);
    }
    map_ram(t, kConfig);
    map_devices(t, kConfig);
    // Into the loaded image (the secondaries read it with their MMU off) and,
    // colored, into hv's copy as well, which CPU 0 reads once its MMU is on.
    bao_hv_el2_ttbr = t.root();
    if (home.colored()) {
        *reinterpret_cast<volatile std::uint64_t*>(home.pa_of(addr(&bao_hv_el2_ttbr))) = t.root();
    }
    invalidate_dcache(home);
}

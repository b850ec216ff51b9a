#include "sim/cpu/stage1_walk.h"

#include "sim/cpu/arm64_sysregs.h"

namespace sim::cpu {
namespace {

constexpr uint64_t out_mask = 0x0000'ffff'ffff'f000ull; // descriptor address bits [47:12]

// Descriptor fields (Arm ARM D8.3).
constexpr uint64_t desc_valid = 1ull << 0;
constexpr uint64_t desc_table = 1ull << 1; // at levels 0-2: table; at level 3: page
constexpr uint64_t desc_ap1 = 1ull << 6;   // EL0 access
constexpr uint64_t desc_ap2 = 1ull << 7;   // read-only
constexpr uint64_t desc_af = 1ull << 10;
constexpr uint64_t desc_ng = 1ull << 11;
constexpr uint64_t desc_pxn = 1ull << 53;
constexpr uint64_t desc_uxn = 1ull << 54;
constexpr uint64_t table_pxn = 1ull << 59;
constexpr uint64_t table_uxn = 1ull << 60;
constexpr uint64_t table_ap0 = 1ull << 61; // no EL0 access below
constexpr uint64_t table_ap1 = 1ull << 62; // no write below

struct Half {
    unsigned tsz;
    bool disabled;
    bool granule_4k;
    uint64_t ttbr;
};

// The TTBR half that `va` selects, or nothing if its top bits are neither
// all zeros nor all ones.
bool select_half(const Stage1Regs& r, uint64_t va, Half& h) {
    const unsigned t0sz = r.tcr & 0x3f, t1sz = (r.tcr >> 16) & 0x3f;
    const unsigned top0 = 64 - t0sz, top1 = 64 - t1sz;
    if (top0 >= 64 || (va >> top0) == 0) {
        h = {t0sz, ((r.tcr >> 7) & 1) != 0, ((r.tcr >> 14) & 3) == 0, r.ttbr0};
        return true;
    }
    if (top1 < 64 && (va >> top1) == (~0ull >> top1)) {
        h = {t1sz, ((r.tcr >> 23) & 1) != 0, ((r.tcr >> 30) & 3) == 2, r.ttbr1};
        return true;
    }
    return false;
}

bool permitted(uint64_t leaf, uint64_t table_bits, Stage1Access access, bool el0, bool wxn) {
    const bool el0_access = (leaf & desc_ap1) && !(table_bits & table_ap0);
    const bool read_only = (leaf & desc_ap2) || (table_bits & table_ap1);
    // Data access at EL0 needs AP[1]; an EL0 fetch only UXN (ARMv8.0 allows
    // execute-only memory at EL0).
    if (el0 && !el0_access && access != Stage1Access::fetch)
        return false;
    switch (access) {
    case Stage1Access::read:
        return true;
    case Stage1Access::write:
        return !read_only;
    case Stage1Access::fetch:
        if (wxn && !read_only)
            return false;
        if (el0)
            return !(leaf & desc_uxn) && !(table_bits & table_uxn);
        // EL1 never executes what EL0 may write (Arm ARM D8.4.2).
        return !(leaf & desc_pxn) && !(table_bits & table_pxn) && !(el0_access && !read_only);
    }
    return false;
}

// The A53's physical address size (ID_AA64MMFR0_EL1.PARange = 40 bits, as
// Unicorn's cortex-a53 reports it).
constexpr unsigned physical_address_bits = 40;

// With the MMU off (AArch64.TranslateAddressS1Off): whether `va` has no bit
// set above the physical address size, below the top byte if TBI applies.
bool fits_physical_address_size(const Stage1Regs& regs, uint64_t va, Stage1Access access) {
    const bool upper = (va >> 55) & 1;
    // TCR_EL1.TBI0/TBI1 (bits 37, 38); TBID0/TBID1 (51, 52) keep fetches out of it.
    bool tbi = (regs.tcr >> (upper ? 38 : 37)) & 1;
    if (access == Stage1Access::fetch && ((regs.tcr >> (upper ? 52 : 51)) & 1))
        tbi = false;
    const uint64_t below_top = tbi ? (1ull << 56) - 1 : ~0ull;
    return (va & below_top) >> physical_address_bits == 0;
}

} // namespace

uint32_t Stage1Walk::status_code() const {
    switch (fault) {
    case Fault::address_size:
        return 0x00 | level;
    case Fault::translation:
        return 0x04 | level;
    case Fault::access_flag:
        return 0x08 | level;
    case Fault::permission:
        return 0x0c | level;
    case Fault::none:
        break;
    }
    return 0;
}

Stage1Walk stage1_walk(const Stage1Regs& regs, uint64_t va, Stage1Access access, bool el0,
                       const DescriptorReader& reader) {
    Stage1Walk w;
    if (!(regs.sctlr & sctlr_m)) {
        w.out = va;
        if (!fits_physical_address_size(regs, va, access))
            w.fault = Stage1Walk::Fault::address_size; // level 0
        return w;
    }
    w.mmu_on = true;
    Half h{};
    if (!select_half(regs, va, h) || h.disabled) {
        w.fault = Stage1Walk::Fault::translation;
        return w;
    }
    if (!h.granule_4k || h.tsz < 16 || h.tsz > 39) {
        w.unsupported = !h.granule_4k;
        w.fault = Stage1Walk::Fault::translation;
        return w;
    }
    // Each level resolves 9 bits above the 12-bit page offset; the first one
    // resolves what remains of the input size.
    const unsigned ia_bits = 64 - h.tsz;
    const unsigned start = 4 - (ia_bits - 12 + 8) / 9;
    // BADDR: a first table smaller than a page is aligned to its size only (bit 0 is CnP).
    uint64_t table = h.ttbr & 0x0000'ffff'ffff'fffeull;
    uint64_t table_bits = 0;
    for (unsigned level = start;; ++level) {
        const unsigned shift = 12 + 9 * (3 - level);
        const unsigned bits = level == start ? ia_bits - shift : 9;
        const uint64_t index = (va >> shift) & ((1ull << bits) - 1);
        const uint64_t at = table + index * 8;
        uint64_t desc = 0;
        w.level = level;
        w.desc_ipa[w.num_desc++] = at;
        if (!reader.read || !reader.read(reader.ctx, at, desc)) {
            w.fault = Stage1Walk::Fault::translation;
            w.table_unbacked = reader.read != nullptr;
            return w;
        }
        if (!(desc & desc_valid)) {
            w.fault = Stage1Walk::Fault::translation;
            return w;
        }
        const bool is_table = (desc & desc_table) != 0;
        if (level < 3 && is_table) {
            table_bits |= desc & (table_pxn | table_uxn | table_ap0 | table_ap1);
            table = desc & out_mask;
            continue;
        }
        // A block at level 0, or a "block" encoding at level 3, is invalid.
        if (level == 0 || (level == 3 && !is_table)) {
            w.fault = Stage1Walk::Fault::translation;
            return w;
        }
        if (!(desc & desc_af)) {
            w.fault = Stage1Walk::Fault::access_flag;
            return w;
        }
        if (!permitted(desc, table_bits, access, el0, (regs.sctlr & sctlr_wxn) != 0)) {
            w.fault = Stage1Walk::Fault::permission;
            return w;
        }
        w.global = (desc & desc_ng) == 0;
        w.block_size = 1ull << shift;
        w.out = (desc & out_mask & ~(w.block_size - 1)) | (va & (w.block_size - 1));
        return w;
    }
}

} // namespace sim::cpu

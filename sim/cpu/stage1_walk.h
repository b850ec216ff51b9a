// A guest's own stage-1 translation (AArch64 EL1&0 regime, 4 KiB granule),
// walked the way the hardware walks it: which fault an access takes (DFSC /
// IFSC for ESR_EL1) and, when it translates, the output address. Plain and
// reusable: it knows nothing of Unicorn, reads descriptors through a callback
// (they live in the guest's IPA space), and reports each descriptor it read
// so a TLB model can charge them.
#pragma once

#include <cstdint>

namespace sim::cpu {

// The registers that define the regime (as the guest programmed them).
struct Stage1Regs {
    uint64_t sctlr = 0; // SCTLR_EL1: M (bit 0) enables it, WXN (bit 19)
    uint64_t tcr = 0;   // TCR_EL1: T0SZ, EPD0, TG0, T1SZ, EPD1, TG1
    uint64_t ttbr0 = 0;
    uint64_t ttbr1 = 0;
};

enum class Stage1Access { read, write, fetch };

// Reads the 8-byte descriptor at `ipa`; false if no memory backs it.
struct DescriptorReader {
    bool (*read)(void* ctx, uint64_t ipa, uint64_t& desc) = nullptr;
    void* ctx = nullptr;
};

struct Stage1Walk {
    enum class Fault { none, address_size, translation, access_flag, permission };
    Fault fault = Fault::none;
    unsigned level = 0;      // of the leaf, or of the descriptor that faulted
    uint64_t out = 0;        // output address (IPA) when fault == none
    uint64_t block_size = 0; // 1 GiB, 2 MiB or 4 KiB (0 with the MMU off)
    bool mmu_on = false;
    bool global = true;       // the leaf's nG bit is clear: the entry matches every ASID
    bool unsupported = false; // a granule other than 4 KiB: reported as a level-0 translation fault
    // A descriptor's address the reader found nothing at (the last of
    // desc_ipa): reported as a translation fault at its level; hardware's
    // stage 2 takes it to EL2 instead (an abort on the walk, S1PTW).
    bool table_unbacked = false;
    unsigned num_desc = 0;
    uint64_t desc_ipa[4]{}; // descriptors read, root first

    // The fault status code of ESR_EL1.ISS (DFSC / IFSC), Arm ARM D17.2.40.
    uint32_t status_code() const;
};

// Walks `va` for an access at EL0 (`el0`) or EL1. With SCTLR_EL1.M clear the
// address is its own translation, or a level-0 address size fault when it
// does not fit the A53's 40-bit physical address size (mmu_on stays false
// either way).
Stage1Walk stage1_walk(const Stage1Regs& regs, uint64_t va, Stage1Access access, bool el0,
                       const DescriptorReader& reader);

// The ASID the regime's lookups use: TCR_EL1.A1 picks TTBR1's or TTBR0's,
// TCR_EL1.AS 16 bits or 8.
inline uint16_t stage1_asid(const Stage1Regs& regs) {
    const uint64_t ttbr = (regs.tcr >> 22) & 1 ? regs.ttbr1 : regs.ttbr0;
    const uint64_t asid = ttbr >> 48;
    return static_cast<uint16_t>((regs.tcr >> 36) & 1 ? asid : asid & 0xff);
}

// Status codes that do not come from a walk.
inline constexpr uint32_t fsc_alignment = 0x21;

} // namespace sim::cpu

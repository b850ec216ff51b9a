// AArch64 system-register encodings as the core's MRS/MSR hooks report them
// to the exit handler (op0:op1:CRn:CRm:op2, the MRS instruction's bits
// [20:5]), and the registers the simulator answers itself.
#pragma once

#include <cstdint>

namespace sim::cpu {

// Encodes op0:op1:CRn:CRm:op2 as in the MRS instruction's bits [20:5].
constexpr uint32_t sysreg_encoding(uint32_t op0, uint32_t op1, uint32_t crn, uint32_t crm,
                                   uint32_t op2) {
    return (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}
namespace sysreg {
inline constexpr uint32_t mpidr_el1 = sysreg_encoding(3, 0, 0, 0, 5);
inline constexpr uint32_t cntfrq_el0 = sysreg_encoding(3, 3, 14, 0, 0);
inline constexpr uint32_t cntpct_el0 = sysreg_encoding(3, 3, 14, 0, 1);
inline constexpr uint32_t cntvct_el0 = sysreg_encoding(3, 3, 14, 0, 2);
inline constexpr uint32_t cntp_tval_el0 = sysreg_encoding(3, 3, 14, 2, 0);
inline constexpr uint32_t cntp_ctl_el0 = sysreg_encoding(3, 3, 14, 2, 1);
inline constexpr uint32_t cntp_cval_el0 = sysreg_encoding(3, 3, 14, 2, 2);
inline constexpr uint32_t cntv_tval_el0 = sysreg_encoding(3, 3, 14, 3, 0);
inline constexpr uint32_t cntv_ctl_el0 = sysreg_encoding(3, 3, 14, 3, 1);
inline constexpr uint32_t cntv_cval_el0 = sysreg_encoding(3, 3, 14, 3, 2);
inline constexpr uint32_t dczid_el0 = sysreg_encoding(3, 3, 0, 0, 7);
// A write to it traps to EL2 while a hypervisor owns the IRQ (HCR_EL2.IMO).
inline constexpr uint32_t icc_sgi1r_el1 = sysreg_encoding(3, 0, 12, 11, 5);
} // namespace sysreg

// The GICv3 CPU interface's system registers (ICC_*_EL1/EL2/EL3, ICH_*_EL2):
// Unicorn 2.0.1 knows none of them, so a hooked MRS/MSR of one must move the
// PC past the instruction itself (unicorn-notes.md).
constexpr bool gic_cpu_interface_register(uint32_t encoding) {
    const uint32_t op0 = encoding >> 14, op1 = encoding >> 11 & 7, crn = encoding >> 7 & 0xf,
                   crm = encoding >> 3 & 0xf;
    if (encoding == sysreg_encoding(3, 0, 4, 6, 0)) // ICC_PMR_EL1
        return true;
    if (op0 != 3 || crn != 12)
        return false;
    return ((op1 == 0 || op1 == 4) && crm >= 8) || (op1 == 6 && crm == 12);
}

// DCZID_EL0 as the core presents it: DZP set (DC ZVA prohibited), 64-byte
// blocks. Unicorn 2.0.1's DC ZVA to a virtual address no region covers
// crashes the host (unicorn-notes.md); with DZP set Linux's memset and
// clear_page never issue it.
inline constexpr uint64_t dczid_el0_prohibited = 0x14;

// SCTLR_EL1's bits the core reads: M (stage 1 on), A (alignment checks),
// SA and SA0 (SP alignment checks at EL1, EL0), WXN (writable means
// execute-never).
inline constexpr uint64_t sctlr_m = 1ull << 0;
inline constexpr uint64_t sctlr_a = 1ull << 1;
inline constexpr uint64_t sctlr_sa = 1ull << 3;
inline constexpr uint64_t sctlr_sa0 = 1ull << 4;
inline constexpr uint64_t sctlr_wxn = 1ull << 19;

// TLBI <op>E1{IS} at EL1 (Arm ARM C5.5): CRm = 3 inner shareable, 7 this PE
// only (1, the v8.4 outer-shareable forms, treated as inner shareable); op2
// the operation.
inline constexpr uint32_t tlbi_crm_is = 3, tlbi_crm_os = 1, tlbi_crm_local = 7;
enum TlbiOp : uint32_t {
    vmalle1 = 0, // everything of this VM at EL1&0
    vae1 = 1,    // by VA, this ASID and global entries
    aside1 = 2,  // by ASID, non-global entries
    vaae1 = 3,   // by VA, every ASID
    vale1 = 5,   // by VA, last level (modeled as vae1)
    vaale1 = 7,  // by VA, every ASID, last level (modeled as vaae1)
};

// The TLBI operand: VA[55:12] in bits [43:0] (sign-extended from bit 55, so
// TTBR1 addresses come back whole), the ASID in bits [63:48].
inline uint64_t tlbi_va(uint64_t operand) {
    return static_cast<uint64_t>(static_cast<int64_t>(operand << 20) >> 8);
}
// A TLBI that names one VA (its operand's): the others name an ASID,
// everything, or (the v8.4 RVA forms, CRm 2, 5 and 6) a range.
inline bool tlbi_by_va(uint32_t crm, uint32_t op2) {
    return (crm == tlbi_crm_is || crm == tlbi_crm_os || crm == tlbi_crm_local) &&
           (op2 == vae1 || op2 == vaae1 || op2 == vale1 || op2 == vaale1);
}

} // namespace sim::cpu

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
// The PMU's EL0 control: kept by the machine's PMU (sim/pmu.cpp), read by the
// core to decide EL0 accesses (arm64_el0_access.cpp).
inline constexpr uint32_t pmuserenr_el0 = sysreg_encoding(3, 3, 9, 14, 0);
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
// DC ZVA's block: DCZID_EL0.BS words (4: 64 bytes, a cache line).
inline constexpr uint64_t dc_zva_block_bytes = 4u << (dczid_el0_prohibited & 0xf);

// SCTLR_EL1's bits the core reads: M (stage 1 on), A (alignment checks),
// SA and SA0 (SP alignment checks at EL1, EL0), WXN (writable means
// execute-never).
inline constexpr uint64_t sctlr_m = 1ull << 0;
inline constexpr uint64_t sctlr_a = 1ull << 1;
inline constexpr uint64_t sctlr_sa = 1ull << 3;
inline constexpr uint64_t sctlr_sa0 = 1ull << 4;
inline constexpr uint64_t sctlr_wxn = 1ull << 19;

} // namespace sim::cpu

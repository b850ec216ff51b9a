// The AArch64 syndrome a trap to EL2 carries (Arm ARM D17.2.37, ESR_ELx;
// D17.2.64, HPFAR_EL2), as the core builds it for its exits. sim/cpu's own
// copy of the architecture's encodings: hv's decoder (hv/arch/armv8) reads
// the same fields, and a test checks that the two agree.
#pragma once

#include <cstdint>

namespace sim::cpu::arm64 {

// ESR_EL2.EC of the exits the core reports.
namespace ec {
inline constexpr uint32_t unknown = 0x00;
inline constexpr uint32_t wfx = 0x01;
inline constexpr uint32_t hvc64 = 0x16;
inline constexpr uint32_t smc64 = 0x17;
inline constexpr uint32_t sys_reg = 0x18;
inline constexpr uint32_t inst_abort_lower = 0x20;
inline constexpr uint32_t data_abort_lower = 0x24;
} // namespace ec

// Fault status code of a stage-2 abort the core reports: a translation
// fault at level 3 (hv does not distinguish levels).
inline constexpr uint32_t fsc_translation_l3 = 0x07;

// ISS of a trapped MSR/MRS/SYS (EC 0x18): op0, op1, CRn, CRm, op2, Rt and
// the direction (`is_read` for MRS/SYSL).
constexpr uint32_t sys_insn_iss(uint32_t op0, uint32_t op1, uint32_t crn, uint32_t crm,
                                uint32_t op2, uint32_t rt, bool is_read) {
    return ((op0 & 3) << 20) | ((op2 & 7) << 17) | ((op1 & 7) << 14) | ((crn & 0xf) << 10) |
           ((rt & 0x1f) << 5) | ((crm & 0xf) << 1) | (is_read ? 1u : 0u);
}

// HPFAR_EL2 for the faulting IPA: FIPA[47:12] in bits [43:4].
constexpr uint64_t hpfar(uint64_t ipa) {
    return (ipa >> 12) << 4;
}

// ISS of a data abort taken to EL2 for the access `insn` made (Arm ARM
// D17.2.40, "ISS encoding for an exception from a Data Abort"): WnR from the
// access and DFSC = fsc_translation_l3 always; ISV and the instruction
// syndrome (SAS, SSE, SRT, SF, AR) only where the architecture gives them
// at stage 2, for a load or store of a single general-purpose register
// without writeback, exclusives excluded (pairs, SIMD&FP registers,
// writeback forms, exclusives and atomics report ISV = 0).
uint32_t data_abort_iss(uint32_t insn, bool is_write);

// LDTR*/STTR* (load/store register, unprivileged): at EL1 their
// permissions are checked as EL0's (Arm ARM C6.2, "LDTR"; no FEAT_UAO here).
constexpr bool unprivileged_access(uint32_t insn) {
    return (insn & 0x3f200c00) == 0x38000800;
}

// ISS of an instruction abort taken to EL2 (IFSC only).
constexpr uint32_t inst_abort_iss() {
    return fsc_translation_l3;
}

// ISS of a stage-2 abort on the stage-1 translation table walk of an access
// (a data or instruction abort with S1PTW, bit 7): no instruction syndrome,
// WnR 0 (the walk reads), FSC translation level 3.
constexpr uint32_t walk_abort_iss() {
    return 1u << 7 | fsc_translation_l3;
}

// ISS of a stage-2 abort of an address translation instruction (AT S1E1*,
// S1E0* at EL1: on its stage-1 walk, `walk`) or a data cache instruction by
// VA (on its walk or on the IPA): CM (bit 8: "a synchronous fault on the
// execution of ... a cache maintenance or address translation instruction")
// and WnR 1, which the architecture gives every such fault, S1PTW for a walk.
constexpr uint32_t maintenance_abort_iss(bool walk) {
    return 1u << 8 | (walk ? 1u << 7 : 0u) | 1u << 6 | fsc_translation_l3;
}

// AT (SYS with CRn 7, CRm 8 or 9), whatever its op1 and op2.
constexpr bool address_translation(uint32_t insn) {
    return (insn & 0xfff8fe00) == 0xd5087800;
}

// DC by VA (op0 1, CRn 7, op2 1): IVAC (op1 0, CRm 6); CVAC, CVAU, CVAP,
// CVADP, CIVAC (op1 3, CRm 10 to 14). ZVA (CRm 4) translates in Unicorn.
constexpr bool data_cache_by_va(uint32_t op0, uint32_t op1, uint32_t crn, uint32_t crm,
                                uint32_t op2) {
    return op0 == 1 && crn == 7 && op2 == 1 &&
           ((op1 == 0 && crm == 6) || (op1 == 3 && crm >= 10 && crm <= 14));
}

} // namespace sim::cpu::arm64

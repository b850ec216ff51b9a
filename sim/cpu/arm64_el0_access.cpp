// Which of the registers the machine emulates (the generic timers, the GICv3
// CPU interface, the PMU) an MRS or MSR at EL0 may reach (Arm ARM D13.8,
// D13.11, D17.5). The hooks see every such access before Unicorn checks it,
// so without this a process could write the kernel's timer or its ICC_*
// registers (a random process in a Linux VM stopped the kernel's tick). A
// refused access goes on to Unicorn, which knows none of these registers'
// EL0 controls as the machine keeps them and makes the access UNDEFINED.
#include "sim/cpu/arm64_core.h"
#include "sim/cpu/arm64_syndrome.h"
#include "sim/cpu/arm64_sysregs.h"

namespace sim::cpu {
namespace {

constexpr uint32_t pmuserenr_el0 = sysreg_encoding(3, 3, 9, 14, 0);

// CNTKCTL_EL1 and PMUSERENR_EL0 bits.
constexpr uint64_t el0pcten = 1u << 0, el0vcten = 1u << 1, el0vten = 1u << 8, el0pten = 1u << 9;
constexpr uint64_t pmu_en = 1u << 0, pmu_sw = 1u << 1, pmu_cr = 1u << 2, pmu_er = 1u << 3;

} // namespace

bool Arm64Core::el0_controlled(uint32_t op1, uint32_t crn, uint32_t crm) {
    return op1 == 3 && ((crn == 14 && (crm <= 3 || crm >= 8)) || (crn == 9 && crm >= 12));
}

void Arm64Core::classify_el0_sysreg_trap(uint32_t insn, GuestException& e) {
    if ((insn & 0xffd00000) != 0xd5100000) // MRS or MSR (register), op0 2 or 3
        return;
    const uint32_t op1 = (insn >> 16) & 7, crn = (insn >> 12) & 0xf, crm = (insn >> 8) & 0xf;
    if (!el0_controlled(op1, crn, crm))
        return;
    e.ec = el1_ec::sys_reg;
    e.iss = arm64::sys_insn_iss(2 + ((insn >> 19) & 1), op1, crn, crm, (insn >> 5) & 7, insn & 0x1f,
                                (insn >> 21) & 1);
}

uint64_t Arm64Core::pmu_user_enable() {
    return exits_.read_sysreg(*this, pmuserenr_el0).value_or(0); // the machine's PMU keeps it
}

bool Arm64Core::el0_may_reach(uint32_t op1, uint32_t crn, uint32_t crm, uint32_t op2, bool write) {
    // Never an EL1, EL2 or EL3 register.
    if (op1 != 3)
        return false;
    // The generic timers' EL0 registers, as CNTKCTL_EL1 (Unicorn keeps it)
    // opens them; CNTFRQ, CNTPCT and CNTVCT are read-only at EL0.
    if (crn == 14 && crm <= 3) {
        const uint64_t kctl = read_cp(3, 0, 14, 1, 0);
        if (crm == 0)
            return !write && (op2 == 0   ? (kctl & (el0pcten | el0vcten)) != 0
                              : op2 == 1 ? (kctl & el0pcten) != 0
                                         : (kctl & el0vcten) != 0);
        return (kctl & (crm == 2 ? el0pten : crm == 3 ? el0vten : 0)) != 0;
    }
    const bool pmu = el0_controlled(op1, crn, crm);
    if (!pmu || crm == 14) // PMUSERENR_EL0 itself: read-only at EL0
        return !(pmu && write);
    const uint64_t user = pmu_user_enable();
    if (user & pmu_en)
        return true;
    if (crn == 9 && crm == 12 && op2 == 4) // PMSWINC_EL0
        return write && (user & pmu_sw);
    if (crn == 9 && crm == 13 && op2 == 0) // PMCCNTR_EL0
        return !write && (user & pmu_cr);
    const bool event_counter = (crn == 9 && crm == 13 && op2 == 2) || crn == 14 ||
                               (crn == 9 && crm == 12 && op2 == 5); // PMXEVCNTR, PMEVCNTRn, PMSELR
    return event_counter && (user & pmu_er) && (!write || (crn == 9 && crm == 12));
}

} // namespace sim::cpu

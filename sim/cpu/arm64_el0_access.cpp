// EL0 access to the machine's timer, PMU and GIC registers
// (sim/cpu/arm64_el0_access.h). The MRS/MSR hooks see every such access
// before Unicorn checks it, so without this a process could write its
// kernel's timer or ICC_* registers (a random process in a Linux VM stopped
// the kernel's tick). A refused access goes on to Unicorn, which knows none
// of these registers' EL0 controls as the machine keeps them and makes the
// access UNDEFINED; classify_el0_sysreg_trap then reports a timer or PMU
// access as the trapped MRS/MSR the architecture gives.
#include "sim/cpu/arm64_el0_access.h"

#include "sim/cpu/arm64_core.h"
#include "sim/cpu/arm64_syndrome.h"
#include "sim/cpu/arm64_sysregs.h"

namespace sim::cpu {
namespace arm64 {
namespace {

// CNTKCTL_EL1 and PMUSERENR_EL0 bits.
constexpr uint64_t el0pcten = 1u << 0, el0vcten = 1u << 1, el0vten = 1u << 8, el0pten = 1u << 9;
constexpr uint64_t pmu_en = 1u << 0, pmu_sw = 1u << 1, pmu_cr = 1u << 2, pmu_er = 1u << 3;

bool timer_allowed(uint32_t crm, uint32_t op2, bool write, uint64_t cntkctl) {
    if (crm == 0) { // CNTFRQ, CNTPCT, CNTVCT: read-only at EL0
        const uint64_t opens = op2 == 0 ? el0pcten | el0vcten : op2 == 1 ? el0pcten : el0vcten;
        return !write && (cntkctl & opens) != 0;
    }
    return (cntkctl & (crm == 2 ? el0pten : crm == 3 ? el0vten : 0)) != 0;
}

bool pmu_allowed(uint32_t crn, uint32_t crm, uint32_t op2, bool write, uint64_t userenr) {
    if (crn == 9 && crm == 14 && op2 == 0) // PMUSERENR_EL0 itself: read-only at EL0
        return !write;
    if (userenr & pmu_en)
        return true;
    if (crn == 9 && crm == 12 && op2 == 4) // PMSWINC_EL0
        return write && (userenr & pmu_sw);
    if (crn == 9 && crm == 13 && op2 == 0) // PMCCNTR_EL0
        return !write && (userenr & pmu_cr);
    // ER: the event counters read (PMXEVCNTR_EL0, PMEVCNTR<n>_EL0), PMSELR_EL0 read and written.
    const bool selr = crn == 9 && crm == 12 && op2 == 5;
    const bool counter = (crn == 9 && crm == 13 && op2 == 2) || (crn == 14 && crm <= 11);
    return (userenr & pmu_er) && (selr || (counter && !write));
}

} // namespace

El0Control el0_control(uint32_t op1, uint32_t crn, uint32_t crm) {
    if (op1 != 3)
        return El0Control::none;
    if (crn == 14 && crm <= 3)
        return El0Control::cntkctl;
    if ((crn == 9 && crm >= 12) || (crn == 14 && crm >= 8))
        return El0Control::pmuserenr;
    return El0Control::open;
}

bool el0_access_allowed(uint32_t op1, uint32_t crn, uint32_t crm, uint32_t op2, bool write,
                        uint64_t control) {
    switch (el0_control(op1, crn, crm)) {
    case El0Control::none:
        return false;
    case El0Control::open:
        return true;
    case El0Control::cntkctl:
        return timer_allowed(crm, op2, write, control);
    case El0Control::pmuserenr:
        return pmu_allowed(crn, crm, op2, write, control);
    }
    return false;
}

} // namespace arm64

bool Arm64Core::el0_may_reach(uint32_t op1, uint32_t crn, uint32_t crm, uint32_t op2, bool write) {
    uint64_t control = 0;
    switch (arm64::el0_control(op1, crn, crm)) {
    case arm64::El0Control::cntkctl: // Unicorn keeps CNTKCTL_EL1, as the kernel wrote it
        control = read_cp(3, 0, 14, 1, 0);
        break;
    case arm64::El0Control::pmuserenr: // the machine's PMU keeps PMUSERENR_EL0
        control = exits_.read_sysreg(*this, sysreg::pmuserenr_el0).value_or(0);
        break;
    default:
        break;
    }
    return arm64::el0_access_allowed(op1, crn, crm, op2, write, control);
}

void Arm64Core::classify_el0_sysreg_trap(uint32_t insn, GuestException& e) {
    if ((insn & 0xffd00000) != 0xd5100000) // MRS or MSR (register), op0 2 or 3
        return;
    const uint32_t op1 = (insn >> 16) & 7, crn = (insn >> 12) & 0xf, crm = (insn >> 8) & 0xf;
    const arm64::El0Control c = arm64::el0_control(op1, crn, crm);
    if (c != arm64::El0Control::cntkctl && c != arm64::El0Control::pmuserenr)
        return;
    e.ec = el1_ec::sys_reg;
    e.iss = arm64::sys_insn_iss(2 + ((insn >> 19) & 1), op1, crn, crm, (insn >> 5) & 7, insn & 0x1f,
                                (insn >> 21) & 1);
}

} // namespace sim::cpu

// Which of the registers the machine emulates (the generic timers, the GICv3
// CPU interface, the PMU) an MRS or MSR at EL0 may reach (Arm ARM D13.8,
// D13.11, D17.5), given the EL0 controls its kernel wrote: CNTKCTL_EL1 for
// the timers, PMUSERENR_EL0 for the PMU. Registers are named by op1, CRn,
// CRm and op2 (op0 is 3 for all of them).
#pragma once

#include <cstdint>

namespace sim::cpu::arm64 {

enum class El0Control : uint8_t {
    none,     // never reachable from EL0: an EL1, EL2 or EL3 register (ICC_* among them)
    open,     // an EL0 register no control closes (TPIDR_EL0, DCZID_EL0, ...)
    cntkctl,  // a generic timer register: CNTKCTL_EL1 decides
    pmuserenr // a PMU register: PMUSERENR_EL0 decides
};

// The control that decides an EL0 access to the register.
El0Control el0_control(uint32_t op1, uint32_t crn, uint32_t crm);

// Whether an EL0 access of the register its control names is allowed, with
// `control` the value of that control register (CNTKCTL_EL1 or
// PMUSERENR_EL0); `none` is never allowed and `open` always.
bool el0_access_allowed(uint32_t op1, uint32_t crn, uint32_t crm, uint32_t op2, bool write,
                        uint64_t control);

} // namespace sim::cpu::arm64

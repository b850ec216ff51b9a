// The architecture interface of hv/core: the one header through which core
// code reaches arch code (the hv_core_arch_neutral test fails if hv/core
// includes anything else under hv/arch/ or names an architecture's namespace).
// Two halves:
//  - names: the architecture's hv/arch/<arch>/arch.h exports its types and
//    constexpr helpers as hv::arch names (stage-2 tables, the guest's
//    registers, the virtual interrupt controller's state);
//  - hooks: the functions declared below, which core calls at fixed points
//    and each architecture implements (Armv8-A: hv/arch/armv8/hooks.cpp,
//    RISC-V: hv/arch/riscv64/hooks.cpp).
// Everything else arch code does (trap and IRQ entry, the firmware-call
// filter, emulating the interrupt controller) it does from its own entry
// points, calling core, never the other way round.
#pragma once

#include <cstdint>

#if defined(BAO_HV_ARCH_RISCV64)
#include "hv/arch/riscv64/arch.h"
#else
#include "hv/arch/armv8/arch.h"
#endif
#include "hv/arch/ns.h"
#include "hv/core/error.h"

namespace hv::inline HV_ARCH_NS::arch {

// At Hypervisor::init, after every VM and its stage 2 exist: the virtual
// interrupt controller's state and emulated regions.
bool init(Hypervisor& hv, Error& err);

// At Hypervisor::cpu_init, on the CPU that runs `vcpu`: its translation
// base and control, trap controls, processor id and the interrupt
// controller's CPU interface.
void cpu_init(Hypervisor& hv, Vcpu& vcpu);

// Raises virtual interrupt `id` in `vm` (an IPC notification, a virtual
// device's line going high), to whichever of its vCPUs it targets.
void virq_raise(Hypervisor& hv, Vm& vm, std::uint32_t id);

// Withdraws virtual interrupt `id` of `vm` where it is not yet taken (a
// level-triggered virtual device's line going low).
void virq_lower(Hypervisor& hv, Vm& vm, std::uint32_t id);

} // namespace hv::inline HV_ARCH_NS::arch

// The synchronous trap entry: what the target's EL2 vector calls after saving
// the guest's registers, and what sim/cpu calls after building the syndrome
// the hardware would have given. Runs on the trapping CPU (Port::cpu_id()).
#pragma once

#include "hv/arch/armv8/syndrome.h"
#include "hv/arch/ns.h"
#include "hv/core/vcpu.h"

namespace hv::armv8 {

// Dispatches on the exception class:
//   HVC64 / SMC64   PSCI (owner 4) and, over HVC, Bao hypercalls; others get
//                   SMCCC NOT_SUPPORTED (-1) in x0
//   WFI             the vCPU idles (Port::cpu_idle), TrapAction::Idle;
//                   WFE just resumes
//   data abort      an emulated region (the virtual UART) is emulated and the
//                   guest resumes; anything else stops the VM with a reason
//                   naming VM, core, IPA and access
//   others          stop the VM (unhandled trap)
// `regs.pc` is advanced past SMC, WFx and emulated accesses as the
// architecture requires (ELR already points past an HVC).
TrapAction handle_trap(Hypervisor& hv, const TrapSyndrome& syndrome, VcpuRegs& regs);

} // namespace hv::armv8

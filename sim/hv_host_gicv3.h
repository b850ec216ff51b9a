// hv's GICv3 system registers (hv::armv8::SysReg's ICH_*/ICC_* entries) as
// the architecture encodes them, so HvHost can forward them to the GICv3
// model's CPU interface (GicV3::read_cpu_register / write_cpu_register).
#pragma once

#include "hv/arch/armv8/port_armv8.h"

#include <cstdint>
#include <optional>

namespace sim {

// op0:op1:CRn:CRm:op2 of a GICv3 register hv names; nullopt for the others.
std::optional<uint32_t> gicv3_sysreg_encoding(hv::armv8::SysReg reg);

} // namespace sim

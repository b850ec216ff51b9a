// What a core reports when the guest leaves it: the exception syndrome the
// hardware would write to ESR_EL2/FAR_EL2/HPFAR_EL2, so that the handler
// (native firmware or hv's trap entry) sees what it would see on the target.
#pragma once

#include "hv/arch/armv8/syndrome.h"

#include <cstdint>

namespace sim::cpu {

// ESR_ELx.EC values: hv's own (Arm ARM D17.2.37), so both sides agree.
namespace ec {
inline constexpr uint32_t unknown = static_cast<uint32_t>(hv::armv8::Ec::Unknown);
inline constexpr uint32_t wfx = static_cast<uint32_t>(hv::armv8::Ec::WfxTrap);
inline constexpr uint32_t hvc64 = static_cast<uint32_t>(hv::armv8::Ec::Hvc64);
inline constexpr uint32_t smc64 = static_cast<uint32_t>(hv::armv8::Ec::Smc64);
inline constexpr uint32_t sys_reg = static_cast<uint32_t>(hv::armv8::Ec::SysReg64);
} // namespace ec

struct Syndrome {
    uint32_t ec = 0;
    uint32_t iss = 0;   // for HVC/SMC: the 16-bit immediate; for sys_reg: as ESR_EL2.ISS
    uint64_t far = 0;   // faulting (intermediate) address of an abort
    uint64_t hpfar = 0; // FIPA[47:12] << 4, as HPFAR_EL2
    uint64_t pc = 0;    // address of the trapping instruction
};

} // namespace sim::cpu

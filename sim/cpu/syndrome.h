// What a core reports when the guest leaves it: the exception syndrome the
// hardware would write to ESR_EL2/FAR_EL2/HPFAR_EL2, so that the handler
// (native firmware or hv's trap entry) sees what it would see on the target.
#pragma once

#include <cstdint>

namespace sim::cpu {

// ESR_ELx.EC values used by bao-sim (Arm ARM D17.2.37).
namespace ec {
inline constexpr uint32_t unknown = 0x00;
inline constexpr uint32_t wfx = 0x01;
inline constexpr uint32_t hvc64 = 0x16;
inline constexpr uint32_t smc64 = 0x17;
inline constexpr uint32_t sysreg = 0x18;
inline constexpr uint32_t iabt_lower = 0x20;
inline constexpr uint32_t dabt_lower = 0x24;
} // namespace ec

struct Syndrome {
    uint32_t ec = 0;
    uint32_t iss = 0;   // for HVC/SMC: the 16-bit immediate
    uint64_t far = 0;   // faulting (intermediate) address of an abort
    uint64_t hpfar = 0; // FIPA[47:12] << 4, as HPFAR_EL2
    uint64_t pc = 0;    // address of the trapping instruction
};

} // namespace sim::cpu

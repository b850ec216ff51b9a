// The guest's registers as hv's Armv8-A trap entry saves them.
#pragma once

#include <cstdint>

namespace hv::armv8 {

// The guest's general-purpose registers as the trap entry saved them. `pc`
// is ELR_EL2 as the hardware sets it: the instruction after an HVC, the
// trapping instruction itself for SMC, WFI and aborts; hv advances it where
// the architecture requires.
struct VcpuRegs {
    std::uint64_t x[31]{};
    std::uint64_t pc = 0;
    std::uint64_t spsr = 0;
};

// The hypercall convention (SMCCC): function id in x0, arguments in x1..x3,
// result in x0.
inline std::uint64_t hypercall_arg(const VcpuRegs& regs, unsigned n) {
    return regs.x[n];
}
inline void hypercall_result(VcpuRegs& regs, std::uint64_t value) {
    regs.x[0] = value;
}

} // namespace hv::armv8

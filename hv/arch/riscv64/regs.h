// The guest's registers as hv's RISC-V trap entry saves them, and the
// hypercall convention over them (SBI: a7 extension id, a6 function id,
// arguments in a0..a5, error in a0 and value in a1).
#pragma once

#include <cstdint>

namespace hv::riscv64 {

// x[0] is never written (it reads as zero); `sepc` is the trapping
// instruction: hv advances it past an ECALL, a WFI and an emulated access.
struct VcpuRegs {
    std::uint64_t x[32]{};
    std::uint64_t sepc = 0;
    std::uint64_t hstatus = 0;
};

namespace reg {
inline constexpr unsigned a0 = 10;
inline constexpr unsigned a1 = 11;
inline constexpr unsigned a6 = 16;
inline constexpr unsigned a7 = 17;
} // namespace reg

// Bao's hypercalls are an SBI extension (BAO_HC_SBI_EXTID, hv/abi/hypercall.h):
// the function id, which core reads as argument 0, is a6; core's arguments
// 1, 2, ... are a0, a1, ... as in Bao (HYPCALL_IN_ARG_REG).
inline std::uint64_t hypercall_arg(const VcpuRegs& regs, unsigned n) {
    return n == 0 ? regs.x[reg::a6] : regs.x[reg::a0 + n - 1];
}
// The ABI's convention: a0 is 0 or the negated error code, a1 the value (a
// parameter's). Bao itself always answers a0 = 0 and its own result, error
// codes included, in a1; the guests' runtime reads errors from a0.
inline void hypercall_result(VcpuRegs& regs, std::uint64_t value) {
    const bool error = static_cast<std::int64_t>(value) < 0;
    regs.x[reg::a0] = error ? value : 0;
    regs.x[reg::a1] = error ? 0 : value;
}

} // namespace hv::riscv64

// The operations a fuzz input performs on a booted hv: what guests can make
// the hardware deliver to it (traps with any registers and syndromes, IRQs
// with any INTID, their own list-register transitions at GICV) and the
// sequences that matter (PSCI power cycles, IPC notifications).
#pragma once

#include <cstdint>

#include "fuzz/fuzz_port.h"
#include "fuzz/input.h"
#include "hv/core/hypervisor.h"

namespace hvfuzz {

struct Machine {
    Machine(hv::Hypervisor& h, FuzzPort& p);
    hv::Hypervisor& hv;
    FuzzPort& port;
    hv::VcpuRegs regs[hv::kMaxCpus]{}; // each CPU's guest registers
};

inline constexpr std::uint32_t kNumOps = 32;
// Runs operation `kind` (0-31) on physical CPU `cpu`, arguments from `in`.
void run_op(Machine& m, std::uint32_t kind, std::uint32_t cpu, Input& in);
const char* op_name(std::uint32_t kind);

} // namespace hvfuzz

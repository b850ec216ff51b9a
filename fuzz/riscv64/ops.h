// The operations a RISC-V fuzz input performs on a booted hv: what guests
// can make the hardware deliver to it (ECALLs with any registers, guest-page
// faults at any GPA with any instruction, virtual-instruction traps, any
// scause) and what the machine delivers (external interrupts with any claimed
// source, timer interrupts, hv's IPIs), plus the sequences that matter (HSM
// power cycles, IPC notifications, shutdown).
#pragma once

#include <cstdint>

#include "fuzz/input.h"
#include "fuzz/riscv64/fuzz_port.h"
#include "hv/arch/riscv64/regs.h"
#include "hv/core/hypervisor.h"

namespace hvfuzz::rv {

struct Machine {
    Machine(hv::Hypervisor& h, FuzzRvPort& p);
    hv::Hypervisor& hv;
    FuzzRvPort& port;
    hv::riscv64::VcpuRegs regs[hv::kMaxCpus]{}; // each hart's guest registers
};

// Runs operation `kind` (0-31) on physical hart `cpu`, arguments from `in`.
void run_op(Machine& m, std::uint32_t kind, std::uint32_t cpu, Input& in);
const char* op_name(std::uint32_t kind);

} // namespace hvfuzz::rv

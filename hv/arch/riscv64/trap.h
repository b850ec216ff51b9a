// The synchronous trap entry: what the target's trap vector calls after
// saving the guest's registers, and what the simulator calls after turning
// its exit into the CSRs the hardware would have set. Runs on the trapping
// hart (Port::cpu_id()).
#pragma once

#include <cstdint>

#include "hv/arch/ns.h"
#include "hv/core/vcpu.h"

namespace hv::riscv64 {

// The trap CSRs of one trap from VS mode into HS mode.
struct TrapRecord {
    std::uint64_t scause = 0;
    std::uint64_t stval = 0;  // faulting guest virtual address, or the instruction
    std::uint64_t htval = 0;  // guest-physical address >> 2 of a guest-page fault
    std::uint64_t htinst = 0; // transformed instruction, or 0
    // The guest-physical address of a guest-page fault.
    std::uint64_t gpa() const { return (htval << 2) | (stval & 3); }
};

// One decoded load or store (RV64I and the compressed C.LW/LD/SW/SD forms).
struct MmioInsn {
    bool ok = false;
    bool store = false;
    bool sign = false;      // a load sign-extends
    std::uint32_t size = 0; // 1, 2, 4 or 8
    std::uint32_t reg = 0;  // rd of a load, rs2 of a store
    std::uint32_t len = 0;  // 2 or 4 bytes, how far sepc advances
};
// Decodes a trapped access from htinst (a transformed instruction: bit 0
// set, bit 1 clear for a compressed original) or else from the instruction
// bits themselves.
MmioInsn decode_mmio(std::uint64_t htinst, std::uint32_t insn);

// Dispatches on scause:
//   ECALL from VS       SBI (sbi.h), Bao's hypercalls among them
//   virtual instruction WFI: the vCPU idles (Port::cpu_idle), TrapAction::Idle;
//                       anything else stops the VM
//   guest-page fault    on a load or store in an emulated region (virtual
//                       UART, vPLIC, marker page): emulated; elsewhere it
//                       stops the VM with a reason naming VM, core, GPA and
//                       access (an instruction fetch always stops it)
//   others              stop the VM (unhandled trap)
// `regs.sepc` is advanced past ECALL, WFI and emulated accesses.
TrapAction handle_trap(Hypervisor& hv, const TrapRecord& trap, VcpuRegs& regs);

} // namespace hv::riscv64

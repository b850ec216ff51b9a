// A vCPU: pinned 1:1 to a physical CPU for its whole life (static
// partitioning, no scheduler), so hv indexes vCPUs by physical CPU.
#pragma once

#include <cstdint>

#include "hv/arch/arch.h"

namespace hv::inline HV_ARCH_NS {

// The guest's registers as the trap entry saved them (the architecture's).
using VcpuRegs = arch::VcpuRegs;

// What the caller of the trap entry does next on this CPU.
enum class TrapAction : std::uint8_t {
    Resume,    // return to the guest with the updated registers
    Idle,      // the vCPU waits for an interrupt (WFI); resume it on one
    VcpuOff,   // the vCPU powered itself off (PSCI CPU_OFF)
    VmStopped, // this vCPU's VM stopped (SYSTEM_OFF or a fault): see its exit reason
    NoVcpu,    // no running vCPU on this CPU: a caller bug
};
const char* to_string(TrapAction a);

enum class VcpuState : std::uint8_t {
    Off,     // not started yet, or PSCI CPU_OFF
    Running, // executing guest code (or about to)
    Idle,    // in WFI; still "on" for PSCI
    Stopped, // its VM stopped
};

// Registers a vCPU starts with (boot of its VM, or PSCI CPU_ON).
struct VcpuBoot {
    std::uint64_t pc = 0;
    std::uint64_t x0 = 0;
};

struct Vcpu {
    bool present = false; // a VM owns this physical CPU
    std::uint32_t vm = 0;
    std::uint32_t id = 0;  // virtual CPU id inside its VM (0 boots first)
    std::uint32_t cpu = 0; // physical CPU
    VcpuState state = VcpuState::Off;
    VcpuBoot boot;
    std::uint64_t vmpidr = 0; // MPIDR the guest reads
    // PA of this vCPU's saved context in hv's memory (hv's colors), charged on
    // every trap entry and exit through Port::account.
    std::uint64_t ctx_pa = 0;
    // Its virtual CPU interface state (banked interrupts, list registers,
    // pending set), at vgic.pa = ctx_pa + arch::kVirqCpuCtxOffset.
    arch::VirqCpu vgic;
    // Its VM's memory was cleaned for a set/way operation and the vCPU has
    // trapped for nothing else since (the rest of that set/way loop is free).
    bool set_way_cleaned = false;
};

} // namespace hv::inline HV_ARCH_NS

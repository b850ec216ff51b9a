// What RISC-V (RV64 with the H extension) exports to hv/core through
// hv/arch/arch.h: the same hv::arch names as Armv8-A's hv/arch/armv8/arch.h,
// backed by the G-stage, the SBI register convention and the virtual PLIC.
#pragma once

#include <cstdint>

#include "hv/arch/ns.h"
#include "hv/arch/riscv64/csr.h"
#include "hv/arch/riscv64/gstage.h"
#include "hv/arch/riscv64/port_riscv64.h"
#include "hv/arch/riscv64/regs.h"
#include "hv/arch/riscv64/vplic_state.h"

namespace hv::inline HV_ARCH_NS::arch {

// A VM's second-stage translation (RISC-V: the G-stage, Sv39x4, VMID tags).
using Stage2 = riscv64::GStage;
using MapStatus = riscv64::MapStatus;
using MapAttr = riscv64::GAttr;
using riscv64::to_string;
using Stage2Walk = riscv64::GWalk;
using TablePageSource = riscv64::TablePageSource;
inline riscv64::GWalk stage2_walk(Port& port, std::uint64_t root_pa, std::uint64_t gpa) {
    return riscv64::gstage_walk(port, root_pa, gpa);
}
inline constexpr MapAttr kNormalRwx = riscv64::kNormalRwx; // guest RAM
inline constexpr MapAttr kDeviceRw = riscv64::kDeviceRw;   // pass-through devices
// Pages of a VM's root table (Sv39x4: four, 16 KiB aligned).
inline constexpr std::uint64_t kStage2RootPages = riscv64::kRootPages;

// The translation base register value for a VM's tables (hgatp).
constexpr std::uint64_t stage2_base(std::uint64_t root_pa, std::uint16_t vmid) {
    return riscv64::hgatp(root_pa, vmid);
}

// The hart id a VM's vCPU `id` sees.
constexpr std::uint64_t vcpu_id_register(std::uint32_t id) {
    return riscv64::vhartid(id);
}

// The architecture's port: hv::Port plus its CSRs, fences and timer.
using ArchPort = riscv64::RvPort;

// The guest's saved registers and the hypercall convention over them.
using VcpuRegs = riscv64::VcpuRegs;
using riscv64::hypercall_arg;
using riscv64::hypercall_result;

// The virtual interrupt controller's per-VM, per-vCPU and global state.
using VirqDistributor = riscv64::Vplic;
using VirqCpu = riscv64::VplicCpu;
using VirqGlobal = riscv64::VplicGlobal;
inline constexpr std::uint64_t kVirqCpuCtxOffset = riscv64::kVplicCpuCtxOffset;

} // namespace hv::inline HV_ARCH_NS::arch

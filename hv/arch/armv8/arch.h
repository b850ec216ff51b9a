// What Armv8-A exports to hv/core through hv/arch/arch.h: its types and
// small helpers under the architecture-neutral hv::arch names. A second
// architecture provides the same names from its own hv/arch/<arch>/arch.h.
#pragma once

#include <cstdint>

#include "hv/arch/armv8/port_armv8.h"
#include "hv/arch/armv8/regs.h"
#include "hv/arch/armv8/stage2.h"
#include "hv/arch/armv8/sysregs.h"
#include "hv/arch/armv8/vgic_state.h"
#include "hv/arch/ns.h"

namespace hv::inline HV_ARCH_NS::arch {

// A VM's second-stage translation (Armv8: stage 2 with VMID tags).
using Stage2 = armv8::Stage2;
using MapStatus = armv8::MapStatus;
using MapAttr = armv8::S2Attr;
using armv8::to_string;
using Stage2Walk = armv8::S2Walk;
using TablePageSource = armv8::TablePageSource;
using armv8::stage2_walk; // a software walk of a VM's tables (recoloring, reports)
inline constexpr MapAttr kNormalRwx = armv8::kNormalRwx; // guest RAM
inline constexpr MapAttr kDeviceRw = armv8::kDeviceRw;   // pass-through devices
// Pages of a VM's root table (two concatenated level-1 tables).
inline constexpr std::uint64_t kStage2RootPages = armv8::kRootPages;

// The translation base register value for a VM's tables (Armv8: VTTBR_EL2).
constexpr std::uint64_t stage2_base(std::uint64_t root_pa, std::uint16_t vmid) {
    return armv8::vttbr(root_pa, vmid);
}

// The processor id a VM's vCPU `id` sees (Armv8: VMPIDR_EL2).
constexpr std::uint64_t vcpu_id_register(std::uint32_t id) {
    return armv8::vmpidr(id);
}

// The architecture's port: hv::Port plus its system registers and
// maintenance operations (hv/arch/armv8/port_armv8.h).
using ArchPort = armv8::ArmPort;

// The guest's saved registers and the hypercall convention over them.
using VcpuRegs = armv8::VcpuRegs;
using armv8::hypercall_arg;
using armv8::hypercall_result;

// The virtual interrupt controller's per-VM, per-vCPU and global state.
using VirqDistributor = armv8::VgicDist;
using VirqCpu = armv8::VgicCpu;
using VirqGlobal = armv8::VgicGlobal;
inline constexpr std::uint64_t kVirqCpuCtxOffset = armv8::kVgicCpuCtxOffset;

} // namespace hv::inline HV_ARCH_NS::arch

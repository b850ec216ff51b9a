// The architecture interface of hv/core: the one header through which core
// code reaches arch code. It selects the architecture (Armv8-A only, so far)
// and exports what core needs under architecture-neutral hv::arch names; a
// second architecture provides the same names from its own directory.
#pragma once

#include <cstdint>

#include "hv/arch/armv8/stage2.h"
#include "hv/arch/armv8/sysregs.h"
#include "hv/arch/armv8/vgic_state.h"

namespace hv::arch {

// A VM's second-stage translation (Armv8: stage 2 with VMID tags).
using Stage2 = armv8::Stage2;
using MapStatus = armv8::MapStatus;
using MapAttr = armv8::S2Attr;
using armv8::to_string;
using Stage2Walk = armv8::S2Walk;
using armv8::stage2_walk; // a software walk of a VM's tables (recoloring, reports)
inline constexpr MapAttr kNormalRwx = armv8::kNormalRwx; // guest RAM
inline constexpr MapAttr kDeviceRw = armv8::kDeviceRw;   // pass-through devices

// The translation base register value for a VM's tables (Armv8: VTTBR_EL2).
constexpr std::uint64_t stage2_base(std::uint64_t root_pa, std::uint16_t vmid) {
    return armv8::vttbr(root_pa, vmid);
}

// The processor id a VM's vCPU `id` sees (Armv8: VMPIDR_EL2).
constexpr std::uint64_t vcpu_id_register(std::uint32_t id) {
    return armv8::vmpidr(id);
}

// The virtual interrupt controller's per-VM and per-vCPU state.
using VirqDistributor = armv8::VgicDist;
using VirqCpu = armv8::VgicCpu;
inline constexpr std::uint64_t kVirqCpuCtxOffset = armv8::kVgicCpuCtxOffset;

} // namespace hv::arch

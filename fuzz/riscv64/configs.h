// The configurations a RISC-V fuzz input runs under (QEMU's RISC-V virt):
// fixed multi-VM ones that init accepts, so the operations reach a booted
// hv. Validation and init are architecture-neutral code the Arm target
// already fuzzes with spelled configurations; what is RISC-V's here is the
// G-stage, the vPLIC and SBI, which the operations reach.
#pragma once

#include <cstdint>

#include "hv/core/config_storage.h"

namespace hvfuzz::rv {

inline constexpr std::uint32_t kNumFixedConfigs = 3;

// 0: three VMs on four harts (one with two), sharing memory through IPC
//    objects, two with pass-through devices and their PLIC sources;
// 1: the same colored, hv colored too;
// 2: eight single-hart VMs, one per hart, half placed physically, each with
//    a device.
hv::ConfigStorage fixed_config(std::uint32_t which);

} // namespace hvfuzz::rv

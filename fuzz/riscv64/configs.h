// The configurations a RISC-V fuzz input runs under (QEMU's RISC-V virt):
// fixed multi-VM ones that init accepts, so the operations reach a booted
// hv, or those varied by the input where RISC-V differs (PLIC sources,
// devices near the PLIC). Validation is architecture-neutral code the Arm
// target fuzzes with spelled configurations.
#pragma once

#include <cstdint>

#include "fuzz/input.h"
#include "hv/core/config_storage.h"

namespace hvfuzz::rv {

inline constexpr std::uint32_t kNumFixedConfigs = 3;

// 0: three VMs on four harts (one with two), sharing memory through IPC
//    objects, two with pass-through devices and their PLIC sources;
// 1: the same colored, hv colored too;
// 2: eight single-hart VMs, one per hart, half placed physically, each with
//    a device.
hv::ConfigStorage fixed_config(std::uint32_t which);

// A fixed configuration varied by the input: each VM's harts, colors,
// device and IPC interrupts (any PLIC source, 0 and 1023 included, or raw),
// and extra devices at addresses near the PLIC, the UART, RAM or a virtio
// slot. It goes through Hypervisor::init, which may refuse it with a named
// error.
hv::ConfigStorage varied_config(std::uint32_t which, Input& in);

} // namespace hvfuzz::rv

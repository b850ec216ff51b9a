// The configurations an input runs under: a few fixed multi-VM ones that
// init accepts (so the operations reach a booted hv), or one built from the
// input's bytes, which goes through hv::validate and init like any other.
#pragma once

#include "fuzz/input.h"
#include "hv/core/config_storage.h"

namespace hvfuzz {

inline constexpr std::uint32_t kNumFixedConfigs = 6;

// 0: three VMs (one with two vCPUs) sharing memory through IPC objects, two
//    with pass-through devices; 1: the same colored, hv colored too;
//    2: eight single-vCPU VMs, one per CPU, with regions placed physically;
//    3 and 4: 0 and 2 on a GICv3 (QEMU virt's gic-version=3). 0-2 are on a
//    GICv2; 5: 1 on the ZCU104's map (RAM and hv from PA 0, its GIC-400).
hv::ConfigStorage fixed_config(std::uint32_t which);

// A configuration spelled by the input: platform (GICv2 or GICv3), hv's region, shared
// memory, VMs with regions, devices and IPC objects, values drawn from
// plausible ones or raw.
hv::ConfigStorage fuzzed_config(Input& in);

} // namespace hvfuzz

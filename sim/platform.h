// The platform a Machine is built as: its cores, its interrupt controller
// and its devices on the bus. Each platform is one file that defines its
// builder (platform_virt.cpp: QEMU's virt board with Cortex-A53 cores, a
// GICv2 and a PL011; platform_riscv_virt.cpp: QEMU's riscv virt board with
// RV64 harts, a PLIC, an ACLINT and a 16550; platform_zcu104.cpp: the ZCU104
// with Cortex-A53 cores, a GIC-400 and Cadence UARTs), so machine.* names
// none of them; build_platform picks one by MachineParams::platform
// (--platform). hv's view of the same board (its RAM, console and interrupt
// controller: the config's defaults) is the platform's description in
// hv/platform/<name>/platform.h, so the two never disagree about an address.
#pragma once

#include "hv/core/config.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sim {

class Machine;

inline constexpr const char* kDefaultPlatform = "qemu-aarch64-virt";
inline constexpr const char* kRiscvVirtPlatform = "qemu-riscv64-virt";
inline constexpr const char* kZcu104Platform = "zcu104";

// The instruction set a platform's cores run (what its guests' ELFs must be).
enum class Isa { aarch64, riscv64 };

struct PlatformInfo {
    const char* name;
    Isa isa;
    // Adds the platform's parts to a machine (one core per params().cores).
    void (*build)(Machine&);
    // hv's description: RAM, console, interrupt controller and L2; a
    // configuration's [platform] starts from it.
    hv::PlatformConfig (*description)();
    // Its GICv3 (model gic.version = 3) at these addresses; null: the
    // platform has no GICv3 and the setting is refused.
    hv::GicAddrs (*gicv3)();
    // Where its guests are built, under the workloads directory ("" for the
    // directory itself), and the address they are linked at (the presets'
    // VM memory starts there).
    const char* workload_dir;
    uint64_t guest_base;
};

// Throws InputError naming the known platforms.
const PlatformInfo& platform_info(const std::string& name);
Isa platform_isa(const std::string& name);
std::vector<std::string> platform_names();

// Adds the platform's parts to `machine` through Machine::add_core,
// set_interrupt_controller and add_device (one core per params().cores).
// Throws InputError for an unknown platform name.
void build_platform(Machine& machine);
void build_aarch64_virt(Machine& machine);
void build_riscv64_virt(Machine& machine);
void build_zcu104(Machine& machine);

} // namespace sim

// The platform a Machine is built as: its cores, its interrupt controller
// and its devices on the bus. Each platform is one file that defines its
// builder (platform_virt.cpp: QEMU's virt board with Cortex-A53 cores, a
// GICv2 and a PL011; platform_riscv_virt.cpp: QEMU's riscv virt board with
// RV64 harts, a PLIC, an ACLINT and a 16550), so machine.* names none of
// them; build_platform picks one by MachineParams::platform (--platform).
#pragma once

#include <string>
#include <vector>

namespace sim {

class Machine;

inline constexpr const char* kDefaultPlatform = "qemu-aarch64-virt";
inline constexpr const char* kRiscvVirtPlatform = "qemu-riscv64-virt";

// The instruction set a platform's cores run (what its guests' ELFs must be).
enum class Isa { aarch64, riscv64 };

// Adds the platform's parts to `machine` through Machine::add_core,
// set_interrupt_controller and add_device (one core per params().cores).
// Throws InputError for an unknown platform name.
void build_platform(Machine& machine);
void build_aarch64_virt(Machine& machine);
void build_riscv64_virt(Machine& machine);

std::vector<std::string> platform_names();
// Throws InputError naming the known platforms.
Isa platform_isa(const std::string& name);

} // namespace sim

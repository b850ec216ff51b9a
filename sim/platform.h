// The platform a Machine is built as: its cores, its interrupt controller
// and its devices on the bus. Each platform is one file that defines
// build_platform's parts (platform_virt.cpp: QEMU's virt board with
// Cortex-A53 cores, a GICv2 and a PL011), so machine.* names none of them.
#pragma once

namespace sim {

class Machine;

// Adds the platform's parts to `machine` through Machine::add_core,
// set_interrupt_controller and add_device (one core per params().cores).
void build_platform(Machine& machine);

} // namespace sim

// Xilinx's ZCU104 board (Zynq UltraScale+ MPSoC, ZynqMP), the board the Bao
// paper measured on (bao-reference.md): four Cortex-A53, a GIC-400 (GICv2
// with the virtualization extension), two Cadence UARTs, 2 GiB of PS DDR4 at
// address 0, at the ZynqMP's addresses (UG1085, "System Addresses"). VMs see
// a virtual PL011 at the console's address (decision 6), whatever UART the
// board has.
#pragma once

#include "hv/core/config.h"

namespace hv::platform {

inline constexpr std::uint64_t kZcu104RamBase = 0x0000'0000;
inline constexpr std::uint64_t kZcu104RamSize = 2ull << 30;
inline constexpr std::uint64_t kZcu104Uart0 = 0xFF00'0000; // Cadence UART, SPI 21
inline constexpr std::uint32_t kZcu104Uart0Irq = 53;
inline constexpr std::uint64_t kZcu104Uart1 = 0xFF01'0000; // Cadence UART, SPI 22
inline constexpr std::uint32_t kZcu104Uart1Irq = 54;

// The GIC-400's frames. On the ZynqMP (and QEMU's xlnx-zcu102) each 4 KiB
// page of a frame is repeated over 64 KiB, so the 8 KiB CPU interfaces
// (GICC, GICV) are contiguous only across the boundary of their first two
// 64 KiB windows: at 0xF902_F000 and 0xF906_F000, where Bao's zcu104
// configs and Linux's GIC driver use them. The simulator maps each frame
// once, at these addresses.
constexpr GicAddrs zcu104_gic400() {
    return GicAddrs{0xF901'0000, 0xF902'F000, 0xF904'0000, 0xF906'F000};
}

constexpr PlatformConfig zcu104(std::uint32_t cpus = 4, std::uint64_t ram_size = kZcu104RamSize) {
    PlatformConfig p{};
    p.cpu_num = cpus;
    p.ram.push(MemRange{kZcu104RamBase, ram_size});
    p.console_pa = kZcu104Uart0;
    p.console_irq = kZcu104Uart0Irq;
    p.gic = zcu104_gic400();
    p.l2 = L2Geometry{1ull << 20, 16, 64};
    return p;
}

// hv's region: the first 4 MiB of DDR (the presets' choice, as on virt).
constexpr HypConfig zcu104_hyp() {
    HypConfig h{};
    h.region = MemRange{kZcu104RamBase, 4ull << 20};
    return h;
}

} // namespace hv::platform

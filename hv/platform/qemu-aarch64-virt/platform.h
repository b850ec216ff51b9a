// QEMU's `virt` machine (gic-version=2) with a Cortex-A53 cluster modelled on
// the ZCU104's L2: the reference platform (bao-reference.md). Guests built
// for Bao's qemu-aarch64-virt platform run on it unmodified.
#pragma once

#include "hv/core/config.h"

namespace hv::platform {

inline constexpr std::uint64_t kQemuVirtRamBase = 0x4000'0000;
inline constexpr std::uint64_t kQemuVirtUart = 0x0900'0000; // PL011, SPI INTID 33
inline constexpr std::uint32_t kQemuVirtUartIrq = 33;
inline constexpr std::uint32_t kVirtualTimerPpi = 27;

// virt's GIC with gic-version=2: distributor, CPU interface, virtual
// interface control and virtual CPU interface frames.
constexpr GicAddrs qemu_aarch64_virt_gicv2() {
    return GicAddrs{0x0800'0000, 0x0801'0000, 0x0803'0000, 0x0804'0000};
}

// virt's GIC with gic-version=3: the same distributor, and the
// redistributors at 0x080A_0000, one RD_base + SGI_base pair per CPU; the
// CPU interfaces are system registers (no frames).
constexpr GicAddrs qemu_aarch64_virt_gicv3() {
    GicAddrs g{};
    g.gicd = 0x0800'0000;
    g.version = GicVersion::V3;
    g.gicr = 0x080A'0000;
    g.gicr_stride = kGicrStride;
    return g;
}

// `ram_size` is QEMU's -m. hv's own region is the first 2 MiB of RAM, where
// `-kernel` loads the image; VM memory is allocated above it.
constexpr PlatformConfig qemu_aarch64_virt(std::uint32_t cpus = 4,
                                           std::uint64_t ram_size = 1ull << 30) {
    PlatformConfig p{};
    p.cpu_num = cpus;
    p.ram.push(MemRange{kQemuVirtRamBase, ram_size});
    p.console_pa = kQemuVirtUart;
    p.console_irq = kQemuVirtUartIrq;
    p.gic = qemu_aarch64_virt_gicv2();
    p.l2 = L2Geometry{1ull << 20, 16, 64};
    return p;
}

constexpr HypConfig qemu_aarch64_virt_hyp() {
    HypConfig h{};
    h.region = MemRange{kQemuVirtRamBase, 2ull << 20};
    return h;
}

} // namespace hv::platform

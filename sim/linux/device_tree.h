// The device tree a Linux VM boots with, as hv presents the VM: its memory,
// its vCPUs (PSCI over HVC), GICv2 at the platform's addresses, the generic
// timer's PPIs, its virtual PL011 (natively on the ZCU104, its Cadence UART)
// and /chosen. Generated with libfdt; the
// layout follows QEMU's `virt` machine so Debian's kernel needs nothing new.
#pragma once

#include "sim/linux/image.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sim::linux_boot {

struct VmDeviceTreeSpec {
    std::vector<RamRange> memory;     // the VM's RAM ranges (IPA), at least one
    std::vector<std::uint64_t> mpidr; // one per vCPU: its MPIDR affinity (Aff3..Aff0)
    std::uint64_t gicd = 0x0800'0000; // GICv2 distributor
    std::uint64_t gicd_size = 0x1'0000;
    std::uint64_t gicc = 0x0801'0000; // the CPU interface the VM sees (GICV behind it)
    std::uint64_t gicc_size = 0x1'0000;
    // A GICv3 (gic_v3): the distributor at gicd (gicd_size), the CPU
    // interfaces as system registers, one redistributor per vCPU from gicr,
    // gicr_stride apart (RD_base + SGI_base), in the vCPUs' order.
    bool gic_v3 = false;
    std::uint64_t gicr = 0x080A'0000;
    std::uint64_t gicr_stride = 0x2'0000;
    // The console UART: the VM's virtual PL011, or natively the board's
    // (the ZCU104's Cadence UART, which Linux's xuartps drives as ttyPS0).
    enum class UartModel { pl011, cadence };
    UartModel uart_model = UartModel::pl011;
    std::uint64_t uart = 0x0900'0000;
    std::uint32_t uart_intid = 33; // its GIC INTID (an SPI: 32 and up)
    std::uint32_t uart_clock_hz = 24'000'000;
    std::string bootargs;
    std::uint64_t initrd_start = 0; // both 0: no initrd
    std::uint64_t initrd_end = 0;
};

// The generic timer's PPIs, as GIC INTIDs: secure and non-secure physical,
// virtual (the one guests use under hv) and hypervisor timer.
inline constexpr std::uint32_t kTimerSecurePpi = 29;
inline constexpr std::uint32_t kTimerPhysPpi = 30;
inline constexpr std::uint32_t kTimerVirtPpi = 27;
inline constexpr std::uint32_t kTimerHypPpi = 26;

// PSCI 0.2 function ids (SMC64 where the call takes addresses), as QEMU's
// virt describes them.
inline constexpr std::uint32_t kPsciCpuSuspend = 0xc400'0001;
inline constexpr std::uint32_t kPsciCpuOff = 0x8400'0002;
inline constexpr std::uint32_t kPsciCpuOn = 0xc400'0003;
inline constexpr std::uint32_t kPsciMigrate = 0xc400'0005;

// Builds the flattened device tree blob. Bad specs (no memory, no vCPU, an
// empty initrd range, a UART interrupt that is not an SPI) are InputError;
// a blob over 2 MiB is BootError does_not_fit.
std::vector<std::uint8_t> build_device_tree(const VmDeviceTreeSpec& spec);

} // namespace sim::linux_boot

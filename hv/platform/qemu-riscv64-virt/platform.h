// QEMU's RISC-V `virt` machine with the H extension, as hv sees it. The
// PLIC's addresses go in the platform's interrupt-controller fields: its
// base is the region hv traps and emulates for each VM (gic.gicd, the
// virtual PLIC), and its context, pending and enable windows fill the other
// three so the common validation keeps VM mappings off all of them. VMs see
// a virtual PL011 at the console's address (hv/core/vuart.h), whatever UART
// the machine has.
#pragma once

#include "hv/core/config.h"

namespace hv::platform {

inline constexpr std::uint64_t kQemuRvVirtRamBase = 0x8000'0000;
inline constexpr std::uint64_t kQemuRvVirtPlic = 0x0C00'0000;
inline constexpr std::uint64_t kQemuRvVirtUart = 0x1000'0000; // NS16550A, PLIC source 10
// Where OpenSBI's fw_jump enters the next stage (hv's image).
inline constexpr std::uint64_t kQemuRvVirtKernel = 0x8020'0000;

// `ram_size` is QEMU's -m. The first 4 MiB of RAM hold OpenSBI (the first
// 2 MiB, which its PMP hides from S mode) and hv's image at 0x8020_0000;
// VM memory is allocated above.
constexpr PlatformConfig qemu_riscv64_virt(std::uint32_t cpus = 4,
                                           std::uint64_t ram_size = 1ull << 30) {
    PlatformConfig p{};
    p.cpu_num = cpus;
    p.ram.push(MemRange{kQemuRvVirtRamBase, ram_size});
    p.console_pa = kQemuRvVirtUart;
    p.console_irq = 0; // the virtual UART has no interrupt: guests poll it
    p.gic = GicAddrs{kQemuRvVirtPlic, kQemuRvVirtPlic + 0x20'0000, kQemuRvVirtPlic + 0x1000,
                     kQemuRvVirtPlic + 0x2000};
    p.l2 = L2Geometry{1ull << 20, 16, 64};
    return p;
}

constexpr HypConfig qemu_riscv64_virt_hyp() {
    HypConfig h{};
    h.region = MemRange{kQemuRvVirtRamBase, 4ull << 20};
    return h;
}

} // namespace hv::platform

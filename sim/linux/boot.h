// Everything a Linux VM needs in memory before its first instruction, put
// together from the config's `kernel`, `initrd`, `dtb` and `bootargs`: the
// Image, the initrd and the device tree (generated, or the user's with
// /chosen filled in, as QEMU does with -dtb), each with its address, and the
// entry state of Documentation/arm64/booting.rst. The loader writes the three
// blobs into the VM's memory and starts vCPU 0 with `entry`.
#pragma once

#include "sim/linux/device_tree.h"
#include "sim/linux/image.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sim::linux_boot {

struct LinuxBootSpec {
    std::string kernel;   // path of the Image (plain or gzip)
    std::string initrd;   // path, empty: no initrd
    std::string dtb;      // path of the user's DTB, empty: generate one from `vm`
    std::string bootargs; // the kernel command line (/chosen/bootargs)
    RamRange ram;         // where kernel, DTB and initrd go (the VM's first RAM range)
    VmDeviceTreeSpec vm;  // memory, vCPUs, GIC, UART; its bootargs and initrd are set here
};

// Register state at the kernel's entry: EL1h, MMU and D-cache off, IRQs masked.
struct EntryState {
    std::uint64_t pc = 0; // placement.kernel_entry
    std::uint64_t x0 = 0; // the DTB's address; x1-x3 are 0
};

struct LinuxBootImages {
    BootPlacement placement;
    KernelImage kernel;               // bytes go to placement.kernel_entry
    std::vector<std::uint8_t> dtb;    // to placement.dtb
    std::vector<std::uint8_t> initrd; // to placement.initrd_start (empty: none)
    EntryState entry;
};

// Reads and checks the files, places them and builds (or completes) the DT.
// InputError for missing or empty files, BootError for bad images, a DTB that
// is not one or does not fit.
LinuxBootImages prepare_linux_boot(const LinuxBootSpec& spec);

// The VM's interrupt controller is the machine's GIC, a GICv2 or a GICv3
// (gic.version; docs/linux.md): a kernel whose Image does not name that
// GIC's driver compatible ("arm,cortex-a15-gic", which every kernel with
// CONFIG_ARM_GIC carries, or "arm,gic-v3" with CONFIG_ARM_GIC_V3) could not
// take an interrupt, and a user's DTB describing the other GIC would send
// the kernel to registers nothing emulates. Both are BootError wrong_gic.
void check_kernel_drives_gic(const KernelImage& kernel, const std::string& name, bool gic_v3);
void check_dtb_gic(const std::vector<std::uint8_t>& dtb, bool gic_v3);

// The user's DTB with /chosen's bootargs and initrd range set (replaced when
// present, added when not). BootError not_device_tree / does_not_fit.
// The DTB must describe the machine's GIC (check_dtb_gic).
std::vector<std::uint8_t> complete_user_dtb(const std::vector<std::uint8_t>& dtb,
                                            const std::string& bootargs, std::uint64_t initrd_start,
                                            std::uint64_t initrd_end, bool gic_v3);

} // namespace sim::linux_boot

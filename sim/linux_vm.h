// A Linux VM's boot images as a guest image the loaders already place
// (docs/linux.md): the config's `kernel`, `initrd`, `dtb` and `bootargs`
// through prepare_linux_boot, with the device tree describing what the VM
// sees (its memory, vCPUs, the GIC, its PL011).
#pragma once

#include "sim/config.h"
#include "sim/linux/boot.h"
#include "sim/loader.h"

#include <optional>
#include <string>

namespace sim {

// The device tree's description of a VM: native mode (every core, the
// physical GIC CPU interface) or vm `index` under hv (its vCPUs, the GICV
// frame presented at the GICC address).
linux_boot::VmDeviceTreeSpec linux_vm_description(const RunConfig& config, size_t index);

// Reads, checks and places the boot files; the result's entry is the
// kernel's and its entry_context (x0) the DTB's address.
GuestImage linux_guest_image(const LinuxSource& src, const linux_boot::VmDeviceTreeSpec& vm);

// A path from the config: "cache:NAME" is NAME in the Linux cache
// ($BAO_LINUX_CACHE, else the build's default), "build:NAME" is NAME in the
// build directory (the parent of the workloads directory); others as given.
std::string resolve_linux_path(const std::string& path, const std::string& workloads_dir);

// A config's text with `args` added at the end of its Linux VM's kernel
// command line (its `bootargs = "..."` line); nullopt when it has none.
std::optional<std::string> with_bootargs_added(const std::string& config_text,
                                               const std::string& args);

} // namespace sim

// A run's configuration: hv's plain config structs (hv/core/config.h) filled
// from the TOML format of docs/config.md, plus what only the host needs
// (image files, model parameters). Presets are the same format, embedded.
#pragma once

#include "hv/core/config_storage.h"
#include "sim/machine.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sim {

// A Linux VM's boot files (docs/linux.md): an arm64 Image, an initramfs,
// the kernel command line and optionally the user's own device tree.
struct LinuxSource {
    std::string kernel; // empty: not a Linux VM
    std::string initrd;
    std::string dtb; // empty: generated from the VM's description
    std::string bootargs;
};

// Where a VM's image comes from: a built workload, a file, or a Linux boot.
struct ImageSource {
    LinuxSource linux_boot;
    std::string workload;              // name under <binary dir>/workloads/<name>.elf
    std::string path;                  // or a raw/ELF file
    std::optional<uint64_t> load_addr; // raw images: where to place them
    std::vector<uint64_t> params;      // run parameters the guest reads (param hypercall)
};

struct RunConfig {
    std::string name;        // preset name or file path
    std::string description; // one line
    uint64_t hash = 0;       // of the TOML text (run metadata)
    hv::ConfigStorage hv;
    std::vector<ImageSource> images; // one per hv.vms entry
    MachineParams machine;
    // A stopped non-measured VM fails the run (exit 3) too; by default it is
    // only reported (docs/design.md#faults: a fault stops its own VM, never the run).
    bool fail_on_any_vm_fault = false;

    int measured_vm() const; // index of the measured VM, or -1
};

// Parses TOML text; `origin` names it in error messages and `base_dir`
// resolves relative image paths. Throws InputError naming the key.
RunConfig parse_config(const std::string& text, const std::string& origin,
                       const std::string& base_dir);

// `name_or_path` is a preset name (see list_presets) or a .toml file.
RunConfig load_config(const std::string& name_or_path);
// The same for `platform` (--platform; empty: whatever the config says): a
// preset name means that platform's preset (configs/<platform>/<name>.toml
// for a platform other than the default), and a file must describe it.
RunConfig load_config(const std::string& name_or_path, const std::string& platform);

struct PresetInfo {
    std::string name;
    std::string description;
};
std::vector<PresetInfo> list_presets();

// Copies the modeled L2's geometry into the platform's, which decides colors.
void sync_l2_geometry(RunConfig& config);
// Makes hv's GIC description (platform.gic) follow model gic.version when
// --set or [model] chose it: the platform description's GICv3 or GICv2
// (sim/platform.h's PlatformInfo) at the config's distributor. Throws
// InputError for a GICv3 on a platform without one (zcu104's GIC-400).
// RISC-V's PLIC has no versions: its description stays.
void sync_gic_version(RunConfig& config);

// The numeric machine parameters settable by name ([model], --set), in the
// order the stats' metadata lists them.
struct MachineField {
    const char* key;
    uint64_t MachineParams::*member;
    uint64_t min, max; // the accepted range (docs/config.md)
};
const std::vector<MachineField>& machine_fields();

// Sets a [model] parameter by name ("quantum_cycles=600"). Throws InputError.
void set_model_param(RunConfig& config, const std::string& key, const std::string& value);

} // namespace sim

// A Linux VM in the real image (issue 17, item 7): its kernel, initrd and
// device tree are not embedded in bao-hv.elf. QEMU's `-device loader` places
// them at the VM's staging PA (`load_pa`, outside every VM's memory and hv's
// region), laid out exactly as they will sit in the VM's IPA space; hv copies
// (and recolors) that span into the VM's pages at boot, as it does for any
// image whose load_pa differs from its final PA.
#pragma once

#include "sim/config.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace tools {

// One `-device loader,file=...,addr=...,force-raw=on` argument.
struct LoaderFile {
    std::string file;
    std::uint64_t addr = 0;
};

struct StagedLinux {
    std::vector<LoaderFile> loaders;
    std::vector<std::string> deps; // input files the image build depends on
};

// Loads and places VM `index`'s boot files with the simulator's own code
// (the same device tree bao-sim gives the VM), fills its image (base_ipa,
// size, entry, entry_x0) and writes the generated files into `out`: the DTB,
// and the kernel when the given one is gzip'd (QEMU must load the inflated
// Image). Throws sim::InputError naming the VM: no load_pa, a missing file.
StagedLinux stage_linux_vm(sim::RunConfig& rc, std::size_t index,
                           const std::filesystem::path& workloads, const std::filesystem::path& out,
                           const std::string& origin);

// QEMU's arguments for the loaders, one a line: "-device", then
// "loader,file=F,addr=A,force-raw=on" (raw: QEMU would parse an ELF).
std::string qemu_loader_args(const std::vector<LoaderFile>& loaders);

} // namespace tools

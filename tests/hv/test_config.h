// Configurations shared by the hv tests.
#pragma once

#include "hv/core/config_storage.h"
#include "hv/platform/qemu-aarch64-virt/platform.h"
#include "tests/hv/hv_init.h"

namespace hvtest {

inline hv::VmStorage make_vm(const char* name, std::uint64_t cpus, std::uint64_t mem,
                             std::uint64_t colors = 0) {
    hv::VmStorage vm{};
    hv::set_vm_name(vm, name);
    vm.cpu_affinity = cpus;
    vm.colors = colors;
    vm.regions.push({0x4000'0000, mem, false, 0});
    vm.image = {0x4000'0000, 0x5000, 0x4000'0000, false, 0};
    return vm;
}

// Two VMs on QEMU virt with 1 GiB of RAM: "bench" (cpu 0, 32 MiB) and
// "interf" (cpu 1, 16 MiB), uncolored.
inline hv::ConfigStorage two_vms() {
    hv::ConfigStorage cfg{};
    cfg.platform = hv::platform::qemu_aarch64_virt(4, 1ull << 30);
    cfg.hyp = hv::platform::qemu_aarch64_virt_hyp();
    cfg.vms.push(make_vm("bench", 0b0001, 32ull << 20));
    cfg.vms.push(make_vm("interf", 0b0010, 16ull << 20));
    return cfg;
}

} // namespace hvtest

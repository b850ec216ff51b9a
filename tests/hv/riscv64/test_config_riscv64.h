// Configurations shared by hv's RISC-V tests: QEMU's RISC-V virt machine.
#pragma once

#include "hv/core/config_storage.h"
#include "hv/platform/qemu-riscv64-virt/platform.h"
#include "tests/hv/hv_init.h"

namespace hvtest {

inline constexpr std::uint64_t kRvGuestBase = 0x8000'0000;

inline hv::VmStorage make_rv_vm(const char* name, std::uint64_t cpus, std::uint64_t mem,
                                std::uint64_t colors = 0) {
    hv::VmStorage vm{};
    hv::set_vm_name(vm, name);
    vm.cpu_affinity = cpus;
    vm.colors = colors;
    vm.regions.push({kRvGuestBase, mem, false, 0});
    vm.image = {kRvGuestBase, 0x5000, kRvGuestBase, false, 0};
    return vm;
}

// Two VMs on 4 harts with 1 GiB: "bench" (harts 0 and 1, 32 MiB) and
// "interf" (hart 2, 16 MiB), sharing one page of IPC memory; a notify from
// either raises source 52 in the other's vPLIC.
inline hv::ConfigStorage rv_two_vms() {
    hv::ConfigStorage cfg{};
    cfg.platform = hv::platform::qemu_riscv64_virt(4, 1ull << 30);
    cfg.hyp = hv::platform::qemu_riscv64_virt_hyp();
    cfg.vms.push(make_rv_vm("bench", 0b0011, 32ull << 20));
    cfg.vms.push(make_rv_vm("interf", 0b0100, 16ull << 20));
    cfg.shmems.push(hv::ShmemConfig{0x1000, 0, false, 0});
    for (auto& vm : cfg.vms) {
        hv::IpcStorage ipc{};
        ipc.base = 0xf000'0000;
        ipc.size = 0x1000;
        ipc.shmem_id = 0;
        ipc.interrupts.push(52);
        vm.ipcs.push(ipc);
    }
    return cfg;
}

} // namespace hvtest

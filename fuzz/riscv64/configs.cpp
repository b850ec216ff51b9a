#include "fuzz/riscv64/configs.h"

#include "hv/platform/qemu-riscv64-virt/platform.h"
#include "tests/hv/riscv64/test_config_riscv64.h"

namespace hvfuzz::rv {

namespace {

constexpr std::uint64_t kMiB = 1ull << 20;
constexpr std::uint64_t kVirtio = 0x1000'1000; // QEMU virt's virtio-mmio slots, PLIC sources 1-8
constexpr std::uint64_t kIpcGpa = 0xf000'0000;

hv::DevStorage dev(std::uint32_t slot) {
    hv::DevStorage d{};
    d.pa = kVirtio + 0x1000ull * slot;
    d.va = d.pa;
    d.size = 0x1000;
    d.interrupts.push(1 + slot);
    return d;
}

hv::IpcStorage ipc(std::uint32_t shmem, std::uint64_t size, std::uint32_t irq) {
    hv::IpcStorage c{};
    c.base = kIpcGpa;
    c.size = size;
    c.shmem_id = shmem;
    c.interrupts.push(irq);
    c.interrupts.push(irq + 1);
    return c;
}

hv::ConfigStorage three_vms(bool colored) {
    hv::ConfigStorage cfg{};
    cfg.platform = hv::platform::qemu_riscv64_virt(4, 64 * kMiB);
    cfg.hyp = hv::platform::qemu_riscv64_virt_hyp();
    if (colored) {
        cfg.hyp.colors = 0xc000; // 14, 15
    }
    cfg.shmems.push({0x10000, colored ? 0x0f00ull : 0, false, 0});
    // Small regions: init runs for every input (colored ones map page by page).
    cfg.vms.push(
        hvtest::make_rv_vm("ping", 0b0001, (colored ? 1 : 4) * kMiB, colored ? 0x00ff : 0));
    cfg.vms.push(
        hvtest::make_rv_vm("pong", 0b0010, (colored ? 1 : 2) * kMiB, colored ? 0x0700 : 0));
    cfg.vms.push(hvtest::make_rv_vm("duo", 0b1100, (colored ? 1 : 2) * kMiB, colored ? 0x3800 : 0));
    cfg.vms[0].ipcs.push(ipc(0, 0x10000, 52));
    cfg.vms[1].ipcs.push(ipc(0, 0x10000, 52));
    cfg.vms[2].ipcs.push(ipc(0, 0x8000, 60));
    cfg.vms[1].devs.push(dev(0));
    cfg.vms[2].devs.push(dev(1));
    cfg.vms[2].devs[0].interrupts.push(3);
    return cfg;
}

hv::ConfigStorage eight_vms() {
    hv::ConfigStorage cfg{};
    cfg.platform = hv::platform::qemu_riscv64_virt(8, 128 * kMiB);
    cfg.hyp = hv::platform::qemu_riscv64_virt_hyp();
    cfg.shmems.push({0x2000, 0, false, 0});
    for (std::uint32_t i = 0; i < 8; ++i) {
        const char name[] = {'v', 'm', static_cast<char>('0' + i), 0};
        hv::VmStorage vm = hvtest::make_rv_vm(name, 1ull << i, 2 * kMiB);
        if (i % 2 == 1) { // placed, image already in place
            vm.regions[0].place_phys = true;
            vm.regions[0].phys = hv::platform::kQemuRvVirtRamBase + (64 + 4 * i) * kMiB;
            vm.image.has_load_pa = true;
            vm.image.load_pa = vm.regions[0].phys;
        }
        if (i < 4) {
            vm.ipcs.push(ipc(0, 0x2000, 40 + 2 * i));
        }
        vm.devs.push(dev(i));
        cfg.vms.push(vm);
    }
    return cfg;
}

void vary_interrupts(Input& in, hv::FixedVec<std::uint32_t, hv::kMaxInterrupts>& list) {
    const std::uint32_t n = in.pick(4);
    list.clear();
    for (std::uint32_t k = 0; k < n; ++k) {
        list.push(
            static_cast<std::uint32_t>(in.choose({1, 2, 3, 5, 10, 0, 31, 32, 52, 60, 1019, 1023})));
    }
}

void vary_vm(Input& in, hv::VmStorage& vm, std::uint32_t cpus) {
    if (in.u8() < 32) {
        vm.cpu_affinity = in.u8() & ((1u << cpus) - 1);
    }
    if (in.u8() < 32) {
        vm.colors = in.u16();
    }
    for (hv::DevStorage& d : vm.devs) {
        if (in.flag()) {
            vary_interrupts(in, d.interrupts);
        }
    }
    for (hv::IpcStorage& c : vm.ipcs) {
        if (in.flag()) {
            vary_interrupts(in, c.interrupts);
        }
    }
    if (in.u8() < 64 && vm.devs.size() < vm.devs.capacity) {
        hv::DevStorage d{};
        d.pa = in.choose({kVirtio + 0x1000ull * in.pick(8), hv::platform::kQemuRvVirtPlic - 0x1000,
                          hv::platform::kQemuRvVirtPlic + 0x400'0000, hv::platform::kQemuRvVirtUart,
                          hv::platform::kQemuRvVirtRamBase, 0x3000'0000});
        d.va = in.flag() ? d.pa : in.choose({0x0C00'0000, 0x1000'0000, kIpcGpa, 0x2000'0000});
        d.size = in.flag() ? 0x1000 : in.pages(16);
        vary_interrupts(in, d.interrupts);
        vm.devs.push(d);
    }
}

} // namespace

hv::ConfigStorage varied_config(std::uint32_t which, Input& in) {
    hv::ConfigStorage cfg = fixed_config(which);
    if (in.u8() < 32) {
        cfg.hyp.colors = in.u16();
    }
    for (hv::VmStorage& vm : cfg.vms) {
        vary_vm(in, vm, cfg.platform.cpu_num);
    }
    return cfg;
}

hv::ConfigStorage fixed_config(std::uint32_t which) {
    switch (which % kNumFixedConfigs) {
    case 0:
        return three_vms(false);
    case 1:
        return three_vms(true);
    default:
        return eight_vms();
    }
}

} // namespace hvfuzz::rv

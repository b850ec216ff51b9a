#include "fuzz/configs.h"

#include <initializer_list>

#include "hv/platform/qemu-aarch64-virt/platform.h"
#include "hv/platform/zcu104/platform.h"
#include "tests/hv/test_config.h"

namespace hvfuzz {

namespace {

constexpr std::uint64_t kMiB = 1ull << 20;
constexpr std::uint64_t kRam = hv::platform::kQemuVirtRamBase;
constexpr std::uint64_t kVirtio = 0x0a00'0000; // QEMU virt's virtio-mmio slots, SPIs 48+
constexpr std::uint64_t kIpcIpa = 0x5000'0000;

hv::DevStorage dev(std::uint64_t pa, std::uint32_t irq) {
    hv::DevStorage d{};
    d.pa = pa;
    d.va = pa;
    d.size = 0x1000;
    d.interrupts.push(irq);
    return d;
}

hv::IpcStorage ipc(std::uint32_t shmem, std::uint64_t size, std::uint32_t irq) {
    hv::IpcStorage c{};
    c.base = kIpcIpa;
    c.size = size;
    c.shmem_id = shmem;
    c.interrupts.push(irq);
    c.interrupts.push(irq + 1);
    return c;
}

// `ipc_irq`: the first VMs' IPC interrupts (and the next), away from the
// platform's console SPI.
hv::ConfigStorage three_vms(bool colored, std::uint32_t ipc_irq = 52) {
    hv::ConfigStorage cfg{};
    cfg.platform = hv::platform::qemu_aarch64_virt(4, 64 * kMiB);
    cfg.hyp = hv::platform::qemu_aarch64_virt_hyp();
    if (colored) {
        cfg.hyp.region.size = 4 * kMiB;
        cfg.hyp.colors = 0xc000; // 14, 15
    }
    cfg.shmems.push({0x10000, colored ? 0x0f00ull : 0, false, 0});
    // Small regions: init runs for every input (colored ones map page by page).
    cfg.vms.push(hvtest::make_vm("ping", 0b0001, (colored ? 1 : 4) * kMiB, colored ? 0x00ff : 0));
    cfg.vms.push(hvtest::make_vm("pong", 0b0010, (colored ? 1 : 2) * kMiB, colored ? 0x0700 : 0));
    cfg.vms.push(hvtest::make_vm("duo", 0b1100, (colored ? 1 : 2) * kMiB, colored ? 0x3800 : 0));
    cfg.vms[0].ipcs.push(ipc(0, 0x10000, ipc_irq));
    cfg.vms[1].ipcs.push(ipc(0, 0x10000, ipc_irq));
    cfg.vms[2].ipcs.push(ipc(0, 0x8000, 60));
    cfg.vms[1].devs.push(dev(kVirtio, 48));
    cfg.vms[2].devs.push(dev(kVirtio + 0x1000, 49));
    cfg.vms[2].devs[0].interrupts.push(50);
    return cfg;
}

hv::ConfigStorage eight_vms() {
    hv::ConfigStorage cfg{};
    cfg.platform = hv::platform::qemu_aarch64_virt(8, 128 * kMiB);
    cfg.hyp = hv::platform::qemu_aarch64_virt_hyp();
    cfg.shmems.push({0x2000, 0, false, 0});
    for (std::uint32_t i = 0; i < 8; ++i) {
        const char name[] = {'v', 'm', static_cast<char>('0' + i), 0};
        hv::VmStorage vm = hvtest::make_vm(name, 1ull << i, 2 * kMiB);
        if (i % 2 == 1) { // placed, image already in place
            vm.regions[0].place_phys = true;
            vm.regions[0].phys = kRam + (64 + 4 * i) * kMiB;
            vm.image.has_load_pa = true;
            vm.image.load_pa = vm.regions[0].phys;
        }
        if (i < 4) {
            vm.ipcs.push(ipc(0, 0x2000, 40 + i));
        }
        vm.devs.push(dev(kVirtio + 0x1000 * i, 48 + i));
        cfg.vms.push(vm);
    }
    return cfg;
}

void interrupts(Input& in, hv::FixedVec<std::uint32_t, hv::kMaxInterrupts>& out) {
    const std::uint32_t n = in.pick(4);
    for (std::uint32_t k = 0; k < n; ++k) {
        out.push(static_cast<std::uint32_t>(
            in.choose({27, 33, 48, 49, 52, 25, 0, 16, 31, 32, 1019, 1020})));
    }
}

void fuzzed_vm(Input& in, hv::ConfigStorage& cfg, std::uint32_t i) {
    const char name[] = {'f', static_cast<char>('0' + i), 0};
    hv::VmStorage vm{};
    hv::set_vm_name(vm, name);
    vm.cpu_affinity = in.flag() ? 1ull << i : in.u8();
    vm.colors = in.flag() ? 0 : in.u16();
    const std::uint32_t nregions = 1 + in.pick(2);
    for (std::uint32_t r = 0; r < nregions; ++r) {
        hv::RegionConfig reg{};
        reg.base = in.choose({kRam, kRam + 0x10'0000 * r, 0x8000'0000, 0, 0x0800'0000});
        reg.size = in.flag() ? 2 * kMiB : in.pages(1024);
        if (in.u8() < 40) {
            reg.place_phys = true;
            reg.phys = in.choose({kRam, kRam + 64 * kMiB, kRam + 2 * kMiB, 0x0800'0000});
        }
        vm.regions.push(reg);
    }
    vm.image.base_ipa = vm.regions[0].base;
    vm.image.size = in.flag() ? 0x5000 : in.pages(64);
    vm.image.entry = vm.image.base_ipa + (in.flag() ? 0 : in.u16());
    if (in.u8() < 40) {
        vm.image.has_load_pa = true;
        vm.image.load_pa = in.choose({vm.regions[0].phys, kRam, kRam + 128 * kMiB, 0x0900'0000});
    }
    const std::uint32_t ndevs = in.pick(3);
    for (std::uint32_t d = 0; d < ndevs; ++d) {
        hv::DevStorage dv{};
        dv.pa = in.choose({kVirtio + 0x1000 * (4 * i + d), hv::platform::kQemuVirtUart, 0x0804'0000,
                           0x0801'0000, 0x0800'0000, 0x0803'0000, kRam, kRam + 128 * kMiB});
        dv.va = in.flag() ? dv.pa : in.choose({0x0801'0000, 0x0a00'0000, kIpcIpa, kRam});
        dv.size = in.flag() ? 0x1000 : in.pages(16);
        interrupts(in, dv.interrupts);
        vm.devs.push(dv);
    }
    const std::uint32_t nipcs = in.pick(3);
    for (std::uint32_t c = 0; c < nipcs; ++c) {
        hv::IpcStorage ic{};
        ic.base = in.choose({kIpcIpa + 0x10'0000 * c, kRam, 0x0900'0000});
        ic.size = in.flag() ? 0x10000 : in.pages(32);
        ic.shmem_id = in.pick(3);
        interrupts(in, ic.interrupts);
        vm.ipcs.push(ic);
    }
    cfg.vms.push(vm);
}

hv::ConfigStorage on_gicv3(hv::ConfigStorage cfg) {
    cfg.platform.gic = hv::platform::qemu_aarch64_virt_gicv3();
    return cfg;
}

// Colored VMs on the ZCU104's map (docs/zcu104.md): RAM and hv's region
// from physical address 0, the GIC-400 and the console (SPI 53) high.
hv::ConfigStorage colored_on_zcu104() {
    hv::ConfigStorage cfg = three_vms(true, 56);
    cfg.platform = hv::platform::zcu104(4, 64 * kMiB);
    cfg.hyp.region = hv::platform::zcu104_hyp().region;
    return cfg;
}

} // namespace

hv::ConfigStorage fixed_config(std::uint32_t which) {
    switch (which % kNumFixedConfigs) {
    case 0:
        return three_vms(false);
    case 1:
        return three_vms(true);
    case 2:
        return eight_vms();
    case 3:
        return on_gicv3(three_vms(false));
    case 4:
        return on_gicv3(eight_vms());
    default:
        return colored_on_zcu104();
    }
}

hv::ConfigStorage fuzzed_config(Input& in) {
    hv::ConfigStorage cfg{};
    const std::uint32_t cpus = 1 + in.pick(hv::kMaxCpus);
    const std::uint64_t ram = in.choose({256 * kMiB, 64 * kMiB, 1024 * kMiB, 8 * kMiB});
    cfg.platform = hv::platform::qemu_aarch64_virt(cpus, ram % (2048 * kMiB));
    if (in.u8() < 32) {
        cfg.platform.ram.push(
            {in.choose({0x1'0000'0000, kRam + ram, 0x0800'0000}), in.pages(8192)});
    }
    const std::uint8_t gic = in.u8();
    if (gic >= 32 && gic < 64) {
        cfg.platform.gic = hv::platform::qemu_aarch64_virt_gicv3();
        if (in.flag()) { // redistributors elsewhere, or too close together
            cfg.platform.gic.gicr = in.choose({0x0801'0000, kRam, 0x0a00'0000, 0x080A'0000});
            cfg.platform.gic.gicr_stride = in.choose({0x1'0000, 0x2'0000, 0x4'0000, 0});
        }
    }
    if (gic < 32) {
        cfg.platform.gic.gicd = in.choose({kRam, 0x0900'0000, 0x0801'0000});
        cfg.platform.gic.gicc = in.choose({0x0801'0000, kRam + 0x1000, 0x0800'0000});
        cfg.platform.gic.gich = in.choose({0x0803'0000, kRam + 0x2000, 0});
        cfg.platform.console_pa = in.choose({hv::platform::kQemuVirtUart, kRam, 0x0800'0000});
    }
    cfg.hyp = hv::platform::qemu_aarch64_virt_hyp();
    if (in.u8() < 64) {
        cfg.hyp.region.base = in.choose({kRam, kRam + 2 * kMiB, kRam + ram - 2 * kMiB});
        cfg.hyp.region.size = in.choose({2 * kMiB, 4 * kMiB, 0x1000, 0});
    }
    cfg.hyp.colors = in.flag() ? 0 : in.u16();
    const std::uint32_t nshmems = in.pick(3);
    for (std::uint32_t s = 0; s < nshmems; ++s) {
        hv::ShmemConfig sh{};
        sh.size = in.flag() ? 0x10000 : in.pages(32);
        sh.colors = in.flag() ? 0 : in.u16();
        if (in.u8() < 40) {
            sh.place_phys = true;
            sh.phys = in.choose({kRam + 32 * kMiB, kRam, kRam + 2 * kMiB + 0x1000});
        }
        cfg.shmems.push(sh);
    }
    const std::uint32_t nvms = 1 + in.pick(4);
    for (std::uint32_t i = 0; i < nvms; ++i) {
        fuzzed_vm(in, cfg, i);
    }
    return cfg;
}

} // namespace hvfuzz

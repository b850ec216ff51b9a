// Each validation error, with its exact message.
#include <gtest/gtest.h>

#include "hv/core/validate.h"
#include "test_config.h"

#include <cstdio>
#include <string>

using hvtest::two_vms;

namespace {

std::string error_of(const hv::ConfigStorage& cfg) {
    const hv::Error e = hv::validate(cfg.view());
    EXPECT_EQ(e.code, e.ok() ? hv::ErrorCode::Ok : hv::ErrorCode::Config);
    return e.ok() ? std::string("ok") : std::string(e.message);
}

hv::DevStorage dev(std::uint64_t pa, std::uint64_t va, std::initializer_list<std::uint32_t> irqs) {
    hv::DevStorage d{};
    d.pa = pa;
    d.va = va;
    d.size = 0x1000;
    for (auto i : irqs) {
        d.interrupts.push(i);
    }
    return d;
}

std::string hv_hex(std::uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

} // namespace

TEST(Validate, AcceptsTheBaseConfig) {
    EXPECT_EQ(error_of(two_vms()), "ok");
}

TEST(Validate, UnalignedRegionBase) {
    auto cfg = two_vms();
    cfg.vms[1].regions[0].base = 0x4000'0800;
    EXPECT_EQ(error_of(cfg), "vms[1].regions[0]: base 0x40000800 is not 4 KiB aligned");
}

TEST(Validate, UnalignedSizeAndPhys) {
    auto cfg = two_vms();
    cfg.vms[0].regions[0].size = 0x10'0010;
    EXPECT_EQ(error_of(cfg), "vms[0].regions[0]: size 0x100010 is not 4 KiB aligned");
    cfg = two_vms();
    cfg.vms[0].regions[0].place_phys = true;
    cfg.vms[0].regions[0].phys = 0x5000'0100;
    EXPECT_EQ(error_of(cfg), "vms[0].regions[0]: phys 0x50000100 is not 4 KiB aligned");
}

TEST(Validate, OverlappingRegionsWithinAVm) {
    auto cfg = two_vms();
    cfg.vms[0].regions.push({0x4100'0000, 0x10'0000, false, 0});
    EXPECT_EQ(error_of(cfg), "vms[0].regions[1]: [0x41000000, 0x41100000) overlaps "
                             "vms[0].regions[0] [0x40000000, 0x42000000)");
}

TEST(Validate, OverlappingPhysicalPlacementAcrossVms) {
    auto cfg = two_vms();
    cfg.vms[0].regions[0].place_phys = true;
    cfg.vms[0].regions[0].phys = 0x5000'0000;
    cfg.vms[1].regions[0].place_phys = true;
    cfg.vms[1].regions[0].phys = 0x5100'0000;
    EXPECT_EQ(error_of(cfg), "vms[1].regions[0]: phys [0x51000000, 0x52000000) overlaps "
                             "vms[0].regions[0] (\"bench\") [0x50000000, 0x52000000)");
}

TEST(Validate, PlacementOverHypervisorOrOutsideRam) {
    auto cfg = two_vms();
    cfg.vms[0].regions[0].place_phys = true;
    cfg.vms[0].regions[0].phys = 0x4000'0000;
    EXPECT_EQ(error_of(cfg), "vms[0].regions[0]: phys [0x40000000, 0x42000000) overlaps "
                             "hyp.region [0x40000000, 0x40200000)");
    cfg.vms[0].regions[0].phys = 0x7f00'0000;
    EXPECT_EQ(error_of(cfg), "vms[0].regions[0]: phys [0x7f000000, 0x81000000) is not inside "
                             "one of platform.ram");
}

TEST(Validate, CpuInTwoVms) {
    auto cfg = two_vms();
    cfg.vms.push(hvtest::make_vm("third", 0b1001, 16ull << 20));
    EXPECT_EQ(error_of(cfg),
              "vms[2].cpu_affinity: cpu 0 is already assigned to vms[0] (\"bench\")");
    cfg.vms[2].cpu_affinity = 0b1100;
    cfg.vms[0].cpu_affinity = 0b1001;
    EXPECT_EQ(error_of(cfg),
              "vms[2].cpu_affinity: cpu 3 is already assigned to vms[0] (\"bench\")");
}

TEST(Validate, CpuBeyondPlatformAndNoCpu) {
    auto cfg = two_vms();
    cfg.vms[1].cpu_affinity = 1u << 4;
    EXPECT_EQ(error_of(cfg), "vms[1].cpu_affinity: cpu 4 is beyond the platform's 4 CPUs");
    cfg.vms[1].cpu_affinity = 0;
    EXPECT_EQ(error_of(cfg), "vms[1].cpu_affinity: no CPU is assigned");
}

TEST(Validate, NoVm) {
    auto cfg = two_vms();
    cfg.vms.clear();
    EXPECT_EQ(error_of(cfg), "vms: no VM is configured");
}

TEST(Validate, ColorsOutsideTheL2) {
    auto cfg = two_vms();
    cfg.vms[1].colors = 1ull << 16;
    EXPECT_EQ(error_of(cfg), "vms[1].colors: color 16 is outside the L2's 16 colors (0-15)");
    cfg = two_vms();
    cfg.hyp.colors = 0xc000 | (1ull << 40);
    EXPECT_EQ(error_of(cfg), "hyp.colors: color 40 is outside the L2's 16 colors (0-15)");
    cfg = two_vms();
    cfg.platform.l2.size = 512 << 10; // 8 colors
    cfg.vms[0].colors = 0xff00;
    EXPECT_EQ(error_of(cfg), "vms[0].colors: color 8 is outside the L2's 8 colors (0-7)");
}

TEST(Validate, BadL2Geometry) {
    auto cfg = two_vms();
    cfg.platform.l2.ways = 0;
    EXPECT_EQ(error_of(cfg), "platform.l2: size 0x100000 with 0 ways and 64-byte lines gives 0 "
                             "page colors; need whole ways of 4 KiB pages, 1 to 64 colors and a "
                             "power-of-two line");
}

TEST(Validate, ImageLargerThanItsRegionOrOutside) {
    auto cfg = two_vms();
    cfg.vms[1].image.size = 17ull << 20;
    EXPECT_EQ(error_of(cfg),
              "vms[1].image: size 0x1100000 is larger than vms[1].regions[0] (size 0x1000000)");
    cfg = two_vms();
    cfg.vms[1].image.base_ipa = 0x40ff'f000;
    cfg.vms[1].image.entry = 0x40ff'f000;
    EXPECT_EQ(error_of(cfg), "vms[1].image: [0x40fff000, 0x41004000) runs past the end of "
                             "vms[1].regions[0] at 0x41000000");
    cfg = two_vms();
    cfg.vms[0].image.base_ipa = 0x8000'0000;
    EXPECT_EQ(error_of(cfg), "vms[0].image: base 0x80000000 is not inside any of vms[0].regions");
    cfg = two_vms();
    cfg.vms[0].image.entry = 0x4000'5000;
    EXPECT_EQ(error_of(cfg),
              "vms[0].image: entry 0x40005000 is outside the image [0x40000000, 0x40005000)");
    cfg = two_vms();
    cfg.vms[0].image.size = 0;
    EXPECT_EQ(error_of(cfg), "vms[0].image: size is 0");
}

TEST(Validate, InterruptOwnedTwice) {
    auto cfg = two_vms();
    cfg.vms[0].devs.push(dev(0x0a00'0000, 0x0a00'0000, {27, 40}));
    cfg.vms[1].devs.push(dev(0x0a00'1000, 0x0a00'1000, {27, 41}));
    EXPECT_EQ(error_of(cfg), "ok"); // PPI 27 (the timer) is per CPU
    cfg.vms[1].devs[0].interrupts.push(40);
    EXPECT_EQ(error_of(cfg), "vms[1].devs[0].interrupts[2]: interrupt 40 is already owned by "
                             "vms[0] (\"bench\")");
    cfg.vms[1].devs[0].interrupts[2] = 1023;
    EXPECT_EQ(error_of(cfg),
              "vms[1].devs[0].interrupts[2]: 1023 is not a valid interrupt ID (0-1019)");
}

TEST(Validate, DeviceOwnedTwiceAndConsole) {
    auto cfg = two_vms();
    cfg.vms[0].devs.push(dev(0x0a00'0000, 0x0a00'0000, {}));
    cfg.vms[1].devs.push(dev(0x0a00'0000, 0x0b00'0000, {}));
    EXPECT_EQ(error_of(cfg), "vms[1].devs[0]: pa [0xa000000, 0xa001000) overlaps vms[0].devs[0] "
                             "(\"bench\") [0xa000000, 0xa001000)");
    cfg = two_vms();
    cfg.vms[0].devs.push(dev(0x0900'0000, 0x0a00'0000, {33}));
    EXPECT_EQ(error_of(cfg), "vms[0].devs[0]: pa [0x9000000, 0x9001000) passes the console at "
                             "0x9000000 through at IPA 0xa000000; its virtual UART is at "
                             "0x9000000 (va must equal pa)");
    cfg = two_vms();
    cfg.vms[0].devs.push(dev(0x0a00'0000, 0x0900'0000, {}));
    EXPECT_EQ(error_of(cfg), "vms[0].devs[0]: [0x9000000, 0x9001000) overlaps the virtual UART "
                             "page at 0x9000000");
}

TEST(Validate, DeviceOverlapsMemoryInIpaSpace) {
    auto cfg = two_vms();
    cfg.vms[0].devs.push(dev(0x0a00'0000, 0x4100'0000, {}));
    EXPECT_EQ(error_of(cfg), "vms[0].devs[0]: [0x41000000, 0x41001000) overlaps "
                             "vms[0].regions[0] [0x40000000, 0x42000000)");
    cfg.vms[0].devs[0].va = 0x5000'0000;
    cfg.shmems.push({0x2000, 0, false, 0});
    hv::IpcStorage ipc{};
    ipc.base = 0x4fff'f000;
    ipc.size = 0x2000;
    cfg.vms[0].ipcs.push(ipc);
    EXPECT_EQ(error_of(cfg), "vms[0].ipcs[0]: [0x4ffff000, 0x50001000) overlaps "
                             "vms[0].devs[0] [0x50000000, 0x50001000)");
}

TEST(Validate, IpcAndShmem) {
    auto cfg = two_vms();
    hv::IpcStorage ipc{};
    ipc.base = 0x5000'0000;
    ipc.size = 0x1000;
    ipc.shmem_id = 0;
    cfg.vms[0].ipcs.push(ipc);
    EXPECT_EQ(error_of(cfg),
              "vms[0].ipcs[0].shmem_id: 0 does not name an entry of shmems (0 configured)");
    cfg.shmems.push({0x1000, 0, false, 0});
    EXPECT_EQ(error_of(cfg), "ok");
    cfg.vms[0].ipcs[0].size = 0x2000;
    EXPECT_EQ(error_of(cfg), "vms[0].ipcs[0]: size 0x2000 is larger than shmems[0] (size 0x1000)");
    cfg.vms[0].ipcs[0].size = 0x1000;
    cfg.shmems[0].place_phys = true;
    cfg.shmems[0].phys = 0x4010'0000;
    EXPECT_EQ(error_of(cfg), "shmems[0]: phys [0x40100000, 0x40101000) overlaps hyp.region "
                             "[0x40000000, 0x40200000)");
}

TEST(Validate, PlatformChecks) {
    auto cfg = two_vms();
    cfg.platform.cpu_num = 9;
    EXPECT_EQ(error_of(cfg), "platform.cpu_num: 9 is not between 1 and 8");
    cfg = two_vms();
    cfg.platform.ram.push({0x7000'0000, 0x2000'0000});
    EXPECT_EQ(error_of(cfg), "platform.ram[1]: [0x70000000, 0x90000000) overlaps platform.ram[0]");
    cfg = two_vms();
    cfg.platform.ram[0].size = 5ull << 30;
    EXPECT_EQ(error_of(cfg), "platform.ram: 0x140000000 bytes of RAM exceed hv's page pool limit "
                             "of 0x100000000");
    cfg = two_vms();
    cfg.hyp.region.base = 0x1000'0000;
    EXPECT_EQ(error_of(cfg),
              "hyp.region: [0x10000000, 0x10200000) is not inside one of platform.ram");
}

TEST(Validate, DuplicateOrEmptyName) {
    auto cfg = two_vms();
    hv::set_vm_name(cfg.vms[1], "bench");
    EXPECT_EQ(error_of(cfg), "vms[1].name: \"bench\" is already used by vms[0]");
    hv::set_vm_name(cfg.vms[1], "");
    EXPECT_EQ(error_of(cfg), "vms[1].name: is empty");
}

TEST(Validate, RegionBeyondIpaSpace) {
    auto cfg = two_vms();
    cfg.vms[0].regions.push({(1ull << 40) - 0x1000, 0x2000, false, 0});
    EXPECT_EQ(error_of(cfg),
              "vms[0].regions[1]: [0xfffffff000, 0x10000001000) is beyond the 40-bit IPA space");
}

// The platform's device frames: page aligned, clear of RAM and of each other
// (gicd at gicc's second page used to reach Unicorn as UC_ERR_MAP).
TEST(Validate, GicFramesOverlapEachOtherOrRam) {
    auto cfg = two_vms();
    cfg.platform.gic.gicd = 0x0801'1000;
    EXPECT_EQ(error_of(cfg), "platform.gic.gicc: [0x8010000, 0x8012000) overlaps "
                             "platform.gic.gicd [0x8011000, 0x8012000)");
    cfg = two_vms();
    cfg.platform.gic.gicd = 0x4800'0000;
    EXPECT_EQ(error_of(cfg), "platform.gic.gicd: [0x48000000, 0x48001000) overlaps "
                             "platform.ram[0] [0x40000000, 0x80000000)");
    cfg = two_vms();
    cfg.platform.gic.gicv = 0x0803'0000;
    EXPECT_EQ(error_of(cfg), "platform.gic.gicv: [0x8030000, 0x8032000) overlaps "
                             "platform.gic.gich [0x8030000, 0x8031000)");
    cfg = two_vms();
    cfg.platform.gic.gich = 0x0900'0000;
    EXPECT_EQ(error_of(cfg), "platform.gic.gich: [0x9000000, 0x9001000) overlaps "
                             "platform.console_pa [0x9000000, 0x9001000)");
    cfg = two_vms();
    cfg.platform.gic.gicc = 0x0801'0800;
    EXPECT_EQ(error_of(cfg), "platform.gic.gicc: address 0x8010800 is not 4 KiB aligned");
    cfg = two_vms();
    cfg.platform.gic.gicv = (1ull << 40) - 0x1000;
    EXPECT_EQ(error_of(cfg), "platform.gic.gicv: [0xfffffff000, 0x10000001000) is beyond the "
                             "40-bit physical space");
    cfg = two_vms();
    cfg.platform.console_pa = 0x4000'0000;
    EXPECT_EQ(error_of(cfg), "platform.console_pa: [0x40000000, 0x40001000) overlaps "
                             "platform.ram[0] [0x40000000, 0x80000000)");
}

TEST(Validate, RegionOverTheVirtualGic) {
    auto cfg = two_vms();
    cfg.vms[0].regions.push({0x0800'0000, 0x10'0000, false, 0});
    EXPECT_EQ(error_of(cfg), "vms[0].regions[1]: [0x8000000, 0x8100000) overlaps the virtual "
                             "distributor at [0x8000000, 0x8001000)");
    cfg.vms[0].regions[1].base = 0x0801'1000;
    cfg.vms[0].regions[1].size = 0x1000;
    EXPECT_EQ(error_of(cfg), "vms[0].regions[1]: [0x8011000, 0x8012000) overlaps the virtual CPU "
                             "interface at [0x8010000, 0x8012000)");
    cfg = two_vms();
    cfg.vms[1].devs.push(dev(0x0a00'0000, 0x0800'0000, {}));
    EXPECT_EQ(error_of(cfg), "vms[1].devs[0]: [0x8000000, 0x8001000) overlaps the virtual "
                             "distributor at [0x8000000, 0x8001000)");
}

// A pass-through device gives a VM direct access to its pages: over RAM, hv's
// region or a GIC frame that would break isolation on hardware.
TEST(Validate, DevicePaOverRamHvOrGic) {
    auto cfg = two_vms();
    cfg.vms[1].devs.push(dev(0x4010'0000, 0x0a00'0000, {}));
    EXPECT_EQ(error_of(cfg), "vms[1].devs[0]: pa [0x40100000, 0x40101000) overlaps "
                             "platform.ram[0] [0x40000000, 0x80000000)");
    cfg.vms[1].devs[0].pa = 0x5000'0000;
    EXPECT_EQ(error_of(cfg), "vms[1].devs[0]: pa [0x50000000, 0x50001000) overlaps "
                             "platform.ram[0] [0x40000000, 0x80000000)");
    const std::uint64_t frames[] = {0x0800'0000, 0x0801'1000, 0x0803'0000, 0x0804'1000};
    const char* names[] = {"gicd [0x8000000, 0x8001000)", "gicc [0x8010000, 0x8012000)",
                           "gich [0x8030000, 0x8031000)", "gicv [0x8040000, 0x8042000)"};
    for (int k = 0; k < 4; ++k) {
        cfg.vms[1].devs[0].pa = frames[k];
        EXPECT_EQ(error_of(cfg), "vms[1].devs[0]: pa [" + hv_hex(frames[k]) + ", " +
                                     hv_hex(frames[k] + 0x1000) + ") overlaps platform.gic." +
                                     names[k]);
    }
    cfg.vms[1].devs[0].pa = (1ull << 40) - 0x1000;
    cfg.vms[1].devs[0].size = 0x2000;
    EXPECT_EQ(error_of(cfg), "vms[1].devs[0]: pa [0xfffffff000, 0x10000001000) is beyond the "
                             "40-bit physical space");
}

TEST(Validate, LoadPaOutsideRamAndUnalignedEntry) {
    auto cfg = two_vms();
    cfg.vms[0].image.has_load_pa = true;
    cfg.vms[0].image.load_pa = 0x1000'0000;
    EXPECT_EQ(error_of(cfg), "vms[0].image: load_pa [0x10000000, 0x10005000) is not inside one "
                             "of platform.ram");
    cfg.vms[0].image.load_pa = 0x7fff'e000; // straddles RAM's end
    EXPECT_EQ(error_of(cfg), "vms[0].image: load_pa [0x7fffe000, 0x80003000) is not inside one "
                             "of platform.ram");
    cfg.vms[0].image.load_pa = 0x7000'0000;
    EXPECT_EQ(error_of(cfg), "ok");
    cfg.vms[0].image.entry = 0x4000'0002;
    EXPECT_EQ(error_of(cfg), "vms[0].image: entry 0x40000002 is not 4-byte aligned (an A64 "
                             "instruction's address)");
}

TEST(Validate, UartInterruptIsEveryVmsVirtualOne) {
    auto cfg = two_vms();
    cfg.vms[0].devs.push(dev(0x0a00'0000, 0x0a00'0000, {33}));
    EXPECT_EQ(error_of(cfg), "vms[0].devs[0].interrupts[0]: interrupt 33 is the virtual UART's "
                             "(platform.console_irq)");
    cfg = two_vms();
    cfg.shmems.push({0x1000, 0, false, 0});
    hv::IpcStorage ipc{};
    ipc.base = 0x5000'0000;
    ipc.size = 0x1000;
    ipc.interrupts.push(33);
    cfg.vms[1].ipcs.push(ipc);
    EXPECT_EQ(error_of(cfg), "vms[1].ipcs[0].interrupts[0]: interrupt 33 is the virtual UART's "
                             "(platform.console_irq)");
    cfg.platform.console_irq = 0; // no UART interrupt: 33 is free
    EXPECT_EQ(error_of(cfg), "ok");
    cfg.platform.console_irq = 27;
    EXPECT_EQ(error_of(cfg), "platform.console_irq: 27 is not a shared peripheral interrupt "
                             "(32-1019, or 0 for none)");
}

TEST(Validate, MarkerPage) {
    auto cfg = two_vms();
    cfg.vms[0].has_marker = true;
    cfg.vms[0].marker = 0x0b00'0000;
    EXPECT_EQ(error_of(cfg), "ok");
    cfg.vms[0].marker = 0x0b00'0800;
    EXPECT_EQ(error_of(cfg), "vms[0].marker: address 0xb000800 is not 4 KiB aligned");
    cfg.vms[0].marker = 0x4800'0000; // RAM
    EXPECT_EQ(error_of(cfg), "vms[0].marker [0x48000000, 0x48001000) overlaps platform.ram[0] "
                             "[0x40000000, 0x80000000)");
    cfg.vms[0].marker = 0x0900'0000;
    EXPECT_EQ(error_of(cfg), "vms[0].marker [0x9000000, 0x9001000) overlaps platform.console_pa "
                             "[0x9000000, 0x9001000)");
    cfg.vms[0].marker = 0x0801'1000;
    EXPECT_EQ(error_of(cfg), "vms[0].marker [0x8011000, 0x8012000) overlaps platform.gic.gicc "
                             "[0x8010000, 0x8012000)");
    cfg.vms[0].marker = 1ull << 40;
    EXPECT_EQ(error_of(cfg), "vms[0].marker [0x10000000000, 0x10000001000) is beyond the 40-bit "
                             "physical space");
    cfg.vms[0].marker = 0x0b00'0000;
    cfg.vms[0].devs.push(dev(0x0a00'0000, 0x0b00'0000, {}));
    EXPECT_EQ(error_of(cfg), "vms[0].marker [0xb000000, 0xb001000) overlaps vms[0].devs[0] "
                             "[0xb000000, 0xb001000)");
    cfg = two_vms();
    cfg.vms[1].has_marker = true;
    cfg.vms[1].marker = 0x0c00'0000;
    cfg.vms[1].regions.push({0x0c00'0000, 0x1000, true, 0x7000'0000});
    EXPECT_EQ(error_of(cfg), "vms[1].marker [0xc000000, 0xc001000) overlaps vms[1].regions[1] "
                             "[0xc000000, 0xc001000)");
}

// Bao's configurations pass the console through (a 64 KiB entry with its
// SPI): that page becomes each such VM's virtual UART, the physical one
// stays hv's, so several VMs may list it; the rest of the range is a device
// like any other and has one owner.
TEST(Validate, ConsolePassedThroughIsTheVirtualUart) {
    auto cfg = two_vms();
    auto console = dev(0x0900'0000, 0x0900'0000, {33, 27});
    console.size = 0x1'0000;
    cfg.vms[0].devs.push(console);
    EXPECT_EQ(error_of(cfg), "ok");
    cfg.vms[1].devs.push(dev(0x0900'0000, 0x0900'0000, {33}));
    EXPECT_EQ(error_of(cfg), "ok"); // both VMs' virtual UARTs, interrupt 33 each
    cfg.vms[1].devs[0] = dev(0x0900'1000, 0x0900'1000, {});
    EXPECT_EQ(error_of(cfg), "vms[1].devs[0]: pa [0x9001000, 0x9002000) overlaps vms[0].devs[0] "
                             "(\"bench\") [0x9000000, 0x9010000)");
    // Another range around the console: they share only its page.
    cfg.vms[1].devs[0] = dev(0x08ff'f000, 0x08ff'f000, {});
    cfg.vms[1].devs[0].size = 0x2000;
    EXPECT_EQ(error_of(cfg), "ok");
    // The console's SPI in any other device is still refused.
    cfg.vms[1].devs[0].size = 0x1000;
    cfg.vms[1].devs[0].interrupts.push(33);
    EXPECT_EQ(error_of(cfg), "vms[1].devs[0].interrupts[0]: interrupt 33 is the virtual UART's "
                             "(platform.console_irq)");
}

// Bao lists the timer's PPI as a device without registers.
TEST(Validate, InterruptOnlyDevice) {
    auto cfg = two_vms();
    hv::DevStorage d{};
    d.interrupts.push(27);
    cfg.vms[0].devs.push(d);
    cfg.vms[1].devs.push(d);
    EXPECT_EQ(error_of(cfg), "ok");
    cfg.vms[1].devs[0].interrupts[0] = 1020;
    EXPECT_EQ(error_of(cfg),
              "vms[1].devs[0].interrupts[0]: 1020 is not a valid interrupt ID (0-1019)");
    cfg.vms[1].devs[0].interrupts[0] = 27;
    cfg.vms[1].devs[0].pa = 0x0a00'0000;
    EXPECT_EQ(error_of(cfg), "vms[1].devs[0]: size is 0 but pa 0xa000000 or va 0x0 is set (a "
                             "device with no registers lists only interrupts)");
}

// A Config's lists are spans of any length (the image's are generated), so
// validation enforces the limits the host's ConfigStorage has by capacity.
TEST(Validate, ListsLongerThanTheLimits) {
    auto storage = two_vms();
    hv::Config cfg = storage.view();
    hv::VmConfig vms[hv::kMaxVms + 1]{};
    for (std::size_t i = 0; i < std::size(vms); ++i) {
        vms[i] = cfg.vms[0];
    }
    cfg.vms = vms;
    EXPECT_EQ(std::string(hv::validate(cfg).message), "vms: 9 entries, at most 8");

    cfg = storage.view();
    vms[0] = cfg.vms[0];
    vms[1] = cfg.vms[1];
    hv::DevConfig devs[hv::kMaxDevs + 1]{};
    vms[1].devs = devs;
    cfg.vms = std::span<const hv::VmConfig>(vms, 2);
    EXPECT_EQ(std::string(hv::validate(cfg).message), "vms[1].devs: 17 entries, at most 16");

    std::uint32_t irqs[hv::kMaxInterrupts + 1]{};
    hv::IpcConfig ipc{0xf000'0000, 0x1000, 0, irqs};
    vms[1].devs = {};
    vms[1].ipcs = std::span<const hv::IpcConfig>(&ipc, 1);
    hv::ShmemConfig shmem{0x1000, 0, false, 0};
    cfg.shmems = std::span<const hv::ShmemConfig>(&shmem, 1);
    EXPECT_EQ(std::string(hv::validate(cfg).message),
              "vms[1].ipcs[0].interrupts: 33 entries, at most 32");
}

// hv reads a view whose spans point into the storage it came from; a copy of
// the storage gives views of its own.
TEST(ConfigStorage, ViewsPointIntoTheirOwnStorage) {
    auto a = two_vms();
    hv::DevStorage d{};
    d.interrupts.push(27);
    a.vms[1].devs.push(d);
    const hv::Config va = a.view();
    auto b = a;
    b.vms[1].devs[0].interrupts[0] = 30;
    b.vms[1].regions[0].size = 0x10'0000;
    const hv::Config vb = b.view();
    ASSERT_EQ(va.vms.size(), 2u);
    ASSERT_EQ(vb.vms[1].devs.size(), 1u);
    EXPECT_EQ(va.vms[1].devs[0].interrupts[0], 27u);
    EXPECT_EQ(vb.vms[1].devs[0].interrupts[0], 30u);
    EXPECT_EQ(va.vms[1].regions[0].size, 16ull << 20);
    EXPECT_EQ(vb.vms[1].regions[0].size, 0x10'0000u);
    EXPECT_EQ(&vb.vms[1].regions[0], &b.vms[1].regions[0]);
    EXPECT_STREQ(vb.vms[0].name, "bench");
}

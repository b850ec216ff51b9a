// VM creation: memory placement, colors, stage 2, images and recoloring.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "fake_port.h"
#include "hv/core/hypervisor.h"
#include "test_config.h"

using hvtest::FakePort;
using hvtest::ref_walk;
using hvtest::two_vms;

namespace {

using hvtest::kMiB;

struct Machine {
    FakePort port;
    std::vector<std::byte> state; // hv's run-time state
    std::unique_ptr<hv::Hypervisor> hv = std::make_unique<hv::Hypervisor>(port);

    hv::ConfigStorage cfg; // what hv's Config points into

    void init_ok(const hv::ConfigStorage& config) {
        cfg = config;
        const hv::Error e = hvtest::init(*hv, cfg.view(), state);
        ASSERT_TRUE(e.ok()) << e.message;
    }
};

// The L2 sets every line of a VM's pages falls in.
std::set<std::uint64_t> sets_of(Machine& m, std::uint32_t vm, const hv::L2Geometry& l2) {
    std::set<std::uint64_t> sets;
    const hv::RegionConfig& r = m.hv->vm(vm).cfg->regions[0];
    for (std::uint64_t off = 0; off < r.size; off += 4096) {
        const auto w = m.hv->walk(vm, r.base + off);
        EXPECT_TRUE(w.valid);
        for (std::uint64_t line = 0; line < 4096; line += l2.line) {
            sets.insert(l2.set_of(w.pa + line));
        }
    }
    return sets;
}

} // namespace

TEST(Vm, UncoloredVmIsContiguousAndUsesBlocks) {
    Machine m;
    m.init_ok(two_vms());
    const hv::Vm& vm = m.hv->vm(0);
    const auto first = m.hv->walk(0, 0x4000'0000);
    ASSERT_TRUE(first.valid);
    EXPECT_EQ(first.block_size, 2 * kMiB);
    EXPECT_EQ(first.pa % (2 * kMiB), 0u);
    EXPECT_GE(first.pa, 0x4020'0000u); // above hv's own region
    for (std::uint64_t off = 0; off < 32 * kMiB; off += 0x10'0000) {
        EXPECT_EQ(m.hv->walk(0, 0x4000'0000 + off).pa, first.pa + off);
    }
    EXPECT_EQ(vm.stage2_table_pages(), 3u); // root (2) + one L2 table
    // The two VMs' memories are disjoint.
    const auto other = m.hv->walk(1, 0x4000'0000).pa;
    EXPECT_TRUE(other >= first.pa + 32 * kMiB || other + 16 * kMiB <= first.pa);
    // An uncolored image is loaded straight into the VM's memory.
    EXPECT_EQ(vm.staging.pa, first.pa);
    EXPECT_FALSE(vm.staging.copy);
}

TEST(Vm, ColoredVmsGetOnlyTheirColorsAndNeverShareAnL2Set) {
    auto cfg = two_vms();
    cfg.vms[0].colors = 0x00ff;
    cfg.vms[1].colors = 0xff00;
    Machine m;
    m.init_ok(cfg);
    const hv::L2Geometry& l2 = cfg.platform.l2;
    for (std::uint32_t v = 0; v < 2; ++v) {
        const hv::RegionConfig& r = cfg.vms[v].regions[0];
        for (std::uint64_t off = 0; off < r.size; off += 4096) {
            const auto w = m.hv->walk(v, r.base + off);
            ASSERT_TRUE(w.valid);
            ASSERT_EQ(w.block_size, 4096u); // coloring forces pages
            ASSERT_TRUE(hv::bit_test(cfg.vms[v].colors, l2.color_of(w.pa)))
                << "vm " << v << " page at " << std::hex << w.pa;
        }
    }
    const auto a = sets_of(m, 0, l2);
    const auto b = sets_of(m, 1, l2);
    EXPECT_EQ(a.size(), l2.num_sets() / 2); // half the L2 each
    for (auto s : a) {
        ASSERT_EQ(b.count(s), 0u) << "set " << s << " is shared";
    }
    // One L3 table per 2 MiB: 32 MiB -> 16, plus one L2 and the root.
    EXPECT_EQ(m.hv->vm(0).stage2_table_pages(), 2u + 1 + 16);
}

TEST(Vm, HypervisorColorsHoldItsTablesAndContexts) {
    auto cfg = two_vms();
    cfg.vms[0].colors = 0x00ff;
    cfg.vms[1].colors = 0x3f00;
    cfg.hyp.colors = 0xc000;
    Machine m;
    m.init_ok(cfg);
    for (std::uint32_t v = 0; v < 2; ++v) {
        for (std::uint64_t off = 0; off < 16 * kMiB; off += 2 * kMiB) {
            const auto w = m.hv->walk(v, 0x4000'0000 + off);
            for (int d = 0; d < w.num_desc; ++d) {
                const auto c = cfg.platform.l2.color_of(w.desc_pa[d]);
                EXPECT_TRUE(c == 14 || c == 15) << "table page of color " << c;
            }
        }
    }
    for (std::uint32_t cpu = 0; cpu < 2; ++cpu) {
        const auto c = cfg.platform.l2.color_of(m.hv->vcpu_on_cpu(cpu)->ctx_pa);
        EXPECT_TRUE(c == 14 || c == 15);
    }
}

TEST(Vm, RecoloringCopiesTheImagePageByPage) {
    auto cfg = two_vms();
    cfg.vms[0].colors = 0x00ff;
    cfg.vms[0].image.size = 0x5123;
    Machine m;
    m.init_ok(cfg);
    const hv::ImageStaging st = m.hv->image_staging(0);
    EXPECT_TRUE(st.copy);
    EXPECT_EQ(st.size, 0x6000u);
    std::vector<std::uint8_t> image(0x5123);
    for (std::size_t i = 0; i < image.size(); ++i) {
        image[i] = static_cast<std::uint8_t>(i * 7 + 3);
    }
    m.port.mem_write(st.pa, image.data(), image.size());
    const auto written_before = m.port.bytes_written;
    ASSERT_TRUE(m.hv->boot().ok());
    // docs/design.md#check-recolor: recolor_bytes is the image size rounded up to whole pages
    EXPECT_EQ(m.hv->vm(0).recolor_bytes, 0x6000u);
    EXPECT_EQ(m.hv->vm(1).recolor_bytes, 0u);
    EXPECT_GE(m.port.bytes_written - written_before, 0x6000u);
    for (std::size_t i = 0; i < image.size(); i += 0x111) {
        const auto w = m.hv->walk(0, 0x4000'0000 + i);
        std::uint8_t b = 0;
        m.port.mem_read(w.pa, &b, 1);
        ASSERT_EQ(b, image[i]) << "offset " << i;
    }
    // The staging pages went back to the pool.
    EXPECT_FALSE(m.hv->page_pool().is_used(st.pa));
}

TEST(Vm, ImageAtAGivenLoadAddressIsCopiedFromThere) {
    auto cfg = two_vms();
    cfg.vms[1].image.has_load_pa = true;
    cfg.vms[1].image.load_pa = 0x7000'0000;
    Machine m;
    m.init_ok(cfg);
    const hv::ImageStaging st = m.hv->image_staging(1);
    EXPECT_EQ(st.pa, 0x7000'0000u);
    EXPECT_TRUE(st.copy);
    EXPECT_TRUE(m.hv->page_pool().is_used(0x7000'0000)); // kept until boot
    const std::uint32_t magic = 0xfeedf00d;
    m.port.mem_write(0x7000'0000 + 0x4000, &magic, 4);
    ASSERT_TRUE(m.hv->boot().ok());
    std::uint32_t got = 0;
    m.port.mem_read(m.hv->walk(1, 0x4000'4000).pa, &got, 4);
    EXPECT_EQ(got, magic);
    EXPECT_EQ(m.hv->vm(1).recolor_bytes, 0u); // a copy, not a recoloring
}

TEST(Vm, BootStartsEachVmsFirstVcpuAndCpuInitProgramsEl2) {
    auto cfg = two_vms();
    cfg.vms[1].cpu_affinity = 0b0110;
    Machine m;
    m.init_ok(cfg);
    ASSERT_TRUE(m.hv->boot().ok());
    EXPECT_EQ(m.port.cpus_on, (std::vector<std::uint32_t>{0, 1}));
    const hv::Vcpu* v1 = m.hv->vcpu_on_cpu(1);
    ASSERT_NE(v1, nullptr);
    EXPECT_EQ(v1->id, 0u);
    EXPECT_EQ(v1->state, hv::VcpuState::Running);
    EXPECT_EQ(v1->boot.pc, 0x4000'0000u);
    const hv::Vcpu* v2 = m.hv->vcpu_on_cpu(2);
    ASSERT_NE(v2, nullptr);
    EXPECT_EQ(v2->id, 1u);
    EXPECT_EQ(v2->state, hv::VcpuState::Off);
    EXPECT_EQ(v2->vmpidr, 0x8000'0001u);
    EXPECT_EQ(m.hv->vcpu_on_cpu(3), nullptr);

    m.port.current_cpu = 2;
    ASSERT_TRUE(m.hv->cpu_init());
    EXPECT_EQ((m.port.sysregs[{2, hv::armv8::SysReg::VTTBR_EL2}]), m.hv->vm(1).stage2_base());
    EXPECT_EQ((m.port.sysregs[{2, hv::armv8::SysReg::VTTBR_EL2}] >> 48), 2u); // VMID
    EXPECT_EQ((m.port.sysregs[{2, hv::armv8::SysReg::VTCR_EL2}]), hv::armv8::kVtcr);
    EXPECT_EQ((m.port.sysregs[{2, hv::armv8::SysReg::VMPIDR_EL2}]), 0x8000'0001u);
    EXPECT_EQ((m.port.sysregs[{2, hv::armv8::SysReg::HCR_EL2}]) & 1, 1u);
    m.port.current_cpu = 3;
    EXPECT_FALSE(m.hv->cpu_init());
    EXPECT_FALSE(m.hv->boot().ok()); // only once
}

TEST(Vm, InitReportsValidationAndMemoryErrors) {
    {
        Machine m;
        auto cfg = two_vms();
        cfg.mode = hv::Mode::Native;
        EXPECT_STREQ(hvtest::init(*m.hv, cfg.view(), m.state).message,
                     "mode: a native configuration runs without hv");
    }
    {
        Machine m;
        auto cfg = two_vms();
        cfg.vms[1].cpu_affinity = 1;
        const hv::Error e = hvtest::init(*m.hv, cfg.view(), m.state);
        EXPECT_EQ(e.code, hv::ErrorCode::Config);
        EXPECT_STREQ(e.message,
                     "vms[1].cpu_affinity: cpu 0 is already assigned to vms[0] (\"bench\")");
    }
    {
        Machine m;
        auto cfg = two_vms();
        cfg.vms[0].colors = 0x1; // 1/16 of 1 GiB = 64 MiB of color 0
        cfg.vms[0].regions[0].size = 128 * kMiB;
        const hv::Error e = hvtest::init(*m.hv, cfg.view(), m.state);
        EXPECT_EQ(e.code, hv::ErrorCode::NoMemory);
        EXPECT_STREQ(e.message, "vms[0].regions[0]: 32768 pages of colors 0x1 needed, 16352 free");
        // 16384 pages of color 0, less the 32 in hv's 2 MiB region.
    }
    {
        Machine m;
        m.init_ok(two_vms());
        EXPECT_EQ(m.hv->init(m.cfg.view(), m.state).code, hv::ErrorCode::State);
    }
    {
        // A GIC version the vGIC has no interface for (GICv2 and GICv3 only).
        Machine m;
        auto cfg = two_vms();
        cfg.platform.gic.version = static_cast<hv::GicVersion>(4);
        const hv::Error e = hvtest::init(*m.hv, cfg.view(), m.state);
        EXPECT_EQ(e.code, hv::ErrorCode::Config);
        EXPECT_STREQ(e.message, "platform.gic.version: hv's vGIC drives GICv2 or GICv3");
    }
    {
        // A GICv3 without its redistributors' region.
        Machine m;
        auto cfg = two_vms();
        cfg.platform.gic.version = hv::GicVersion::V3;
        const hv::Error e = hvtest::init(*m.hv, cfg.view(), m.state);
        EXPECT_EQ(e.code, hv::ErrorCode::Config);
        EXPECT_STREQ(
            e.message,
            "platform.gic: a GICv3 needs its redistributors (gicr, gicr_stride >= 0x20000)");
    }
}

TEST(Vm, ColoredSharedMemoryIsTheSamePagesInEveryVm) {
    auto cfg = two_vms();
    cfg.shmems.push({0x10000, 0x0f00, false, 0});
    hv::IpcStorage a{};
    a.base = 0x5000'0000;
    a.size = 0x10000;
    cfg.vms[0].ipcs.push(a);
    a.base = 0x6000'0000;
    cfg.vms[1].ipcs.push(a);
    cfg.vms[1].colors = 0xf000;
    Machine m;
    m.init_ok(cfg);
    for (std::uint64_t off = 0; off < 0x10000; off += 0x1000) {
        const auto x = m.hv->walk(0, 0x5000'0000 + off);
        const auto y = m.hv->walk(1, 0x6000'0000 + off);
        ASSERT_TRUE(x.valid && y.valid);
        EXPECT_EQ(x.pa, y.pa);
        const auto c = cfg.platform.l2.color_of(x.pa);
        EXPECT_TRUE(c >= 8 && c <= 11);
    }
}

TEST(Vm, DevicesArePassedThroughAndTheVirtualUartIsEmulated) {
    auto cfg = two_vms();
    hv::DevStorage d{};
    d.pa = 0x0a00'0000;
    d.va = 0x0c00'0000;
    d.size = 0x2000;
    cfg.vms[0].devs.push(d);
    Machine m;
    m.init_ok(cfg);
    const auto w = m.hv->walk(0, 0x0c00'1004);
    ASSERT_TRUE(w.valid);
    EXPECT_EQ(w.pa, 0x0a00'1004u);
    EXPECT_EQ(w.type, hv::armv8::MemType::Device);
    const auto r = ref_walk(m.port, m.hv->vm(0).stage2.root(), 0x0c00'1004);
    EXPECT_EQ(r.pa, 0x0a00'1004u);
    EXPECT_FALSE(m.hv->walk(0, 0x0900'0000).valid); // the UART page traps
    ASSERT_GE(m.hv->vm(0).emul.size(), 1u);         // the UART, then the distributor
    EXPECT_EQ(m.hv->vm(0).emul[0].ipa, 0x0900'0000u);
}

// A `devs` entry covering the console (Bao's 64 KiB UART entry): its
// console page stays the trapped virtual UART, the rest is mapped.
TEST(Vm, ConsolePassedThroughStaysTheVirtualUart) {
    auto cfg = two_vms();
    hv::DevStorage d{};
    d.pa = d.va = 0x0900'0000;
    d.size = 0x1'0000;
    d.interrupts.push(33);
    cfg.vms[0].devs.push(d);
    hv::DevStorage timer{}; // interrupts only: nothing to map
    timer.interrupts.push(27);
    cfg.vms[0].devs.push(timer);
    Machine m;
    m.init_ok(cfg);
    EXPECT_FALSE(m.hv->walk(0, 0x0900'0000).valid);
    EXPECT_EQ(m.hv->vm(0).emul[0].ipa, 0x0900'0000u);
    const auto w = m.hv->walk(0, 0x0900'f008);
    ASSERT_TRUE(w.valid);
    EXPECT_EQ(w.pa, 0x0900'f008u);
    EXPECT_EQ(w.type, hv::armv8::MemType::Device);
    EXPECT_TRUE(m.hv->walk(0, 0x0900'1000).valid);
    EXPECT_FALSE(m.hv->walk(0, 0x0901'0000).valid);
    EXPECT_FALSE(m.hv->walk(0, 0).valid);
}

TEST(Vm, PhysicallyPlacedRegionIsMappedWhereConfigured) {
    auto cfg = two_vms();
    cfg.vms[0].regions[0].place_phys = true;
    cfg.vms[0].regions[0].phys = 0x6000'0000;
    cfg.vms[0].image.has_load_pa = true;
    cfg.vms[0].image.load_pa = 0x6000'0000; // in place: nothing to copy
    Machine m;
    m.init_ok(cfg);
    EXPECT_EQ(m.hv->walk(0, 0x4000'1000).pa, 0x6000'1000u);
    EXPECT_FALSE(m.hv->image_staging(0).copy);
}

// hv's run-time state grows with what the configuration declares (one Vm
// per VM, one Vcpu per CPU, one bit per page of RAM), and init refuses
// memory that is too small or misaligned for it.
TEST(Vm, RunTimeStateIsInProportionToTheConfig) {
    auto two = two_vms();
    auto three = two_vms();
    three.vms.push(hvtest::make_vm("third", 0b0100, 16ull << 20));
    auto big_ram = two_vms();
    big_ram.platform.ram[0].size = 2ull << 30;
    const std::size_t base = hv::Hypervisor::state_bytes(two.view());
    EXPECT_EQ(hv::Hypervisor::state_bytes(three.view()) - base, sizeof(hv::Vm));
    // 1 GiB more RAM: 262144 more pages, one bit each.
    EXPECT_EQ(hv::Hypervisor::state_bytes(big_ram.view()) - base, 262144u / 8);
    // The two-VM demo needs far less than the 8-VM, 4 GiB capacity.
    EXPECT_LT(base, 8 * sizeof(hv::Vm) + (4ull << 30) / 4096 / 8);

    Machine m;
    m.cfg = two;
    std::vector<std::byte> small(base - 1);
    hv::Error e = m.hv->init(m.cfg.view(), small);
    EXPECT_EQ(e.code, hv::ErrorCode::NoMemory);
    EXPECT_EQ(std::string(e.message), "init: hv's state needs " + std::to_string(base) +
                                          " bytes aligned to 16, " + std::to_string(base - 1) +
                                          " given");
    std::vector<std::byte> enough(base + 16);
    e = m.hv->init(m.cfg.view(), std::span<std::byte>(enough).subspan(8, base));
    EXPECT_EQ(e.code, hv::ErrorCode::NoMemory);
    EXPECT_TRUE(m.hv->init(m.cfg.view(), enough).ok());
    EXPECT_EQ(m.hv->num_vms(), 2u);
}

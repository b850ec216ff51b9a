// The fuzz target's isolation oracle (fuzz/oracle.h) must be able to fail:
// each test breaks one property by hand, behind hv's back, and checks the
// oracle names it; the fixed configurations themselves pass.
#include "fuzz/oracle.h"

#include <gtest/gtest.h>

#include "fuzz/configs.h"
#include "fuzz/ops.h"
#include "hv/arch/armv8/psci.h"
#include "hv/arch/armv8/trap.h"
#include "tests/hv/test_config.h"

namespace {

using hvfuzz::FuzzPort;
using hvfuzz::Oracle;

struct Booted {
    FuzzPort port;
    std::vector<std::byte> state; // hv's run-time state
    std::unique_ptr<hv::Hypervisor> hv = std::make_unique<hv::Hypervisor>(port);
    Oracle oracle{*hv, port};

    hv::ConfigStorage cfg; // what hv's Config points into

    explicit Booted(const hv::ConfigStorage& config) : cfg(config) {
        port.hv = hv.get();
        port.use_gic(cfg.platform.gic);
        const hv::Error err = hvtest::init(*hv, cfg.view(), state);
        EXPECT_TRUE(err.ok()) << err.message;
        EXPECT_TRUE(hv->boot().ok());
    }
    // The PA behind `ipa` in `vm`.
    std::uint64_t pa(std::uint32_t vm, std::uint64_t ipa) { return hv->walk(vm, ipa).pa; }
};

TEST(Oracle, FixedConfigurationsPass) {
    for (std::uint32_t i = 0; i < hvfuzz::kNumFixedConfigs; ++i) {
        Booted b(hvfuzz::fixed_config(i));
        EXPECT_TRUE(b.oracle.check_mappings()) << i << ": " << b.oracle.violation();
        b.oracle.before(0);
        EXPECT_TRUE(b.oracle.after()) << i << ": " << b.oracle.violation();
    }
}

// Regression (found by a long run on the merged tree): with two adjacent RAM
// ranges a VM's memory may run across their boundary; that is RAM, not
// "normal memory outside RAM". Memory just past the last range still is.
TEST(Oracle, RamRunsMayCrossAdjacentRanges) {
    hv::ConfigStorage cfg = hvtest::two_vms();
    cfg.platform = hv::platform::qemu_aarch64_virt(4, 512ull << 20);
    cfg.platform.ram.push({0x4000'0000 + (512ull << 20), 512ull << 20});
    Booted b(cfg);
    const std::uint64_t boundary = 0x4000'0000 + (512ull << 20);
    ASSERT_EQ(b.hv->vm_mut(0).stage2.map(0x9000'0000, boundary - 0x1000, 0x2000,
                                         hv::armv8::kNormalRwx, false),
              hv::armv8::MapStatus::Ok);
    EXPECT_TRUE(b.oracle.check_mappings()) << b.oracle.violation();
    ASSERT_EQ(b.hv->vm_mut(0).stage2.map(0x9100'0000, boundary + (512ull << 20), 0x1000,
                                         hv::armv8::kNormalRwx, false),
              hv::armv8::MapStatus::Ok);
    EXPECT_FALSE(b.oracle.check_mappings());
    EXPECT_NE(b.oracle.violation().find("outside RAM"), std::string::npos) << b.oracle.violation();
}

TEST(Oracle, FlagsARamPageMappedIntoTwoVms) {
    Booted b(hvtest::two_vms());
    const std::uint64_t other = b.pa(1, 0x4000'0000);
    ASSERT_EQ(b.hv->vm_mut(0).stage2.map(0x9000'0000, other, 0x1000, hv::armv8::kNormalRwx, false),
              hv::armv8::MapStatus::Ok);
    EXPECT_FALSE(b.oracle.check_mappings());
    EXPECT_NE(b.oracle.violation().find("mapped into vm 0"), std::string::npos)
        << b.oracle.violation();
}

TEST(Oracle, FlagsAMappedPageTable) {
    Booted b(hvtest::two_vms());
    const std::uint64_t root = b.hv->vm(1).stage2.root();
    ASSERT_EQ(b.hv->vm_mut(0).stage2.map(0x9000'0000, root, 0x1000, hv::armv8::kNormalRwx, false),
              hv::armv8::MapStatus::Ok);
    EXPECT_FALSE(b.oracle.check_mappings());
    EXPECT_NE(b.oracle.violation().find("page table"), std::string::npos) << b.oracle.violation();
}

TEST(Oracle, FlagsAVcpuContextAndHvRegion) {
    Booted b(hvtest::two_vms());
    const std::uint64_t ctx = b.hv->vcpu_on_cpu(1)->ctx_pa;
    ASSERT_EQ(b.hv->vm_mut(0).stage2.map(0x9000'0000, ctx, 0x1000, hv::armv8::kNormalRwx, false),
              hv::armv8::MapStatus::Ok);
    EXPECT_FALSE(b.oracle.check_mappings());

    Booted c(hvtest::two_vms());
    ASSERT_EQ(c.hv->vm_mut(1).stage2.map(0x9000'0000, c.hv->config().hyp.region.base, 0x1000,
                                         hv::armv8::kNormalRwx, false),
              hv::armv8::MapStatus::Ok);
    EXPECT_FALSE(c.oracle.check_mappings());
    EXPECT_NE(c.oracle.violation().find("hv's region"), std::string::npos) << c.oracle.violation();
}

TEST(Oracle, FlagsDeviceMappingsOfRamAndGicFrames) {
    Booted b(hvtest::two_vms());
    const std::uint64_t gich = b.hv->config().platform.gic.gich;
    ASSERT_EQ(b.hv->vm_mut(0).stage2.map(0x0a00'0000, gich, 0x1000, hv::armv8::kDeviceRw, false),
              hv::armv8::MapStatus::Ok);
    EXPECT_FALSE(b.oracle.check_mappings());
    EXPECT_NE(b.oracle.violation().find("GICH"), std::string::npos) << b.oracle.violation();

    Booted c(hvtest::two_vms());
    const std::uint64_t ram = c.pa(0, 0x4000'0000) + 0x10'0000;
    ASSERT_EQ(c.hv->vm_mut(0).stage2.map(0x0a00'0000, ram, 0x1000, hv::armv8::kDeviceRw, false),
              hv::armv8::MapStatus::Ok);
    EXPECT_FALSE(c.oracle.check_mappings());
    EXPECT_NE(c.oracle.violation().find("RAM as a device"), std::string::npos)
        << c.oracle.violation();
}

TEST(Oracle, FlagsAnotherVmStoppedOrStarted) {
    Booted b(hvtest::two_vms());
    b.oracle.before(0);
    std::snprintf(b.hv->vm_mut(1).exit_reason, hv::kExitReasonLen, "stopped behind its back");
    b.hv->stop_vm(b.hv->vm_mut(1), hv::ExitKind::PowerOff);
    EXPECT_FALSE(b.oracle.after());
    EXPECT_NE(b.oracle.violation().find("vm 1"), std::string::npos) << b.oracle.violation();

    Booted c(hvtest::two_vms());
    c.oracle.before(0);
    c.port.cpu_on(1); // as if vm 0's CPU_ON had started cpu 1
    EXPECT_FALSE(c.oracle.after());
    EXPECT_NE(c.oracle.violation().find("powered on cpu 1"), std::string::npos)
        << c.oracle.violation();
}

TEST(Oracle, FlagsAForeignInterruptInAListRegister) {
    Booted b(hvfuzz::fixed_config(0));
    b.oracle.before(0);
    // SPI 48 belongs to vm 1 ("pong"); put it in cpu 0's (vm 0's) list register.
    b.port.gic.cpu[0].lr[0] = hv::armv8::gicv2::gich::make_lr(48, 0xa0, true, true, 0);
    EXPECT_FALSE(b.oracle.after());
    EXPECT_NE(b.oracle.violation().find("does not own"), std::string::npos) << b.oracle.violation();
}

TEST(Oracle, FlagsAnotherVmsPhysicalSpiChanged) {
    Booted b(hvfuzz::fixed_config(0));
    b.oracle.before(0);
    // Enable SPI 48 (vm 1's) in the physical distributor during vm 0's operation.
    b.port.gic.gicd[(hv::armv8::gicv2::gicd::ISENABLER + 4) / 4] |= 1u << (48 - 32);
    EXPECT_FALSE(b.oracle.after());
    EXPECT_NE(b.oracle.violation().find("physical enable state of SPI 48"), std::string::npos)
        << b.oracle.violation();
}

// --- GICv3 (fixed configurations 3 and 4) ------------------------------------
// Fixed configuration 3 is 0 on a GICv3: "ping" on cpu 0, "pong" on cpu 1
// (SPI 48), "duo" on cpus 2 and 3.
constexpr std::uint32_t kThreeVmsGicv3 = 3;

TEST(Oracle, FlagsAForeignInterruptInAGicv3ListRegister) {
    Booted b(hvfuzz::fixed_config(kThreeVmsGicv3));
    ASSERT_TRUE(b.port.gic.v3);
    b.oracle.before(0);
    namespace ich = hv::armv8::gicv3::ich;
    b.port.gic.cpu[0].lr64[1] = ich::LR_PENDING | ich::LR_GROUP | 48; // vm 1's SPI
    EXPECT_FALSE(b.oracle.after());
    EXPECT_NE(b.oracle.violation().find("list register 1"), std::string::npos)
        << b.oracle.violation();
}

TEST(Oracle, FlagsAnotherVmsSpiReroutedOnGicv3) {
    Booted b(hvfuzz::fixed_config(kThreeVmsGicv3));
    b.oracle.before(0);
    b.port.gic.irouter[48] ^= 1; // vm 1's SPI, routed elsewhere during vm 0's operation
    EXPECT_FALSE(b.oracle.after());
    EXPECT_NE(b.oracle.violation().find("physical route of SPI 48"), std::string::npos)
        << b.oracle.violation();
}

TEST(Oracle, FlagsAnEnabledSpiRoutedOutsideItsOwnerOnGicv3) {
    Booted b(hvfuzz::fixed_config(kThreeVmsGicv3));
    namespace d = hv::armv8::gicv2::gicd;
    b.port.gic.gicd[(d::ISENABLER + 4) / 4] |= 1u << (48 - 32);
    b.port.gic.irouter[48] = 0; // cpu 0: vm 0's, not vm 1's
    b.oracle.before(1);
    EXPECT_FALSE(b.oracle.after());
    EXPECT_NE(b.oracle.violation().find("routed to cpus"), std::string::npos)
        << b.oracle.violation();
}

TEST(Oracle, FlagsAWriteToAnotherVmsRedistributor) {
    Booted b(hvfuzz::fixed_config(kThreeVmsGicv3));
    const hv::GicAddrs& g = b.hv->config().platform.gic;
    b.oracle.before(0);
    b.port.dev_write(g.gicr + 2 * g.gicr_stride + hv::kGicrFrameSize + 0x100, 4, 1); // cpu 2's
    EXPECT_FALSE(b.oracle.after());
    EXPECT_NE(b.oracle.violation().find("redistributor of cpu 2"), std::string::npos)
        << b.oracle.violation();
}

TEST(Oracle, FlagsADeviceMappingOfARedistributor) {
    Booted b(hvfuzz::fixed_config(kThreeVmsGicv3));
    const hv::GicAddrs& g = b.hv->config().platform.gic;
    ASSERT_EQ(b.hv->vm_mut(0).stage2.map(0x0a00'0000, g.gicr + 3 * g.gicr_stride, 0x1000,
                                         hv::armv8::kDeviceRw, false),
              hv::armv8::MapStatus::Ok);
    EXPECT_FALSE(b.oracle.check_mappings());
    EXPECT_NE(b.oracle.violation().find("GICR"), std::string::npos) << b.oracle.violation();
}

// The GICv3 operations reach hv's redistributor and SGI paths (not only a
// stage-2 fault): a vCPU wakes its redistributor, and a trapped
// ICC_SGI1R_EL1 write reaches the vGIC.
TEST(FuzzOps, Gicv3OperationsReachTheRedistributorAndSgiPaths) {
    Booted b(hvfuzz::fixed_config(kThreeVmsGicv3));
    hvfuzz::Machine m(*b.hv, b.port);
    const hv::Vm& duo = b.hv->vm(2);
    ASSERT_EQ(b.hv->vcpu_on_cpu(2)->vgic.asleep, 1u);
    // gicr-access: frame 0, RD_base, GICR_WAKER (0x14), a 4-byte store of x1 = 0.
    const std::uint8_t wake[] = {0, 0, 0x14, 0, 1 | (2 << 1), 1, 0, 0, 0, 0, 0, 0, 0, 0};
    hvfuzz::Input in(wake, sizeof wake);
    const std::uint64_t traps = duo.vgicd.traps;
    hvfuzz::run_op(m, 20, 2, in);
    EXPECT_EQ(duo.vgicd.traps, traps + 1);
    EXPECT_EQ(b.hv->vcpu_on_cpu(2)->vgic.asleep, 0u);
    // icc-sysreg: ICC_SGI1R_EL1 written from x2 = SGI 3 to affinity 0.0.0.1.
    const std::uint8_t sgi[] = {0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 1, 0, 0};
    hvfuzz::Input in2(sgi, sizeof sgi);
    const std::uint64_t sgis = duo.vgicd.sgis;
    hvfuzz::run_op(m, 21, 2, in2);
    EXPECT_EQ(duo.vgicd.sgis, sgis + 1);
    EXPECT_STREQ(hvfuzz::op_name(20), "gicr-access");
    EXPECT_STREQ(hvfuzz::op_name(21), "icc-sysreg");
}

TEST(Oracle, AcceptsTheCallersOwnPowerOff) {
    Booted b(hvtest::two_vms());
    b.oracle.before(0);
    hv::VcpuRegs regs{};
    regs.x[0] = hv::armv8::psci::SYSTEM_OFF;
    b.port.current_cpu = 0;
    EXPECT_EQ(hv::armv8::handle_trap(*b.hv, hv::armv8::hvc64(), regs), hv::TrapAction::VmStopped);
    EXPECT_TRUE(b.oracle.after()) << b.oracle.violation();
}

} // namespace

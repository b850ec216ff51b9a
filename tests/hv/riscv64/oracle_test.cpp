// RISC-V's fuzz oracle (fuzz/riscv64/oracle.h) must be able to fail: each
// test breaks one property by hand, behind hv's back, and checks the oracle
// names it; the fixed configurations pass, and the operations reach hv's
// SBI, vPLIC and interrupt paths rather than a stopped VM.
#include "fuzz/riscv64/oracle.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "fuzz/riscv64/configs.h"
#include "fuzz/riscv64/ops.h"
#include "hv/arch/riscv64/gstage.h"
#include "hv/arch/riscv64/vplic.h"
#include "tests/hv/hv_init.h"

namespace rv_oracle_test {

namespace plic = hv::riscv64::plic;
using hvfuzz::rv::FuzzRvPort;
using hvfuzz::rv::Oracle;

// Config 0: ping (vm 0, hart 0), pong (vm 1, hart 1, source 1), duo (vm 2,
// harts 2 and 3, sources 2 and 3).
struct Booted {
    FuzzRvPort port;
    std::vector<std::byte> state; // hv's run-time state
    std::unique_ptr<hv::Hypervisor> hv = std::make_unique<hv::Hypervisor>(port);
    Oracle oracle{*hv, port};
    hv::ConfigStorage cfg; // what hv's Config points into

    explicit Booted(std::uint32_t which) : cfg(hvfuzz::rv::fixed_config(which)) {
        port.hv = hv.get();
        port.plic = cfg.platform.gic.gicd;
        const hv::Error err = hvtest::init(*hv, cfg.view(), state);
        EXPECT_TRUE(err.ok()) << err.message;
        EXPECT_TRUE(hv->boot().ok());
    }
    std::uint64_t pa(std::uint32_t vm, std::uint64_t gpa) { return hv->walk(vm, gpa).pa; }
    // The oracle's verdict on something done on `cpu`, and that it names `what`.
    void expect_flagged(const char* what) {
        EXPECT_FALSE(oracle.after());
        EXPECT_NE(oracle.violation().find(what), std::string::npos) << oracle.violation();
    }
    void expect_mapping_flagged(const char* what) {
        EXPECT_FALSE(oracle.check_mappings());
        EXPECT_NE(oracle.violation().find(what), std::string::npos) << oracle.violation();
    }
};

constexpr std::uint64_t kGpa = 0x9000'0000; // outside every VM's memory

TEST(RvOracle, FixedConfigurationsPass) {
    for (std::uint32_t i = 0; i < hvfuzz::rv::kNumFixedConfigs; ++i) {
        Booted b(i);
        EXPECT_TRUE(b.oracle.check_mappings()) << i << ": " << b.oracle.violation();
        b.oracle.before(0);
        EXPECT_TRUE(b.oracle.after()) << i << ": " << b.oracle.violation();
    }
}

TEST(RvOracle, FlagsARamPageMappedIntoTwoVms) {
    Booted b(0);
    const std::uint64_t other = b.pa(1, hvtest::kRvGuestBase);
    ASSERT_EQ(b.hv->vm_mut(0).stage2.map(kGpa, other, 0x1000, hv::riscv64::kNormalRwx, false),
              hv::MapStatus::Ok);
    b.expect_mapping_flagged("mapped into vm 0");
}

TEST(RvOracle, FlagsAMappedGStageTable) {
    Booted b(0);
    const std::uint64_t root = b.hv->vm(1).stage2.root() + 3 * 0x1000; // the root's last page
    ASSERT_EQ(b.hv->vm_mut(0).stage2.map(kGpa, root, 0x1000, hv::riscv64::kNormalRwx, false),
              hv::MapStatus::Ok);
    b.expect_mapping_flagged("hv's page");
}

TEST(RvOracle, FlagsThePlicMappedAsADevice) {
    Booted b(0);
    ASSERT_EQ(b.hv->vm_mut(0).stage2.map(kGpa, b.cfg.platform.gic.gicd + plic::kContext, 0x1000,
                                         hv::riscv64::kDeviceRw, false),
              hv::MapStatus::Ok);
    b.expect_mapping_flagged("the PLIC, which hv owns");
}

TEST(RvOracle, FlagsAnotherVmsVplicConfiguration) {
    Booted b(0);
    b.oracle.before(0);
    b.hv->vm_mut(1).vgicd.prio[1] = 7;
    b.expect_flagged("vm 1 (caller: cpu 0 (vm 0)): virtual PLIC configuration changed");
}

TEST(RvOracle, FlagsASourceEnabledThatTheVmDoesNotOwn) {
    Booted b(0);
    b.oracle.before(0);
    b.hv->vm_mut(0).vgicd.enabled[0][0] |= 1u << 2; // duo's source 2
    b.expect_flagged("vm 0: source 2 enabled in context 0, not owned");
}

TEST(RvOracle, FlagsASourceBackedByAnotherVmsDevice) {
    Booted b(0);
    b.oracle.before(0);
    b.hv->vm_mut(0).vgicd.owned[0] |= 1u << 1; // pong's source 1, as ping's hardware one
    b.hv->vm_mut(0).vgicd.hw[0] |= 1u << 1;
    b.expect_flagged("vm 0: backs source 1 by another's device");
}

TEST(RvOracle, FlagsAHartRunningAnotherVmsGStage) {
    Booted b(0);
    b.oracle.before(0);
    b.port.csrs[{1, hv::riscv64::Csr::hgatp}] = b.hv->vm(0).stage2_base();
    b.expect_flagged("cpu 1 of vm 1: runs with hgatp");
}

TEST(RvOracle, FlagsARemoteFenceOnAnotherVmsHarts) {
    Booted b(0);
    b.oracle.before(0);
    b.port.hfence_vvma(0b0110, b.hv->vm(0).vmid, 0, ~0ull);
    b.expect_flagged("fenced VMID");
}

TEST(RvOracle, FlagsAPhysicalPriorityOfAnotherVmsSource) {
    Booted b(0);
    b.oracle.before(0);
    b.port.dev_write(b.port.plic + plic::kPriority + 4 * 1, 4, 5); // pong's source 1
    b.expect_flagged("source 1's priority");
}

TEST(RvOracle, FlagsACompletionInAnotherHartsContext) {
    Booted b(0);
    b.oracle.before(1);
    b.port.dev_write(b.port.plic + plic::kContext + plic::kContextStride * plic::s_context(2) +
                         plic::kClaim,
                     4, 2);
    b.expect_flagged("context 5's registers");
}

TEST(RvOracle, FlagsAnotherVmStopped) {
    Booted b(0);
    b.oracle.before(0);
    b.hv->stop_vm(b.hv->vm_mut(2), hv::ExitKind::Stage2Fault);
    b.expect_flagged("vm 2 (caller: cpu 0 (vm 0)): state changed");
}

// The operations reach hv's paths: a vPLIC store is emulated (not a stopped
// VM), an external interrupt of pong's device reaches pong's vPLIC, and
// HART_START powers duo's second hart on.
TEST(RvFuzzOps, OperationsReachTheVplicSbiAndInterruptPaths) {
    Booted b(0);
    hvfuzz::rv::Machine m(*b.hv, b.port);
    const hv::Vm& pong = b.hv->vm(1);
    // plic-access (4) on hart 1: priority of source 1 (choice 0, offset 4),
    // a 4-byte store (flag 1, size 1 << 2) through x5 with a transformed
    // instruction (choice 0), x5 = 3 (flag 1, u8 3).
    const std::uint8_t store[] = {0, 0, 1, 0, 1, 2, 5, 0, 1, 3};
    hvfuzz::Input in(store, sizeof store);
    b.oracle.before(1);
    hvfuzz::rv::run_op(m, 4, 1, in);
    EXPECT_TRUE(b.oracle.after()) << b.oracle.violation();
    EXPECT_EQ(pong.state, hv::VmState::Running);
    EXPECT_EQ(pong.vgicd.traps, 1u);
    EXPECT_EQ(pong.vgicd.prio[1], 3u);
    // ext-irq (9) on hart 1: the claim returns source 1 (flag 0, u8 1).
    const std::uint8_t irq[] = {0, 1};
    hvfuzz::Input in2(irq, sizeof irq);
    b.oracle.before(1);
    hvfuzz::rv::run_op(m, 9, 1, in2);
    EXPECT_TRUE(b.oracle.after()) << b.oracle.violation();
    EXPECT_EQ(pong.vgicd.injected, 1u);
    // start-all (15) on hart 2: duo's virtual hart 1 (hart 3) starts.
    hvfuzz::Input none(nullptr, 0);
    b.oracle.before(2);
    hvfuzz::rv::run_op(m, 15, 2, none);
    EXPECT_TRUE(b.oracle.after()) << b.oracle.violation();
    EXPECT_EQ(b.hv->vcpu_on_cpu(3)->state, hv::VcpuState::Running);
    EXPECT_STREQ(hvfuzz::rv::op_name(4), "plic-access");
    EXPECT_STREQ(hvfuzz::rv::op_name(9), "ext-irq");
    EXPECT_STREQ(hvfuzz::rv::op_name(15), "start-all");
}

// A varied configuration goes through init's checks: pong's and duo's
// devices both given PLIC source 5 are refused, naming both VMs.
TEST(RvFuzzConfigs, VariedConfigurationsGoThroughInit) {
    // hv's colors kept (255); per VM: harts and colors kept (255, 255), each
    // device's interrupts varied (1) to one (1) entry, common value 3 (= 5),
    // the IPC's kept (0), no extra device (255).
    const std::uint8_t bytes[] = {255, 255, 255, 0,   255, 255, 255, 1, 1,  3,
                                  0,   255, 255, 255, 1,   1,   3,   0, 255};
    hvfuzz::Input in(bytes, sizeof bytes);
    hv::ConfigStorage cfg = hvfuzz::rv::varied_config(0, in);
    EXPECT_TRUE(in.empty());
    FuzzRvPort port;
    std::vector<std::byte> state;
    auto h = std::make_unique<hv::Hypervisor>(port);
    const hv::Error err = hvtest::init(*h, cfg.view(), state);
    EXPECT_STREQ(
        err.message,
        "vms[2].devs[0].interrupts[0]: PLIC source 5 is already owned by vms[1] (\"pong\")");
    // Nothing varied: the fixed configuration.
    const std::uint8_t none[] = {255, 255, 255, 0, 255, 255, 255, 0, 0, 255, 255, 255, 0, 0, 255};
    hvfuzz::Input in2(none, sizeof none);
    cfg = hvfuzz::rv::varied_config(0, in2);
    EXPECT_TRUE(in2.empty());
    auto h2 = std::make_unique<hv::Hypervisor>(port);
    EXPECT_TRUE(hvtest::init(*h2, cfg.view(), state).ok());
}

} // namespace rv_oracle_test

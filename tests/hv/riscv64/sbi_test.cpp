// The SBI interface hv offers its guests: base, HSM's state machine, IPI hart
// masks, RFENCE ranges, TIME, SRST, Bao's hypercalls, and SBI's error codes.
#include <gtest/gtest.h>

#include "hv/abi/hypercall.h"
#include "tests/hv/riscv64/rv_fixture.h"

namespace {

namespace sbi = hv::riscv64::sbi;
using hv::TrapAction;
using hv::VcpuState;
using hvtest::RvHv;

using SbiBase = RvHv;
TEST_F(SbiBase, VersionProbeAndUnknownExtensions) {
    auto r = ecall(0, sbi::EXT_BASE, sbi::GET_SPEC_VERSION);
    EXPECT_EQ(r.error, sbi::SUCCESS);
    EXPECT_EQ(r.value, 2u << 24); // v2.0
    for (const std::uint64_t ext : {sbi::EXT_TIME, sbi::EXT_IPI, sbi::EXT_RFENCE, sbi::EXT_HSM,
                                    sbi::EXT_SRST, std::uint64_t{BAO_HC_SBI_EXTID}}) {
        r = ecall(0, sbi::EXT_BASE, sbi::PROBE_EXTENSION, ext);
        EXPECT_EQ(r.error, sbi::SUCCESS);
        EXPECT_EQ(r.value, 1u) << std::hex << ext;
    }
    r = ecall(0, sbi::EXT_BASE, sbi::PROBE_EXTENSION, 0x4442434E); // DBCN: not offered
    EXPECT_EQ(r.value, 0u);
    EXPECT_EQ(ecall(0, 0x1, 0, 'x').error, sbi::ERR_NOT_SUPPORTED); // legacy putchar
    EXPECT_EQ(ecall(0, 0x12345678, 0).error, sbi::ERR_NOT_SUPPORTED);
    EXPECT_EQ(ecall(0, sbi::EXT_BASE, 99).error, sbi::ERR_NOT_SUPPORTED);
    EXPECT_EQ(ecall(0, sbi::EXT_TIME, 1).error, sbi::ERR_NOT_SUPPORTED);
}

// HSM: VM "bench" has virtual harts 0 (cpu 0, booted) and 1 (cpu 1, off).
using SbiHsm = RvHv;
TEST_F(SbiHsm, StartStopStatusStateMachine) {
    EXPECT_EQ(ecall(0, sbi::EXT_HSM, sbi::HART_GET_STATUS, 0).value, sbi::HSM_STARTED);
    EXPECT_EQ(ecall(0, sbi::EXT_HSM, sbi::HART_GET_STATUS, 1).value, sbi::HSM_STOPPED);
    // Unknown hart, unmapped entry, already started: no state changes.
    EXPECT_EQ(ecall(0, sbi::EXT_HSM, sbi::HART_GET_STATUS, 2).error, sbi::ERR_INVALID_PARAM);
    EXPECT_EQ(ecall(0, sbi::EXT_HSM, sbi::HART_START, 2, 0x8000'0000).error,
              sbi::ERR_INVALID_PARAM);
    EXPECT_EQ(ecall(0, sbi::EXT_HSM, sbi::HART_START, 1, 0x4000'0000).error,
              sbi::ERR_INVALID_ADDRESS);
    EXPECT_EQ(ecall(0, sbi::EXT_HSM, sbi::HART_START, 0, 0x8000'0000).error,
              sbi::ERR_ALREADY_AVAILABLE);
    EXPECT_EQ(vcpu(1).state, VcpuState::Off);
    // Start hart 1 at 0x8000_2000 with opaque 0x55: cpu 1 powers on.
    const auto before = port.mem.cpus_on.size();
    auto r = ecall(0, sbi::EXT_HSM, sbi::HART_START, 1, 0x8000'2000, 0x55);
    EXPECT_EQ(r.error, sbi::SUCCESS);
    ASSERT_EQ(port.mem.cpus_on.size(), before + 1);
    EXPECT_EQ(port.mem.cpus_on.back(), 1u);
    EXPECT_EQ(vcpu(1).boot.pc, 0x8000'2000u);
    EXPECT_EQ(vcpu(1).boot.x0, 0x55u); // a1 at its first instruction
    EXPECT_EQ(ecall(0, sbi::EXT_HSM, sbi::HART_GET_STATUS, 1).value, sbi::HSM_STARTED);
    EXPECT_EQ(ecall(0, sbi::EXT_HSM, sbi::HART_START, 1, 0x8000'2000).error,
              sbi::ERR_ALREADY_AVAILABLE);
    // Hart 1 stops itself; hart 0 sees it stopped and may start it again.
    EXPECT_EQ(ecall(1, sbi::EXT_HSM, sbi::HART_STOP).action, TrapAction::VcpuOff);
    EXPECT_EQ(port.mem.cpus_stopped.back(), 1u);
    EXPECT_EQ(ecall(0, sbi::EXT_HSM, sbi::HART_GET_STATUS, 1).value, sbi::HSM_STOPPED);
    EXPECT_EQ(ecall(0, sbi::EXT_HSM, sbi::HART_START, 1, 0x8000'3000).error, sbi::SUCCESS);
}

TEST_F(SbiHsm, HartIdsAreVirtualAndPerVm) {
    // VM "interf" has one hart (cpu 2): its hart 0 is cpu 2, hart 1 does not exist.
    EXPECT_EQ(ecall(2, sbi::EXT_HSM, sbi::HART_GET_STATUS, 0).value, sbi::HSM_STARTED);
    EXPECT_EQ(ecall(2, sbi::EXT_HSM, sbi::HART_START, 1, 0x8000'0000).error,
              sbi::ERR_INVALID_PARAM);
    EXPECT_EQ(vcpu(1).state, VcpuState::Off); // bench's hart 1 untouched
}

TEST_F(SbiHsm, RetentiveSuspendIdlesOthersAreRefused) {
    auto r = ecall(0, sbi::EXT_HSM, sbi::HART_SUSPEND, sbi::SUSPEND_RETENTIVE);
    EXPECT_EQ(r.action, TrapAction::Idle);
    EXPECT_EQ(r.error, sbi::SUCCESS);
    EXPECT_EQ(ecall(0, sbi::EXT_HSM, sbi::HART_SUSPEND, sbi::SUSPEND_NON_RETENTIVE).error,
              sbi::ERR_NOT_SUPPORTED);
    EXPECT_EQ(ecall(0, sbi::EXT_HSM, sbi::HART_SUSPEND, 0x5).error, sbi::ERR_INVALID_PARAM);
    EXPECT_EQ(ecall(0, sbi::EXT_HSM, 7).error, sbi::ERR_NOT_SUPPORTED);
}

using SbiIpi = RvHv;
TEST_F(SbiIpi, HartMaskAndBase) {
    const hv::Vm& bench = h->vm(0);
    std::uint64_t v = 0;
    EXPECT_TRUE(hv::riscv64::sbi_hart_mask(bench, 0b11, 0, v));
    EXPECT_EQ(v, 0b11u);
    EXPECT_TRUE(hv::riscv64::sbi_hart_mask(bench, 0b1, 1, v));
    EXPECT_EQ(v, 0b10u);
    EXPECT_TRUE(hv::riscv64::sbi_hart_mask(bench, 0, sbi::kAllHarts, v)); // mask ignored
    EXPECT_EQ(v, 0b11u);
    EXPECT_TRUE(hv::riscv64::sbi_hart_mask(bench, 0, 5, v)); // no harts named
    EXPECT_EQ(v, 0u);
    EXPECT_FALSE(hv::riscv64::sbi_hart_mask(bench, 0b100, 0, v));
    EXPECT_FALSE(hv::riscv64::sbi_hart_mask(bench, 0b10, 1, v));
    EXPECT_FALSE(hv::riscv64::sbi_hart_mask(bench, 1, 64, v));
    EXPECT_FALSE(hv::riscv64::sbi_hart_mask(bench, 1ull << 63, 2, v)); // base + 63 overflows
}

TEST_F(SbiIpi, RaisesVssipHereAndByHvIpiElsewhere) {
    start_bench_hart1();
    port.ipis.clear();
    // Hart 0 (cpu 0) IPIs harts 0 and 1 of its VM.
    EXPECT_EQ(ecall(0, sbi::EXT_IPI, 0, 0b11, 0).error, sbi::SUCCESS);
    EXPECT_NE(hvip(0) & hv::riscv64::kVssip, 0u);
    ASSERT_EQ(port.ipis.size(), 1u);
    EXPECT_EQ(port.ipis[0].first, 1u);
    EXPECT_EQ(hvip(1) & hv::riscv64::kVssip, 0u);
    take_ipi(1);
    EXPECT_NE(hvip(1) & hv::riscv64::kVssip, 0u);
    // The other VM's hart never hears of it; an invalid mask sends nothing.
    EXPECT_EQ(hvip(2) & hv::riscv64::kVssip, 0u);
    port.ipis.clear();
    EXPECT_EQ(ecall(2, sbi::EXT_IPI, 0, 0b10, 0).error, sbi::ERR_INVALID_PARAM);
    EXPECT_TRUE(port.ipis.empty());
    EXPECT_EQ(hvip(2) & hv::riscv64::kVssip, 0u);
    // -1: every hart of the caller's VM.
    port.csrs[{0, hv::riscv64::Csr::hvip}] = 0;
    EXPECT_EQ(ecall(1, sbi::EXT_IPI, 0, 0, sbi::kAllHarts).error, sbi::SUCCESS);
    EXPECT_NE(hvip(1) & hv::riscv64::kVssip, 0u);
    ASSERT_EQ(port.ipis.size(), 1u);
    EXPECT_EQ(port.ipis[0].first, 0u);
}

using SbiRfence = RvHv;
TEST_F(SbiRfence, RangesBecomeVvmaOnTheVmsHarts) {
    auto r = ecall(0, sbi::EXT_RFENCE, sbi::REMOTE_SFENCE_VMA, 0b10, 0, 0x1000, 0x3000);
    EXPECT_EQ(r.error, sbi::SUCCESS);
    ASSERT_EQ(port.vvmas.size(), 1u);
    const auto vmid = h->vm(0).vmid;
    EXPECT_EQ(port.vvmas[0], std::make_tuple(std::uint64_t{0b10}, vmid, std::uint64_t{0x1000},
                                             std::uint64_t{0x3000}));
    // start 0 and size 0, or size -1: the whole space.
    ecall(0, sbi::EXT_RFENCE, sbi::REMOTE_SFENCE_VMA, 0, sbi::kAllHarts, 0, 0);
    EXPECT_EQ(std::get<3>(port.vvmas.back()), ~0ull);
    EXPECT_EQ(std::get<0>(port.vvmas.back()), 0b11u);
    ecall(0, sbi::EXT_RFENCE, sbi::REMOTE_SFENCE_VMA_ASID, 1, 0, 0x5000, ~0ull, 7);
    EXPECT_EQ(std::get<2>(port.vvmas.back()), 0u);
    EXPECT_EQ(std::get<3>(port.vvmas.back()), ~0ull);
    // interf (cpu 2): its hart 0 is physical hart 2, its own VMID.
    ecall(2, sbi::EXT_RFENCE, sbi::REMOTE_SFENCE_VMA, 1, 0, 0x1000, 0x1000);
    EXPECT_EQ(std::get<0>(port.vvmas.back()), 0b100u);
    EXPECT_EQ(std::get<1>(port.vvmas.back()), h->vm(1).vmid);
    const auto n = port.vvmas.size();
    // A range that wraps, a hart it lacks, a hypervisor fence: errors, no fence.
    EXPECT_EQ(ecall(0, sbi::EXT_RFENCE, sbi::REMOTE_SFENCE_VMA, 1, 0, ~0ull - 0xfff, 0x2000).error,
              sbi::ERR_INVALID_ADDRESS);
    EXPECT_EQ(ecall(0, sbi::EXT_RFENCE, sbi::REMOTE_SFENCE_VMA, 0b100, 0, 0, 0).error,
              sbi::ERR_INVALID_PARAM);
    EXPECT_EQ(ecall(0, sbi::EXT_RFENCE, 3, 1, 0, 0, 0).error, sbi::ERR_NOT_SUPPORTED);
    EXPECT_EQ(port.vvmas.size(), n);
    EXPECT_EQ(ecall(0, sbi::EXT_RFENCE, sbi::REMOTE_FENCE_I, 0b11, 0).error, sbi::SUCCESS);
    EXPECT_EQ(port.fence_is.back(), 0b11u);
}

using SbiTime = RvHv;
TEST_F(SbiTime, SetTimerArmsTheHartAndItsInterruptBecomesVstip) {
    EXPECT_EQ(ecall(0, sbi::EXT_TIME, 0, 123456).error, sbi::SUCCESS);
    EXPECT_EQ(port.timers[0], 123456u);
    port.current_cpu = 0;
    EXPECT_EQ(hv::riscv64::handle_irq(*h, hv::riscv64::cause::SupervisorTimer),
              hv::riscv64::IrqOutcome::Timer);
    EXPECT_NE(hvip(0) & hv::riscv64::kVstip, 0u);
    EXPECT_EQ(port.timers[0], ~0ull);
    // The next set_timer withdraws the guest's pending timer interrupt.
    ecall(0, sbi::EXT_TIME, 0, 200000);
    EXPECT_EQ(hvip(0) & hv::riscv64::kVstip, 0u);
}

using SbiSrst = RvHv;
TEST_F(SbiSrst, ShutdownStopsTheVmTheLastOnePowersOff) {
    EXPECT_EQ(ecall(0, sbi::EXT_SRST, 0, 9, 0).error, sbi::ERR_INVALID_PARAM);
    EXPECT_EQ(ecall(0, sbi::EXT_SRST, 0, 0, 7).error, sbi::ERR_INVALID_PARAM);
    EXPECT_EQ(ecall(0, sbi::EXT_SRST, 0, sbi::RESET_COLD_REBOOT, 0).error, sbi::ERR_NOT_SUPPORTED);
    EXPECT_EQ(ecall(0, sbi::EXT_SRST, 0, sbi::RESET_SHUTDOWN, 0).action, TrapAction::VmStopped);
    EXPECT_EQ(h->vm(0).exit_kind, hv::ExitKind::PowerOff);
    EXPECT_STREQ(h->vm(0).exit_reason, "vm 0 (\"bench\") core 0: powered off (SBI SRST shutdown)");
    EXPECT_FALSE(port.mem.powered_off);
    EXPECT_EQ(ecall(2, sbi::EXT_SRST, 0, 0, sbi::REASON_SYSTEM_FAILURE).action,
              TrapAction::VmStopped);
    EXPECT_TRUE(port.mem.powered_off);
}

using SbiBao = RvHv;
TEST_F(SbiBao, HypercallsAtBaosExtension) {
    // Mark start, a sample, a bad mark, an unknown id: 0 or Bao's negated
    // code in a0 (hv/abi/hypercall.h), a parameter's value in a1.
    auto r = ecall(0, BAO_HC_SBI_EXTID, BAO_HC_ID_MARK, 0);
    EXPECT_EQ(r.error, 0);
    EXPECT_EQ(r.value, 0u);
    ASSERT_EQ(port.mem.marks.size(), 1u);
    EXPECT_EQ(port.mem.marks[0], std::make_pair(0u, hv::Mark::Start));
    ecall(0, BAO_HC_SBI_EXTID, BAO_HC_ID_SAMPLE, 777);
    EXPECT_EQ(port.mem.samples.back(), std::make_pair(0u, std::uint64_t{777}));
    r = ecall(0, BAO_HC_SBI_EXTID, BAO_HC_ID_MARK, 5);
    EXPECT_EQ(r.error, -BAO_HC_E_INVAL_ARGS);
    EXPECT_EQ(r.value, 0u);
    EXPECT_EQ(ecall(0, BAO_HC_SBI_EXTID, 0x99).error, -BAO_HC_E_INVAL_ID);
    r = ecall(0, BAO_HC_SBI_EXTID, BAO_HC_ID_PARAM, 0); // the fake port has no parameters
    EXPECT_EQ(r.error, -BAO_HC_E_INVAL_ARGS);
}

TEST_F(SbiBao, IpcNotifyRaisesThePeersSourceInItsVplicOnly) {
    hv::Vm& interf = h->vm_mut(1);
    // interf's hart 0 enables source 52 with priority 1 in its S context (1).
    interf.vgicd.prio[52] = 1;
    interf.vgicd.enabled[0][52 / 32] |= 1u << (52 % 32);
    auto r = ecall(0, BAO_HC_SBI_EXTID, BAO_HC_ID_IPC, 0, 0);
    EXPECT_EQ(r.error, 0);
    EXPECT_EQ(interf.ipc_notifications, 1u);
    EXPECT_EQ(hv::riscv64::vplic_best(interf, 0), 52u);
    EXPECT_EQ(hv::riscv64::vplic_best(h->vm(0), 0), 0u); // not the caller's
    take_ipi(2);
    EXPECT_NE(hvip(2) & hv::riscv64::kVseip, 0u);
    EXPECT_EQ(ecall(0, BAO_HC_SBI_EXTID, BAO_HC_ID_IPC, 3, 0).error, -BAO_HC_E_INVAL_ARGS);
}

} // namespace

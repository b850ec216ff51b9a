// Integration: the RISC-V platform (--platform qemu-riscv64-virt,
// docs/riscv.md) boots the RV64 guests natively: hello on four harts, every
// small benchmark with checksum_ok=1, irqlat on the supervisor timer, the
// same statistics twice; the native firmware's SBI; guests for the other
// architecture refused by name.
#include "sim/cpu/rv64_syndrome.h"
#include "sim/firmware.h"
#include "sim/simulation.h"

#include "guest_files.h"
#include "run_cli.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

namespace sim {
namespace {

using test::kRiscv;
using test::rv64_built;

RunOptions rv64(const std::string& workload, unsigned cores = 1) {
    RunOptions o;
    o.platform = kRiscv;
    o.workload = workload;
    o.cores = cores;
    o.workloads_dir = test::workloads_dir();
    return o;
}

TEST(RiscvPlatform, HelloOnFourHarts) {
    if (!rv64_built("hello"))
        GTEST_SKIP() << "RV64 guests not built (gcc-riscv64-unknown-elf)";
    const auto r = test::run_cli(
        {"--platform", kRiscv, "--config", "native", "--workload", "hello", "--cores", "4"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(test::missing_hello_lines(r.out, 4), "") << r.out;
    EXPECT_NE(r.out.find("hart 0 called SBI system_reset"), std::string::npos) << r.out;
}

class RiscvWorkload : public ::testing::TestWithParam<const char*> {};

TEST_P(RiscvWorkload, ChecksumOkAndDeterministic) {
    if (!rv64_built(GetParam()))
        GTEST_SKIP() << "RV64 guests not built";
    std::string stats[2];
    for (auto& s : stats) {
        std::ostringstream out;
        Simulation sim(rv64(GetParam()), &out);
        const RunOutcome o = sim.run();
        ASSERT_EQ(o.code, ExitCode::ok) << o.detail << out.str();
        EXPECT_TRUE(sim.workload_summary().checksum_ok) << out.str();
        s = sim.stats_json();
        // Host time and speed differ run to run; everything simulated must not.
        for (const char* key : {"\"host_seconds\"", "\"mips\""}) {
            const size_t at = s.find(key);
            ASSERT_NE(at, std::string::npos);
            s.erase(at, s.find_first_of(",}", at) - at);
        }
    }
    EXPECT_EQ(stats[0], stats[1]);
}

INSTANTIATE_TEST_SUITE_P(Small, RiscvWorkload,
                         ::testing::Values("qsort-small", "bitcount-small", "basicmath-small",
                                           "susan-corners-small", "susan-edges-small",
                                           "susan-smoothing-small", "irqlat-quick"),
                         [](const auto& info) {
                             std::string n = info.param;
                             for (auto& c : n)
                                 c = c == '-' ? '_' : c;
                             return n;
                         });

TEST(RiscvPlatform, IrqlatSamplesTheSupervisorTimer) {
    if (!rv64_built("irqlat-quick"))
        GTEST_SKIP() << "RV64 guests not built";
    std::ostringstream out;
    Simulation sim(rv64("irqlat-quick"), &out);
    ASSERT_EQ(sim.run().code, ExitCode::ok) << out.str();
    EXPECT_NE(out.str().find("irqlat: samples=50 "), std::string::npos) << out.str();
    const std::string json = sim.stats_json();
    const size_t at = json.find("\"irq_latency_ns\"");
    ASSERT_NE(at, std::string::npos);
    EXPECT_NE(json.find("\"samples\": 50", at), std::string::npos) << json.substr(at, 200);
}

TEST(RiscvPlatform, InterferenceRunsUntilTheLimit) {
    if (!rv64_built("interference"))
        GTEST_SKIP() << "RV64 guests not built";
    const auto r = test::run_cli(
        {"--platform", kRiscv, "--workload", "interference", "--max-seconds", "0.002"});
    EXPECT_EQ(r.code, 4) << r.err;
    EXPECT_NE(r.out.find("interference: core 0"), std::string::npos) << r.out;
}

TEST(RiscvPlatform, ArmGuestRefusedNamingItsArchitecture) {
    const auto r =
        test::run_cli({"--platform", kRiscv, "--image", test::workloads_dir() + "/hello.elf"});
    if (!std::filesystem::exists(test::workloads_dir() + "/hello.elf"))
        GTEST_SKIP() << "AArch64 guests not built";
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_NE(r.err.find("is an AArch64 ELF (e_machine 183); this platform runs RISC-V guests"),
              std::string::npos)
        << r.err;
}

TEST(RiscvPlatform, RiscvGuestRefusedOnTheArmPlatform) {
    if (!rv64_built("hello"))
        GTEST_SKIP() << "RV64 guests not built";
    const auto r = test::run_cli({"--image", test::workloads_dir() + "/riscv64/hello.elf"});
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_NE(r.err.find("is a RISC-V ELF (e_machine 243); this platform runs AArch64 guests"),
              std::string::npos)
        << r.err;
}

TEST(RiscvPlatform, UnknownPlatformAndPresetsAreNamed) {
    auto r = test::run_cli({"--platform", "qemu-mips-virt"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("unknown platform 'qemu-mips-virt' (known: qemu-aarch64-virt, "
                         "qemu-riscv64-virt, zcu104)"),
              std::string::npos)
        << r.err;
    // No Linux presets on RISC-V (Debian 12 has no riscv64 kernel to boot).
    r = test::run_cli({"--platform", kRiscv, "--config", "linux-solo"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("preset 'linux-solo' does not exist for platform qemu-riscv64-virt"),
              std::string::npos)
        << r.err;
}

// The native firmware's SBI, called as a hart's ECALL would.
struct Sbi : ::testing::Test {
    MachineParams params = [] {
        MachineParams p;
        p.platform = kRiscv;
        p.cores = 2;
        p.ram_base = 0x80000000;
        p.ram_size = 1 << 20;
        return p;
    }();
    Machine machine{params, nullptr};
    NativeFirmware fw{machine, {0, 7}};
    cpu::Core& hart = machine.core(0);

    std::pair<int64_t, uint64_t> call(uint64_t eid, uint64_t fid, uint64_t a0 = 0, uint64_t a1 = 0,
                                      uint64_t a2 = 0) {
        hart.set_x(17, eid);
        hart.set_x(16, fid);
        hart.set_x(10, a0);
        hart.set_x(11, a1);
        hart.set_x(12, a2);
        cpu::Exit e;
        e.kind = cpu::Exit::Kind::call;
        e.syndrome.cause = static_cast<uint32_t>(cpu::rv64::cause::ecall_s);
        EXPECT_EQ(fw.on_exit(0, e), cpu::TrapAction::resume);
        return {static_cast<int64_t>(hart.x(10)), hart.x(11)};
    }
};

TEST_F(Sbi, BaseProbeAndUnknownExtensions) {
    EXPECT_EQ(call(0x10, 0), std::make_pair(int64_t{0}, uint64_t{1} << 24)); // SBI v1.0
    EXPECT_EQ(call(0x10, 3, 0x48534d).second, 1u);                           // HSM present
    EXPECT_EQ(call(0x10, 3, 0x4442434e).second, 0u);                         // DBCN absent
    EXPECT_EQ(call(0x4442434e, 0).first, -2);                                // not supported
    EXPECT_EQ(call(0x54494d45, 7).first, -2); // TIME: unknown function
}

TEST_F(Sbi, HartStartAndStatus) {
    EXPECT_EQ(call(0x48534d, 2, 1), std::make_pair(int64_t{0}, uint64_t{1})); // stopped
    EXPECT_EQ(call(0x48534d, 0, 1, 0x80000000, 5).first, 0);
    EXPECT_EQ(machine.state(1), CoreState::running);
    EXPECT_EQ(machine.core(1).x(10), 1u);                     // a0 = hart id
    EXPECT_EQ(machine.core(1).x(11), 5u);                     // a1 = opaque
    EXPECT_EQ(call(0x48534d, 2, 1).second, 0u);               // started
    EXPECT_EQ(call(0x48534d, 0, 1, 0x80000000, 5).first, -6); // already available
    EXPECT_EQ(call(0x48534d, 0, 9, 0x80000000, 5).first, -3); // no such hart
}

TEST_F(Sbi, SetTimerRaisesStipWhenTimeReachesIt) {
    EXPECT_EQ(call(0x54494d45, 0, 100).first, 0);
    InterruptController& ic = machine.interrupts();
    EXPECT_EQ(ic.next_event_cycle(0), 100 * params.core_hz / params.cntfrq);
    ic.update_timers(0, ic.next_event_cycle(0) - 1);
    EXPECT_EQ(ic.lines(0).sip, 0u);
    ic.update_timers(0, ic.next_event_cycle(0));
    EXPECT_EQ(ic.lines(0).sip, cpu::rv64::stip);
    EXPECT_EQ(call(0x54494d45, 0, UINT64_MAX).first, 0); // far future: STIP drops
    EXPECT_EQ(ic.lines(0).sip, 0u);
}

TEST_F(Sbi, BaoHypercallsAsAnSbiExtension) {
    EXPECT_EQ(call(BAO_HC_SBI_EXTID, BAO_HC_ID_PARAM, 1), std::make_pair(int64_t{0}, uint64_t{7}));
    EXPECT_EQ(call(BAO_HC_SBI_EXTID, BAO_HC_ID_PARAM, 0).first, -3); // unset
    EXPECT_EQ(call(BAO_HC_SBI_EXTID, BAO_HC_ID_MARK, 0).first, 0);
    EXPECT_EQ(fw.marks().size(), 1u);
    EXPECT_EQ(call(BAO_HC_SBI_EXTID, 0x7777).first, -2); // unknown id
}

} // namespace
} // namespace sim

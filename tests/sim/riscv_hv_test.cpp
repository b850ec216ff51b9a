// Integration: hv on the RISC-V platform (sim/hv_host_riscv64.*,
// docs/riscv-hv.md). Every hv preset on `--platform qemu-riscv64-virt` runs
// irqlat (timer interrupts through hv: SBI set_timer, the physical
// supervisor timer, VSTIP) and gives the same statistics twice; interf-col
// runs qsort-small with checksum_ok=1; a hand-written guest's accesses to
// the virtual UART and the vPLIC are emulated in flight (and a source the
// VM does not own reads back 0); an access outside a VM's G-stage stops that
// VM and no other; a VM of three vCPUs starts its harts with SBI HSM.
#include "sim/simulation.h"

#include "guest_files.h"
#include "sanitized.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace sim {
namespace {

using test::kRiscv;
using test::rv64_built;

RunOptions rv64_hv(const std::string& config, const std::string& workload) {
    RunOptions o;
    o.platform = kRiscv;
    o.config = config;
    o.workload = workload;
    o.workloads_dir = test::workloads_dir();
    return o;
}

// Host time and speed differ run to run; everything simulated must not.
std::string simulated_stats(const Simulation& sim) {
    std::string s = sim.stats_json();
    for (const char* key : {"\"host_seconds\"", "\"mips\""}) {
        const size_t at = s.find(key);
        if (at != std::string::npos)
            s.erase(at, s.find_first_of(",}", at) - at);
    }
    return s;
}

struct HvRun {
    RunOutcome outcome;
    WorkloadSummary summary;
    std::string stats, console;
    std::vector<HvVmReport> vms;
};

HvRun run(const RunOptions& o) {
    std::ostringstream out;
    Simulation sim(o, &out);
    HvRun r;
    r.outcome = sim.run();
    r.summary = sim.workload_summary();
    r.stats = simulated_stats(sim);
    r.console = out.str();
    r.vms = sim.hv_host_base()->vm_reports();
    return r;
}

class RiscvHvPreset : public ::testing::TestWithParam<const char*> {};

TEST_P(RiscvHvPreset, IrqlatThroughHvIsDeterministic) {
    if (!rv64_built("irqlat-quick") || !rv64_built("interference"))
        GTEST_SKIP() << "RV64 guests not built (gcc-riscv64-unknown-elf)";
    const HvRun a = run(rv64_hv(GetParam(), "irqlat-quick"));
    ASSERT_EQ(a.outcome.code, ExitCode::ok) << a.outcome.detail << a.console;
    EXPECT_TRUE(a.summary.checksum_ok) << a.console;
    EXPECT_NE(a.stats.find("\"samples\": 50"), std::string::npos) << a.stats;
    // The timer interrupts reached the guest through hv, not around it.
    EXPECT_EQ(a.vms.at(0).exit_kind, "power-off");
    const HvRun b = run(rv64_hv(GetParam(), "irqlat-quick"));
    EXPECT_EQ(a.stats, b.stats);
}

INSTANTIATE_TEST_SUITE_P(Presets, RiscvHvPreset,
                         ::testing::Values("solo", "solo-col", "interf", "interf-col",
                                           "interf-col-hypcol"),
                         [](const auto& info) {
                             std::string n = info.param;
                             for (auto& c : n)
                                 c = c == '-' ? '_' : c;
                             return n;
                         });

TEST(RiscvHv, InterfColRunsQsortColoredAndDeterministic) {
    if (!rv64_built("qsort-small") || !rv64_built("interference"))
        GTEST_SKIP() << "RV64 guests not built";
    const HvRun a = run(rv64_hv("interf-col", "qsort-small"));
    ASSERT_EQ(a.outcome.code, ExitCode::ok) << a.outcome.detail << a.console;
    EXPECT_TRUE(a.summary.checksum_ok) << a.console;
    ASSERT_EQ(a.vms.size(), 3u);
    EXPECT_EQ(a.vms[0].colors, 0xffu);   // colors 0-7 of the platform's 16
    EXPECT_EQ(a.vms[1].colors, 0xf00u);  // 8-11
    EXPECT_EQ(a.vms[2].colors, 0xf000u); // 12-15
    EXPECT_GT(a.vms[0].recolor_bytes, 0u);
    EXPECT_EQ(a.vms[1].exit_reason, "running"); // interference never stops
    if (test::kSanitized)
        GTEST_SKIP() << test::kOneRunWhenSanitized;
    const HvRun b = run(rv64_hv("interf-col", "qsort-small"));
    EXPECT_EQ(a.stats, b.stats);
}

// RV64 encodings for the hand-written guests.
namespace rv {
constexpr uint32_t lui(unsigned rd, uint32_t imm20) {
    return (imm20 << 12) | (rd << 7) | 0x37;
}
constexpr uint32_t addi(unsigned rd, unsigned rs1, int32_t imm) {
    return (static_cast<uint32_t>(imm & 0xfff) << 20) | (rs1 << 15) | (rd << 7) | 0x13;
}
constexpr uint32_t store(unsigned funct3, unsigned rs2, unsigned rs1, int32_t imm) {
    const auto i = static_cast<uint32_t>(imm & 0xfff);
    return ((i >> 5) << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | ((i & 31) << 7) | 0x23;
}
constexpr uint32_t load(unsigned funct3, unsigned rd, unsigned rs1, int32_t imm) {
    return (static_cast<uint32_t>(imm & 0xfff) << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) |
           0x03;
}
constexpr uint32_t sb(unsigned rs2, unsigned rs1, int32_t imm) {
    return store(0, rs2, rs1, imm);
}
constexpr uint32_t ecall = 0x00000073;
constexpr uint32_t jump_self = 0x0000006f; // jal x0, 0
constexpr unsigned t0 = 5, t1 = 6, t2 = 7, t3 = 28, t4 = 29, a0 = 10, a1 = 11, a6 = 16, a7 = 17;
} // namespace rv

// Prints "OK" through the virtual UART, writes priority 7 to PLIC source 10
// (the 16550's, which this VM does not own) and reads it back, prints the
// value as a digit, then shuts down with SBI SRST.
std::vector<uint32_t> uart_and_vplic_guest() {
    using namespace rv;
    return {lui(t0, 0x10000),
            addi(t1, 0, 'O'),
            sb(t1, t0, 0),
            addi(t1, 0, 'K'),
            sb(t1, t0, 0),
            lui(t2, 0x0c000),
            addi(t3, 0, 7),
            store(2, t3, t2, 40), // sw: priority[10] = 7
            load(2, t4, t2, 40),  // lw: priority[10]
            addi(t1, t4, '0'),
            sb(t1, t0, 0),
            addi(t1, 0, '\n'),
            sb(t1, t0, 0),
            lui(a7, 0x53525),
            addi(a7, a7, 0x354), // SRST
            addi(a6, 0, 0),
            addi(a0, 0, 0),
            addi(a1, 0, 0),
            ecall,
            jump_self};
}

TEST(RiscvHv, UartAndVplicAccessesAreEmulatedInFlight) {
    RunOptions o = rv64_hv("solo", "");
    o.image = test::write_raw_guest("rv-vplic", uart_and_vplic_guest()) + "@0x80000000";
    const HvRun r = run(o);
    ASSERT_EQ(r.outcome.code, ExitCode::ok) << r.outcome.detail << r.console;
    EXPECT_NE(r.console.find("[bench] OK0\n"), std::string::npos) << r.console;
    EXPECT_EQ(r.vms.at(0).exit_kind, "power-off");
    // The write and the read of a source the VM does not own.
    EXPECT_EQ(r.vms[0].distributor_traps, 2u);
    EXPECT_EQ(r.vms[0].distributor_ignored, 2u);
}

// Runs hello as the measured VM beside an "attacker" VM (1 MiB at GPA
// 0x8000_0000 on hart 1) running `words`; hello must power off normally.
HvRun run_beside_attacker(const std::vector<uint32_t>& words) {
    const std::string attacker = test::write_raw_guest("rv-attacker", words);
    const auto dir = std::filesystem::temp_directory_path() / "bao-sim-tests";
    const auto config = dir / ("rv-attacker-" + std::to_string(::getpid()) + ".toml");
    std::ofstream(config) << R"(mode = "hv"
[platform]
name = "qemu-riscv64-virt"
ram = [{ base = 0x80000000, size = 0x40000000 }]
console = 0x10000000
console_irq = 0
[hyp]
region = { base = 0x80000000, size = 0x400000 }
[[vms]]
name = "bench"
measured = true
cpu_affinity = [0]
image = { workload = "hello", load_addr = 0x80000000 }
regions = [{ base = 0x80000000, size = 0x8000000 }]
[[vms]]
name = "attacker"
cpu_affinity = [1]
image = { path = ")" << attacker
                          << R"(", load_addr = 0x80000000 }
regions = [{ base = 0x80000000, size = 0x100000 }]
)";
    RunOptions o;
    o.platform = kRiscv;
    o.config = config.string();
    o.workloads_dir = test::workloads_dir();
    HvRun r = run(o);
    EXPECT_EQ(r.outcome.code, ExitCode::ok) << r.outcome.detail << r.console;
    EXPECT_NE(r.console.find("[bench] hello from core 0"), std::string::npos) << r.console;
    EXPECT_NE(r.outcome.detail.find("stopped: "), std::string::npos) << r.outcome.detail;
    return r;
}

TEST(RiscvHv, AGStageFaultStopsOnlyThatVm) {
    if (!rv64_built("hello"))
        GTEST_SKIP() << "RV64 guests not built";
    using namespace rv;
    const HvRun r = run_beside_attacker(
        {lui(t0, 0x70000), load(3, t1, t0, 0), jump_self}); // ld from GPA 0x7000_0000
    ASSERT_EQ(r.vms.size(), 2u);
    EXPECT_EQ(r.vms[0].exit_kind, "power-off");
    EXPECT_EQ(r.vms[1].exit_kind, "stage2-fault");
    EXPECT_NE(r.vms[1].exit_reason.find("G-stage fault on read at GPA 0x70000000"),
              std::string::npos)
        << r.vms[1].exit_reason;
}

// The same access with the guest's own Sv39 on, mapping it to itself (a
// 1 GiB identity leaf): still hv's G-stage fault, not a translation the
// core cannot run.
TEST(RiscvHv, AGStageFaultBehindAnIdentitySv39) {
    if (!rv64_built("hello"))
        GTEST_SKIP() << "RV64 guests not built";
    using namespace rv;
    constexpr uint32_t csrw_satp_t0 = 0x18029073, sfence_vma = 0x12000073;
    std::vector<uint32_t> words = {
        addi(t0, 0, 8), 0x03c29293,      // slli t0, t0, 60: satp.MODE = Sv39
        lui(t1, 0x80),  addi(t1, t1, 1), // the root's PPN, 0x80001
        0x0062e2b3,                      // or t0, t0, t1
        csrw_satp_t0,   sfence_vma,      lui(t0, 0x70000), load(3, t1, t0, 0), jump_self};
    words.resize(0x1000 / 4 + 2 * 512, 0);                // the root table at 0x8000_1000
    const auto leaf = [&](unsigned index, uint32_t gib) { // V R W X A D
        words[0x1000 / 4 + 2 * index] = ((gib << 30) >> 12 << 10) | 0xcf;
    };
    leaf(1, 1); // 0x4000_0000..0x7fff_ffff
    leaf(2, 2); // 0x8000_0000..: the code and the table
    const HvRun r = run_beside_attacker(words);
    ASSERT_EQ(r.vms.size(), 2u);
    EXPECT_EQ(r.vms[1].exit_kind, "stage2-fault");
    EXPECT_NE(r.vms[1].exit_reason.find("G-stage fault on read at GPA 0x70000000"),
              std::string::npos)
        << r.vms[1].exit_reason;
}

// A VM of three vCPUs on harts 1-3: hello's hart 0 starts the others with
// SBI HSM through hv, each sees its virtual hart id (0-2, not 1-3).
TEST(RiscvHv, SmpVmStartsItsHartsThroughHsm) {
    if (!rv64_built("hello"))
        GTEST_SKIP() << "RV64 guests not built";
    const auto config = std::filesystem::temp_directory_path() / "bao-sim-tests" /
                        ("rv-smp-" + std::to_string(::getpid()) + ".toml");
    std::filesystem::create_directories(config.parent_path());
    std::ofstream(config) << R"(mode = "hv"
[platform]
name = "qemu-riscv64-virt"
ram = [{ base = 0x80000000, size = 0x40000000 }]
console = 0x10000000
console_irq = 0
[hyp]
region = { base = 0x80000000, size = 0x400000 }
[[vms]]
name = "bench"
measured = true
cpu_affinity = [1, 2, 3]
image = { workload = "hello", load_addr = 0x80000000 }
regions = [{ base = 0x80000000, size = 0x8000000 }]
)";
    RunOptions o;
    o.platform = kRiscv;
    o.config = config.string();
    o.workloads_dir = test::workloads_dir();
    const HvRun r = run(o);
    ASSERT_EQ(r.outcome.code, ExitCode::ok) << r.outcome.detail << r.console;
    for (unsigned v = 0; v < 3; ++v)
        EXPECT_NE(r.console.find("[bench] hello from core " + std::to_string(v) + "\n"),
                  std::string::npos)
            << r.console;
    EXPECT_EQ(r.vms.at(0).cpus, 0xeu);
}

} // namespace
} // namespace sim

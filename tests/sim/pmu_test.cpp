// The PMU a guest reads (issue 13): deterministic counts from the model.
#include "sim/cpu/arm64_sysregs.h"
#include "sim/pmu.h"
#include "sim/simulation.h"

#include "guest_files.h"
#include "stats_text.h"

#include <gtest/gtest.h>

namespace sim {
namespace {

constexpr uint32_t pmcr = cpu::sysreg_encoding(3, 3, 9, 12, 0);
constexpr uint32_t pmcntenset = cpu::sysreg_encoding(3, 3, 9, 12, 1);
constexpr uint32_t pmcntenclr = cpu::sysreg_encoding(3, 3, 9, 12, 2);
constexpr uint32_t pmceid0 = cpu::sysreg_encoding(3, 3, 9, 12, 6);
constexpr uint32_t pmccntr = cpu::sysreg_encoding(3, 3, 9, 13, 0);
constexpr uint32_t pmevcntr1 = cpu::sysreg_encoding(3, 3, 14, 8, 1);
constexpr uint32_t pmevtyper1 = cpu::sysreg_encoding(3, 3, 14, 12, 1);

TEST(Pmu, CountsOnlyWhileEnabledAndResets) {
    Pmu p;
    PmuSources s;
    s.cycles = 1000;
    s.instructions = 400;
    EXPECT_EQ(p.read(pmccntr, s), 0u); // PMCR.E clear: nothing counts
    ASSERT_TRUE(p.write(pmcntenset, 0x80000002u, s));
    ASSERT_TRUE(p.write(pmevtyper1, pmu_event::inst_retired, s));
    ASSERT_TRUE(p.write(pmcr, 1, s));
    s.cycles = 1500;
    s.instructions = 650;
    EXPECT_EQ(p.read(pmccntr, s), 500u);
    EXPECT_EQ(p.read(pmevcntr1, s), 250u);
    ASSERT_TRUE(p.write(pmcntenclr, 0x80000000u, s)); // stop the cycle counter only
    s.cycles = 9000;
    s.instructions = 700;
    EXPECT_EQ(p.read(pmccntr, s), 500u);
    EXPECT_EQ(p.read(pmevcntr1, s), 300u);
    ASSERT_TRUE(p.write(pmcr, 1 | 2 | 4, s)); // P and C reset the counters
    EXPECT_EQ(p.read(pmccntr, s), 0u);
    EXPECT_EQ(p.read(pmevcntr1, s), 0u);
    EXPECT_EQ(*p.read(pmcr, s) >> 11 & 0x1f, Pmu::kEventCounters);
    EXPECT_EQ(*p.read(pmceid0, s) >> pmu_event::l2d_cache_refill & 1, 1u);
    EXPECT_FALSE(p.read(cpu::sysreg_encoding(3, 0, 0, 0, 5), s)); // MPIDR is not the PMU's
}

// Reads PMCCNTR_EL0, spins (cycle count & 0xff) + 16 times, reads the cycle
// and INST_RETIRED counters again and reports the differences and the first
// cycle count with the sample hypercall, then powers off. With host time
// behind PMCCNTR (before issue 13) two runs differed in instruction counts.
const std::vector<uint32_t> pmu_guest = {
    0xd2800020, // mov   x0, #1
    0xd51b9c00, // msr   pmcr_el0, x0           E
    0xd2800060, // mov   x0, #0x03
    0xd51bec00, // msr   pmevtyper0_el0, x0     L1D_CACHE_REFILL
    0xd2800100, // mov   x0, #0x08
    0xd51bec20, // msr   pmevtyper1_el0, x0     INST_RETIRED
    0xd2b00000, // mov   x0, #0x80000000
    0xf2800060, // movk  x0, #0x3
    0xd51b9c20, // msr   pmcntenset_el0, x0     C, P0, P1
    0xd53b9d0a, // mrs   x10, pmccntr_el0
    0xd53be82b, // mrs   x11, pmevcntr1_el0
    0x92401d41, // and   x1, x10, #0xff
    0x91004021, // add   x1, x1, #16
    0xf1000421, // 1: subs x1, x1, #1
    0x54ffffe1, // b.ne  1b
    0xd53b9d0c, // mrs   x12, pmccntr_el0
    0xd53be82d, // mrs   x13, pmevcntr1_el0
    0xd53be80e, // mrs   x14, pmevcntr0_el0
    0xd2b0c000, // mov   x0, #0x86000000
    0xf2800220, // movk  x0, #0x11              sample
    0xcb0a0181, // sub   x1, x12, x10           the loop's cycles
    0xd4000002, // hvc   #0
    0xd2b0c000, // mov   x0, #0x86000000
    0xf2800220, // movk  x0, #0x11
    0xcb0b01a1, // sub   x1, x13, x11           the loop's instructions
    0xd4000002, // hvc   #0
    0xd2b0c000, // mov   x0, #0x86000000
    0xf2800220, // movk  x0, #0x11
    0xaa0a03e1, // mov   x1, x10                the first cycle count
    0xd4000002, // hvc   #0
    0xd2b08000, // mov   x0, #0x84000000
    0xf2800100, // movk  x0, #0x8               PSCI SYSTEM_OFF
    0xd4000002, // hvc   #0
};

TEST(Pmu, GuestReadingPmccntrGivesIdenticalStats) {
    const std::string image = test::write_raw_guest("pmu", pmu_guest);
    std::string json[2];
    uint64_t insns[2] = {};
    for (int k = 0; k < 2; ++k) {
        RunOptions o;
        o.config = "native";
        o.image = image + "@0x40000000";
        o.workloads_dir = test::workloads_dir();
        o.raw_samples = true;
        Simulation s(o, nullptr);
        RunOutcome r = s.run();
        ASSERT_EQ(r.code, ExitCode::ok) << r.detail;
        insns[k] = s.machine().stats(0).instructions;
        json[k] = test::without_host_figures(s.stats_json());
    }
    EXPECT_EQ(json[0], json[1]);
    EXPECT_EQ(insns[0], insns[1]);
    // 9 instructions before the first read, then the loop: the first cycle
    // count is small and deterministic, so the loop ran a known number of times.
    EXPECT_LT(insns[0], 33u + 2 * 255 + 32);
}

} // namespace
} // namespace sim

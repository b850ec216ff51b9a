// Integration: every small workload checks itself under native, and the
// paper's scenario ordering for qsort-small (issues 5 and 6, docs/design.md#check-memory-model).
#include "sim/simulation.h"

#include "guest_files.h"
#include "sanitized.h"
#include "stats_text.h"

#include <gtest/gtest.h>

#include <array>
#include <map>
#include <sstream>

namespace sim {
namespace {

WorkloadSummary run(const std::string& config, const std::string& workload) {
    RunOptions o;
    o.config = config;
    o.workload = workload;
    o.workloads_dir = test::workloads_dir();
    Simulation s(o, nullptr);
    RunOutcome r = s.run();
    EXPECT_EQ(r.code, ExitCode::ok) << config << " " << workload << ": " << r.detail;
    return s.workload_summary();
}

class SmallWorkload : public ::testing::TestWithParam<const char*> {};

TEST_P(SmallWorkload, ChecksItselfUnderNative) {
    WorkloadSummary w = run("native", GetParam());
    EXPECT_TRUE(w.region_marked);
    EXPECT_TRUE(w.checksum_reported);
    EXPECT_TRUE(w.checksum_ok);
    EXPECT_GT(w.instructions, 1'000'000u);
}

INSTANTIATE_TEST_SUITE_P(Native, SmallWorkload,
                         ::testing::Values("basicmath-small", "bitcount-small", "qsort-small",
                                           "susan-corners-small", "susan-edges-small",
                                           "susan-smoothing-small"),
                         [](const auto& info) {
                             std::string n = info.param;
                             for (auto& c : n)
                                 if (c == '-')
                                     c = '_';
                             return n;
                         });

// MiBench's qsort_large (3-D vertices by distance), the Linux variant's
// qsort-large, as a bare-metal guest: it verifies, and picolibc's qsort leaves
// the order glibc's leaves in the Linux program (the same result line is
// pinned by linux.qemu.qsort-large, workloads/CMakeLists.txt).
TEST(QsortVertices, VerifiesAndSortsAsTheLinuxProgram) {
    RunOptions o;
    o.config = "native";
    o.workload = "qsort-vertices-large";
    o.workloads_dir = test::workloads_dir();
    std::ostringstream console;
    Simulation s(o, &console);
    RunOutcome r = s.run();
    ASSERT_EQ(r.code, ExitCode::ok) << r.detail;
    EXPECT_TRUE(s.workload_summary().checksum_ok);
    EXPECT_NE(console.str().find("qsort-large: vertices=50000 record_bytes=24 "
                                 "nearest=3103900,62782446,28484381 "
                                 "farthest=2125433542,2136028923,2140932191 "
                                 "order_hash=44e105d954198716\n"),
              std::string::npos)
        << console.str();
}

TEST(Scenarios, QsortSmallOrderingAndColoredL2Misses) {
    std::map<std::string, WorkloadSummary> r;
    for (const char* c : {"native", "solo", "solo-col", "interf", "interf-col"})
        r[c] = run(c, "qsort-small");
    const uint64_t native = r["native"].runtime_cycles, solo = r["solo"].runtime_cycles;
    EXPECT_LE(native, solo + solo / 1000) << "hosting must cost (almost) nothing";
    EXPECT_LT(solo, r["solo-col"].runtime_cycles);
    EXPECT_LT(solo, r["interf-col"].runtime_cycles);
    EXPECT_LT(r["interf-col"].runtime_cycles, r["interf"].runtime_cycles);
    // Hosting does not change what misses the L2 (the 1.22 MiB array is a
    // little more than the L2, so there are some, natively too).
    const double native_misses = static_cast<double>(r["native"].l2.misses);
    EXPECT_NEAR(static_cast<double>(r["solo"].l2.misses), native_misses, 0.05 * native_misses);
    // Streaming neighbours make them several times more; disjoint colors bring
    // them back to solo-col's level (within 10 %) while cycles stay above it.
    EXPECT_GT(r["interf"].l2.misses, 3 * r["solo"].l2.misses);
    const double col = static_cast<double>(r["solo-col"].l2.misses);
    EXPECT_NEAR(static_cast<double>(r["interf-col"].l2.misses), col, 0.10 * col);
    EXPECT_GT(r["interf-col"].runtime_cycles, r["solo-col"].runtime_cycles);
    for (auto& [name, w] : r)
        EXPECT_TRUE(w.checksum_ok) << name;
}

// Under the sanitizers skipped whole: its run is the previous test's
// interf-col one (the preset's workload is qsort-small).
TEST(Scenarios, InterfColRunsAreIdentical) {
    if (test::kSanitized)
        GTEST_SKIP() << test::kOneRunWhenSanitized;
    std::string a, b;
    for (std::string* dst : {&a, &b}) {
        RunOptions o;
        o.config = "interf-col";
        o.workloads_dir = test::workloads_dir();
        Simulation s(o, nullptr);
        s.run();
        *dst = test::without_host_figures(s.stats_json());
    }
    EXPECT_EQ(a, b);
    EXPECT_NE(a.find("\"checksum_ok\": true"), std::string::npos);
}

// model.vm_start_stagger_cycles: the second interfering VM starts one stagger
// after the first (the measured VM at once), so the two identical loops run out
// of step; off, they start in the same cycle and run the same instructions.
TEST(Scenarios, StaggerStartsTheSecondInterferingVmLater) {
    std::map<uint64_t, std::array<uint64_t, 3>> insns;
    for (uint64_t stagger : {uint64_t{0}, uint64_t{20'000}}) {
        RunOptions o;
        o.config = "interf";
        o.workload = "hello";
        o.workloads_dir = test::workloads_dir();
        o.sets = {"vm_start_stagger_cycles=" + std::to_string(stagger)};
        Simulation s(o, nullptr);
        EXPECT_EQ(s.run().code, ExitCode::ok);
        for (unsigned c = 0; c < 3; ++c)
            insns[stagger][c] = s.machine().stats(c).instructions;
    }
    EXPECT_EQ(insns[0][1], insns[0][2]) << "in lockstep";
    EXPECT_EQ(insns[20'000][0], insns[0][0]) << "the measured VM runs the same program";
    EXPECT_GT(insns[20'000][1], 0u);
    EXPECT_LT(insns[20'000][2], insns[20'000][1]) << "started later";
}

} // namespace
} // namespace sim

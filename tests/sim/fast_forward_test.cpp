// Fast-forward (--fast-forward, --warmup-insns; docs/checkpoints.md): the
// guest runs the same instructions with the timing model off, the model goes
// on at the point, and the measured region is recorded only after it.
#include "sim/simulation.h"

#include "run_cli.h"
#include "stats_text.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

namespace sim {
namespace {

RunOptions qsort(const std::string& config) {
    RunOptions o;
    o.config = config;
    o.workload = "qsort-small";
    o.workloads_dir = test::workloads_dir();
    return o;
}

struct Result {
    RunOutcome outcome;
    WorkloadSummary workload;
    uint64_t instructions = 0, cycles = 0;
    Machine::Phase phase = Machine::Phase::measuring;
    Machine::FastForwardRecord record;
    uint64_t l1d_accesses = 0;
};

Result run(const RunOptions& o) {
    Simulation s(o, nullptr);
    Result r;
    r.outcome = s.run();
    r.workload = s.workload_summary();
    r.instructions = s.machine().total_instructions();
    r.cycles = s.machine().global_cycles();
    r.phase = s.machine().phase();
    r.record = s.machine().fast_forward_record();
    if (const cache::Hierarchy* h = s.machine().hierarchy())
        r.l1d_accesses = h->stats().cores.at(0).l1d.accesses;
    return r;
}

// A run fast-forwarded to the mark against the full run `plain`: the same
// instructions in the region, which starts with cold caches, so it misses
// more and takes longer than after a modeled boot; the switch came before it.
void expect_the_same_region_from_cold_caches(const Result& plain, const Result& ff) {
    ASSERT_EQ(ff.outcome.code, ExitCode::ok) << ff.outcome.detail;
    EXPECT_EQ(ff.phase, Machine::Phase::measuring);
    ASSERT_TRUE(ff.workload.region_marked);
    EXPECT_TRUE(ff.workload.checksum_ok);
    EXPECT_EQ(ff.workload.instructions, plain.workload.instructions);
    EXPECT_GT(ff.workload.l1d.accesses, 0u);
    EXPECT_GE(ff.workload.l2.misses, plain.workload.l2.misses);
    EXPECT_GT(ff.record.switch_instructions, 0u);
    EXPECT_LT(ff.record.switch_instructions, plain.instructions - plain.workload.instructions);
}

TEST(FastForward, ToTheMarkRunsTheSameRegionWithTheModelOn) {
    const Result plain = run(qsort("solo"));
    RunOptions o = qsort("solo");
    o.fast_forward.until = FastForward::Until::mark;
    expect_the_same_region_from_cold_caches(plain, run(o));
}

TEST(FastForward, NeverReachedIsFlatAndModelFree) {
    RunOptions o = qsort("native");
    o.cores = 1;
    o.fast_forward.until = FastForward::Until::insns;
    o.fast_forward.insns = ~0ull;
    const Result ff = run(o);
    ASSERT_EQ(ff.outcome.code, ExitCode::ok) << ff.outcome.detail;
    EXPECT_EQ(ff.phase, Machine::Phase::fast_forward);
    EXPECT_EQ(ff.l1d_accesses, 0u);          // no access reached the memory model
    EXPECT_FALSE(ff.workload.region_marked); // no mark is recorded before the point
    // Flat cycles: one per instruction, and the rest of the last quantum.
    EXPECT_GE(ff.cycles, ff.instructions);
    EXPECT_LT(ff.cycles, ff.instructions + 2 * 1200);
}

TEST(FastForward, InstructionPointThenWarmUpDropsTheMarksBefore) {
    RunOptions o = qsort("native");
    o.cores = 1;
    o.fast_forward.until = FastForward::Until::insns;
    o.fast_forward.insns = 1'000'000;
    o.fast_forward.warmup_insns = 500'000;
    const Result ff = run(o);
    ASSERT_EQ(ff.outcome.code, ExitCode::ok) << ff.outcome.detail;
    EXPECT_EQ(ff.phase, Machine::Phase::measuring);
    // At the first quantum boundary at or past each point.
    EXPECT_GE(ff.record.switch_instructions, 1'000'000u);
    EXPECT_LT(ff.record.switch_instructions, 1'000'000u + 1200);
    EXPECT_GE(ff.record.measure_instructions, ff.record.switch_instructions + 500'000);
    EXPECT_LT(ff.record.measure_instructions, ff.record.switch_instructions + 500'000 + 1200);
    EXPECT_GT(ff.l1d_accesses, 0u);
}

// A stats file without its load and store counters and the `uncounted`
// flag, line by line, trailing commas dropped.
std::string without_counted_lines(const std::string& json) {
    std::istringstream in(test::without_host_figures(json));
    std::string out, line;
    while (std::getline(in, line)) {
        if (line.find("\"loads\": ") != std::string::npos ||
            line.find("\"stores\": ") != std::string::npos ||
            line.find("\"uncounted\": ") != std::string::npos)
            continue;
        if (!line.empty() && line.back() == ',')
            line.pop_back();
        out += line + "\n";
    }
    return out;
}

// --fast-forward-uncounted drops the memory hook while fast-forwarding
// (docs/checkpoints.md): under hv, with three VMs' boots, hv's emulated
// accesses and the model going on at the mark (30 M instructions: 4 M past
// it), every figure but the load and store counters is the same, with the
// flat core and with the A53 model (whose recipes survive the code drops).
TEST(FastForward, UncountedChangesOnlyTheLoadAndStoreCounters) {
    for (const char* core_model : {"flat", "a53"}) {
        RunOptions o = qsort("interf-col");
        o.sets = {std::string("core=") + core_model};
        o.fast_forward.until = FastForward::Until::mark;
        o.max_insns = 30'000'000;
        Simulation counted(o, nullptr);
        EXPECT_EQ(counted.run().code, ExitCode::insn_limit);
        o.fast_forward.uncounted = true;
        Simulation uncounted(o, nullptr);
        EXPECT_EQ(uncounted.run().code, ExitCode::insn_limit);
        EXPECT_EQ(uncounted.machine().phase(), Machine::Phase::measuring);
        EXPECT_EQ(without_counted_lines(counted.stats_json()),
                  without_counted_lines(uncounted.stats_json()))
            << core_model;
        EXPECT_NE(uncounted.stats_json().find("\"uncounted\": true"), std::string::npos);
        for (unsigned core : {0u, 1u}) {
            EXPECT_LT(uncounted.machine().stats(core).stores, counted.machine().stats(core).stores);
            EXPECT_GT(uncounted.machine().stats(core).stores, 0u) << "counted with the model";
        }
    }
}

TEST(FastForward, BadSpecificationsAreNamed) {
    auto r = test::run_cli({"--config", "native", "--fast-forward", "boot"});
    EXPECT_EQ(r.code, static_cast<int>(ExitCode::config));
    EXPECT_NE(r.err.find("--fast-forward 'boot': expected mark, insns:N or linux-init"),
              std::string::npos)
        << r.err;
    r = test::run_cli({"--config", "native", "--fast-forward", "insns:0"});
    EXPECT_EQ(r.code, static_cast<int>(ExitCode::config));
    EXPECT_NE(r.err.find("N must be positive"), std::string::npos) << r.err;
    r = test::run_cli({"--config", "native", "--warmup-insns", "100"});
    EXPECT_EQ(r.code, static_cast<int>(ExitCode::config));
    EXPECT_NE(r.err.find("--warmup-insns needs --fast-forward"), std::string::npos) << r.err;
    r = test::run_cli({"--config", "native", "--fast-forward-uncounted"});
    EXPECT_EQ(r.code, static_cast<int>(ExitCode::config));
    EXPECT_NE(r.err.find("--fast-forward-uncounted needs --fast-forward"), std::string::npos)
        << r.err;
    r = test::run_cli({"--config", "native", "--fast-forward", "mark", "--fast-forward-uncounted",
                       "--trace", "/dev/null"});
    EXPECT_EQ(r.code, static_cast<int>(ExitCode::config));
    EXPECT_NE(r.err.find("--fast-forward-uncounted and --trace"), std::string::npos) << r.err;
}

// RISC-V under hv: the same region as a modeled boot's, cold caches.
TEST(FastForward, RiscvToTheMarkRunsTheSameRegionWithTheModelOn) {
    if (!std::filesystem::exists(test::workloads_dir() + "/riscv64/qsort-small.elf"))
        GTEST_SKIP() << "RV64 guests not built (gcc-riscv64-unknown-elf)";
    RunOptions o = qsort("solo");
    o.platform = "qemu-riscv64-virt";
    const Result plain = run(o);
    o.fast_forward.until = FastForward::Until::mark;
    expect_the_same_region_from_cold_caches(plain, run(o));
}

// --fast-forward-uncounted on RISC-V (rv64_uncounted.cpp): interf-col under
// hv to the mark and 4 M past it, the same figures but the load and store
// counters, as on AArch64.
TEST(FastForward, RiscvUncountedChangesOnlyTheLoadAndStoreCounters) {
    if (!std::filesystem::exists(test::workloads_dir() + "/riscv64/qsort-small.elf"))
        GTEST_SKIP() << "RV64 guests not built (gcc-riscv64-unknown-elf)";
    RunOptions o = qsort("interf-col");
    o.platform = "qemu-riscv64-virt";
    o.fast_forward.until = FastForward::Until::mark;
    o.max_insns = 30'000'000;
    Simulation counted(o, nullptr);
    EXPECT_EQ(counted.run().code, ExitCode::insn_limit);
    o.fast_forward.uncounted = true;
    Simulation uncounted(o, nullptr);
    EXPECT_EQ(uncounted.run().code, ExitCode::insn_limit);
    EXPECT_EQ(uncounted.machine().phase(), Machine::Phase::measuring);
    EXPECT_EQ(without_counted_lines(counted.stats_json()),
              without_counted_lines(uncounted.stats_json()));
    for (unsigned core : {0u, 1u}) {
        EXPECT_LT(uncounted.machine().stats(core).stores, counted.machine().stats(core).stores);
        EXPECT_GT(uncounted.machine().stats(core).stores, 0u) << "counted with the model";
    }
}

} // namespace
} // namespace sim

// calibrate's Linux processes per run (--linux-warmup, --linux-runs and their
// large-input forms): every planned run asks /init for the counts given, a
// run whose stats say it measured other counts fails naming them, bad values
// are refused before anything runs, and the spread calibrate reports (each
// slowdown's standard error) is the hand-computed one. Planning and the
// checks run no simulation.
#include "experiments/calibrate_internal.h"

#include "run_binary.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using repro::detail::Context;
using PlannedRun = repro::detail::Run;

using sim::test::run_bao_sim;
using sim::test::slurp;

fs::path scratch(const std::string& what) {
    return sim::test::scratch("bao-calibrate-processes", what);
}

// A Linux-capable planning context (no simulation runs): small inputs 3
// warm-up + 5 measured, large ones 1 + 2.
Context linux_context(const fs::path& out, bool boot_once) {
    Context ctx;
    ctx.out = out;
    ctx.lat_workload = "irqlat";
    ctx.linux_warmup = 3;
    ctx.linux_runs = 5;
    ctx.linux_large_warmup = 1;
    ctx.linux_large_runs = 2;
    ctx.linux_boot_once = boot_once;
    return ctx;
}

std::string job_of(const std::string& wl, unsigned warmup, unsigned runs) {
    return "bao_bench=" + wl + " bao_warmup=" + std::to_string(warmup) +
           " bao_runs=" + std::to_string(runs);
}

// What a run asks /init: the typed job (boot once) or its config's bootargs.
std::string asked(const PlannedRun& r) {
    auto in = std::find(r.args.begin(), r.args.end(), "--console-input");
    if (in != r.args.end() && in + 1 != r.args.end())
        return *(in + 1);
    auto cfg = std::find(r.args.begin(), r.args.end(), "--config");
    return cfg != r.args.end() && cfg + 1 != r.args.end() ? slurp(*(cfg + 1)) : "";
}

TEST(CalibrateProcesses, EveryLinuxRunAsksForItsSizesCounts) {
    const fs::path out = scratch("plan");
    for (bool once : {false, true}) {
        const Context ctx = linux_context(out, once);
        const auto runs = repro::detail::plan_calibration(ctx, false, true, false);
        unsigned small = 0, large = 0;
        for (const PlannedRun& r : runs) {
            if (r.group != "linux-perf")
                continue;
            const bool is_large = r.workload.find("-large") != std::string::npos;
            const std::string want = is_large ? job_of(r.workload, 1, 2) : job_of(r.workload, 3, 5);
            EXPECT_NE(asked(r).find(want), std::string::npos)
                << r.id << (once ? " (boot once)" : "") << " asks: " << asked(r);
            ++(is_large ? large : small);
        }
        EXPECT_EQ(small, 10u) << "2 small workloads x 5 scenarios";
        EXPECT_EQ(large, 10u);
    }
    fs::remove_all(out);
}

// Without large-input counts (reproduce), every workload gets the same.
TEST(CalibrateProcesses, LargeInputsFollowTheSmallCountsUnlessGiven) {
    Context ctx;
    ctx.linux_warmup = 4;
    ctx.linux_runs = 7;
    EXPECT_EQ(ctx.linux_processes("qsort-large").warmup, 4u);
    EXPECT_EQ(ctx.linux_processes("qsort-large").runs, 7u);
    ctx.linux_large_runs = 2;
    EXPECT_EQ(ctx.linux_processes("qsort-large").runs, 2u);
    EXPECT_EQ(ctx.linux_processes("qsort-large").warmup, 4u);
    EXPECT_EQ(ctx.linux_processes("qsort-small").runs, 7u);
    EXPECT_EQ(ctx.linux_processes("susan-corners-large").runs, 2u);
}

// check_run on a linux-perf run's stats: `count` marked runs and /init's
// line with `warmup` and `runs`.
repro::detail::Outcome check_linux(const Context& ctx, const PlannedRun& r, unsigned count,
                                   unsigned warmup, unsigned runs) {
    std::ofstream(repro::detail::json_path(ctx, r))
        << "{\"exit_code\": 0, \"workload\": {\"checksum_ok\": true, \"runs\": {\"count\": "
        << count << "}}, \"console\": \"[linux] bao-init: bench=" << r.workload
        << " warmup=" << warmup << " runs=" << runs
        << " mark=0xb000000\\n\", \"console_dropped_bytes\": 0}\n";
    return repro::detail::check_run(ctx, r, 0);
}

TEST(CalibrateProcesses, RunMeasuringOtherCountsThanAskedFails) {
    const fs::path out = scratch("check");
    fs::create_directories(out / "runs");
    const Context ctx = linux_context(out, true);
    const auto runs = repro::detail::plan_calibration(ctx, false, true, false);
    auto find = [&](const std::string& id) {
        return *std::find_if(runs.begin(), runs.end(),
                             [&](const PlannedRun& r) { return r.id == id; });
    };
    const PlannedRun small = find("linux-perf-qsort-small-solo-col");
    const PlannedRun large = find("linux-perf-qsort-large-solo-col");
    const auto ok = check_linux(ctx, small, 5, 3, 5);
    EXPECT_TRUE(ok.ok) << ok.reason;
    const auto ok_large = check_linux(ctx, large, 2, 1, 2);
    EXPECT_TRUE(ok_large.ok) << ok_large.reason;

    const auto fewer = check_linux(ctx, small, 4, 3, 5);
    EXPECT_FALSE(fewer.ok);
    EXPECT_EQ(fewer.reason, "4 marked runs, 5 asked");
    const auto more = check_linux(ctx, large, 5, 1, 5);
    EXPECT_FALSE(more.ok);
    EXPECT_EQ(more.reason, "5 marked runs, 2 asked");
    // The warm-up leaves no marks: /init's line is what says it ran.
    const auto no_warmup = check_linux(ctx, small, 5, 0, 5);
    EXPECT_FALSE(no_warmup.ok);
    EXPECT_EQ(no_warmup.reason, "/init did not say `bao-init: bench=qsort-small warmup=3 runs=5`");
    fs::remove_all(out);
}

TEST(CalibrateProcesses, RefusesBadCountsBeforeRunning) {
    const fs::path out = scratch("bad");
    std::string log;
    const std::pair<const char*, const char*> bad[] = {
        {"--linux-runs 0", "--linux-runs '0' is not a whole number from 1 to 100"},
        {"--linux-runs 101", "--linux-runs '101' is not a whole number from 1 to 100"},
        {"--linux-warmup=-1", "--linux-warmup '-1' is not a whole number from 0 to 100"},
        {"--linux-warmup 2x", "--linux-warmup '2x' is not a whole number from 0 to 100"},
        {"--linux-large-runs ''", "--linux-large-runs '' is not a whole number from 1 to 100"},
        {"--linux-large-warmup 4294967297",
         "--linux-large-warmup '4294967297' is not a whole number from 0 to 100"},
    };
    for (const auto& [arg, error] : bad) {
        EXPECT_EQ(
            run_bao_sim("calibrate --variant linux --out '" + out.string() + "' " + arg, out, log),
            2)
            << arg << ": " << log;
        EXPECT_NE(log.find(error), std::string::npos) << arg << ": " << log;
        EXPECT_FALSE(fs::exists(out / "calibration.json")) << arg;
    }
    EXPECT_EQ(run_bao_sim("calibrate --help", out, log), 0);
    for (const char* opt :
         {"--linux-warmup", "--linux-runs", "--linux-large-warmup", "--linux-large-runs"})
        EXPECT_NE(log.find(opt), std::string::npos) << opt;
    fs::remove_all(out);
    fs::remove(out.string() + ".log");
}

// A slowdown's standard error: 2 cells of 5 processes each, population std
// 2 % (native) and 3 % (colored) of their means; colored 1.2x native.
TEST(CalibrateProcesses, SlowdownStandardErrorIsThePropagatedOne) {
    repro::detail::PerfCell n, s;
    n.cycles = 1e6;
    n.cycles_std = 2e4;
    n.runs = 5;
    s.cycles = 1.2e6;
    s.cycles_std = 0.03 * 1.2e6;
    s.runs = 5;
    // Sample std / sqrt(n) = population std / sqrt(n - 1) = std / 2.
    ASSERT_TRUE(repro::detail::rel_std_error(n));
    EXPECT_NEAR(*repro::detail::rel_std_error(n), 0.01, 1e-12);
    EXPECT_NEAR(*repro::detail::rel_std_error(s), 0.015, 1e-12);
    // 1.2 * sqrt(0.01^2 + 0.015^2) * 100 = 2.1633 points.
    ASSERT_TRUE(repro::detail::slowdown_std_error(s, n));
    EXPECT_NEAR(*repro::detail::slowdown_std_error(s, n), 1.2 * std::sqrt(1e-4 + 2.25e-4) * 100,
                1e-9);
    // One process: no spread to speak of.
    n.runs = 1;
    EXPECT_FALSE(repro::detail::slowdown_std_error(s, n));

    // In the calibration result: the figure's standard error and each cell's spread.
    repro::detail::Results R;
    R.linux_perf.workloads = {"qsort-small"};
    n.runs = 5;
    R.linux_perf.cells["qsort-small"]["native"] = n;
    R.linux_perf.cells["qsort-small"]["solo-col"] = s;
    const auto c = repro::detail::figures_of(R, false, true, true);
    const auto f = std::find_if(c.figures.begin(), c.figures.end(), [](const auto& f) {
        return f.name == "qsort-small slowdown solo-col";
    });
    ASSERT_NE(f, c.figures.end());
    ASSERT_TRUE(f->std_error);
    EXPECT_NEAR(*f->std_error, 2.1633, 1e-4);
    ASSERT_EQ(c.spread.size(), 2u);
    EXPECT_EQ(c.spread[0].scenario, "native");
    EXPECT_EQ(c.spread[0].processes, 5u);
    // Sample std / mean: 2 % * sqrt(5 / 4).
    ASSERT_TRUE(c.spread[0].cv);
    EXPECT_NEAR(*c.spread[0].cv, 0.02 * std::sqrt(1.25), 1e-12);
    const std::string table = repro::detail::format_table(c);
    EXPECT_NE(table.find("qsort-small slowdown solo-col standard error"), std::string::npos)
        << table;
    EXPECT_NE(table.find("+-2.16 points"), std::string::npos) << table;
}

} // namespace

// What the benchmarks that run a whole simulation share (sim_bench,
// unicorn_bench): a built workload's options and one run of them.
#pragma once

#include "sim/simulation.h"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <exception>
#include <string>

namespace bench {

// `workload` from the build's workloads, natively on one core.
inline sim::RunOptions native_workload(const char* workload) {
    sim::RunOptions o;
    o.config = "native";
    o.workload = workload;
    o.cores = 1;
    o.workloads_dir = BAO_WORKLOADS_DIR;
    return o;
}

// Runs `o` once and asks `check` of the finished simulation and its outcome
// (an empty string when the run is one to count): adds the run's
// instructions to `total`, or returns false when it failed or threw, with
// the benchmark skipped and why.
template <typename Check>
bool add_run(benchmark::State& state, const sim::RunOptions& o, uint64_t& total, Check check) {
    try {
        sim::Simulation s(o, nullptr);
        const sim::RunOutcome r = s.run();
        if (const std::string why = check(s, r); !why.empty()) {
            state.SkipWithError(why.c_str());
            return false;
        }
        total += s.machine().total_instructions();
        return true;
    } catch (const std::exception& e) {
        state.SkipWithError(e.what());
        return false;
    }
}

// The same, counting every run that does not throw.
inline bool add_run(benchmark::State& state, const sim::RunOptions& o, uint64_t& total) {
    return add_run(state, o, total,
                   [](const sim::Simulation&, const sim::RunOutcome&) { return std::string(); });
}

// `total` guest instructions as millions per second of the benchmark's time
// (CPU time, or wall time where it says UseRealTime).
inline void report_mips(benchmark::State& state, uint64_t total) {
    state.counters["MIPS"] =
        benchmark::Counter(static_cast<double>(total) / 1e6, benchmark::Counter::kIsRate);
}

} // namespace bench

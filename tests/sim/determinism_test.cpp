// The parallel scheduler's statistics are the same, byte for byte but host
// time, MIPS and meta.*, on 1, 2 and 4 host threads (issue 22,
// docs/parallel.md). Minutes of simulation: label `reproduce`, outside the
// ASan pass (scripts/test.sh); `ctest -R '^determinism\.'` runs it alone.
#include "parallel_stats.h"

#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

namespace sim {
namespace {

class ParallelDeterminism : public ::testing::TestWithParam<std::tuple<const char*, const char*>> {
};

// irqlat under interference runs for minutes with its preset's 200 samples
// 10 ms apart: 10 samples 100 us apart still take every interrupt path.
std::vector<std::string> params_of(const std::string& workload) {
    return workload == "irqlat" ? std::vector<std::string>{"0=10", "1=100"}
                                : std::vector<std::string>{};
}

TEST_P(ParallelDeterminism, SameStatisticsOnOneTwoAndFourThreads) {
    const auto [config, workload] = GetParam();
    const auto params = params_of(workload);
    RunOutcome r;
    const std::string one = test::comparable_stats(config, workload, 1, &r, params);
    ASSERT_EQ(r.code, ExitCode::ok) << r.detail;
    for (unsigned threads : {2u, 4u})
        EXPECT_EQ(test::comparable_stats(config, workload, threads, nullptr, params), one)
            << config << " " << workload << " on " << threads << " threads";
}

INSTANTIATE_TEST_SUITE_P(Presets, ParallelDeterminism,
                         ::testing::Combine(::testing::Values("solo", "interf", "interf-col"),
                                            ::testing::Values("hello", "qsort-small", "irqlat")),
                         [](const auto& info) {
                             std::string name = std::string(std::get<0>(info.param)) + "_" +
                                                std::get<1>(info.param);
                             for (char& c : name)
                                 if (c == '-')
                                     c = '_';
                             return name;
                         });

} // namespace
} // namespace sim

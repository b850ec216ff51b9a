// The parallel scheduler (docs/parallel.md): its groups, its options, and the
// same statistics whatever the number of host threads on a short run (the
// presets' long runs are in determinism_test.cpp).
#include "sim/parallel.h"

#include "parallel_stats.h"
#include "run_cli.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace sim {
namespace {

using Groups = std::vector<std::vector<unsigned>>;

TEST(ParallelGroups, NoMasksMeanOneGroupOfEveryCore) {
    EXPECT_EQ(core_groups({}, 3), (Groups{{0, 1, 2}}));
}

TEST(ParallelGroups, EachVmIsAGroupAndOthersRunAlone) {
    EXPECT_EQ(core_groups({0b0001, 0b0110}, 4), (Groups{{0}, {1, 2}, {3}}));
}

TEST(ParallelGroups, SharedMemoryJoinsGroups) {
    // VMs on cores 0 and 2, 1 and 3; a shared region between the first and the third core's VMs.
    EXPECT_EQ(core_groups({0b0101, 0b1000, 0b0010, 0b1100}, 4), (Groups{{0, 2, 3}, {1}}));
}

TEST(ParallelScheduler, HelloUnderInterfColIsTheSameOnOneTwoAndFourThreads) {
    RunOutcome r;
    const std::string one = test::comparable_stats("interf-col", "hello", 1, &r);
    EXPECT_EQ(r.code, ExitCode::ok) << r.detail;
    EXPECT_EQ(test::comparable_stats("interf-col", "hello", 2), one);
    EXPECT_EQ(test::comparable_stats("interf-col", "hello", 4), one);
}

TEST(ParallelScheduler, StaysCloseToTheSerialScheduler) {
    // Not equal (docs/parallel.md: the L2 a core sees in a quantum is the one
    // at its start), but the same run.
    RunOutcome serial, parallel;
    test::comparable_stats("solo", "hello", 0, &serial);
    test::comparable_stats("solo", "hello", 2, &parallel);
    EXPECT_EQ(serial.code, ExitCode::ok);
    EXPECT_EQ(parallel.code, ExitCode::ok);
    EXPECT_EQ(parallel.reason, serial.reason);
}

// The stats file of a command-line run.
std::string stats_of(std::vector<std::string> args) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("bao-sim-parallel-" + std::to_string(::getpid()) + ".json");
    args.insert(args.end(), {"--stats-json", path.string()});
    const auto r = test::run_cli(args);
    EXPECT_EQ(r.code, 0) << r.err;
    std::ifstream f(path);
    std::stringstream text;
    text << f.rdbuf();
    std::filesystem::remove(path);
    return text.str();
}

TEST(ParallelScheduler, TheSerialSchedulerStaysTheDefault) {
    const std::string serial = stats_of({"--config", "solo", "--workload", "hello"});
    ASSERT_NE(serial.find("\"guest_insns\""), std::string::npos);
    EXPECT_EQ(serial.find("\"scheduler\""), std::string::npos);
    const std::string parallel =
        stats_of({"--config", "solo", "--workload", "hello", "--threads", "2"});
    EXPECT_NE(parallel.find("\"scheduler\": \"parallel\""), std::string::npos);
}

// With two host threads the run measures how long a cache line takes
// between them (the threads' speed depends on it, docs/parallel.md) and
// writes it beside the threads; one thread measures nothing.
TEST(ParallelScheduler, TwoHostThreadsRecordTheHostsCoreRoundTrip) {
    const std::string key = "\"host_core_round_trip_ns\": ";
    const std::string one =
        stats_of({"--config", "interf-col", "--workload", "hello", "--threads", "1"});
    EXPECT_EQ(one.find(key), std::string::npos);
    const std::string two =
        stats_of({"--config", "interf-col", "--workload", "hello", "--threads", "2"});
    const size_t at = two.find(key);
    ASSERT_NE(at, std::string::npos) << two;
    EXPECT_GT(std::stoull(two.substr(at + key.size())), 0u);
}

TEST(ParallelScheduler, BadThreadCountsAreNamedErrors) {
    for (const char* n : {"0", "65", "-1", "two"}) {
        auto r = test::run_cli({"--config", "solo", "--workload", "hello", "--threads", n});
        EXPECT_EQ(r.code, static_cast<int>(ExitCode::config)) << n;
        EXPECT_NE(r.err.find("--threads"), std::string::npos) << r.err;
    }
    auto c = test::run_cli(
        {"--config", "solo", "--workload", "hello", "--set", "scheduler=serial", "--threads", "2"});
    EXPECT_EQ(c.code, static_cast<int>(ExitCode::config));
    EXPECT_NE(c.err.find("scheduler=serial"), std::string::npos) << c.err;
    auto k = test::run_cli({"--config", "solo", "--workload", "hello", "--set", "scheduler=fast"});
    EXPECT_EQ(k.code, static_cast<int>(ExitCode::config));
    EXPECT_NE(k.err.find("serial, parallel"), std::string::npos) << k.err;
}

} // namespace
} // namespace sim

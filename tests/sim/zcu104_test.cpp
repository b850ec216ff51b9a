// Integration: the ZCU104 platform (--platform zcu104, docs/zcu104.md): the
// guests built for its addresses print through its Cadence UART natively and
// through hv's virtual PL011 under hv, every preset boots, interf-col runs
// qsort-small with checksum_ok=1 twice alike, a GICv3 is refused by name.
#include "sim/simulation.h"

#include "guest_files.h"
#include "run_cli.h"
#include "stats_text.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

namespace sim {
namespace {

constexpr const char* kZcu104 = "zcu104";

bool zcu104_built(const std::string& name) {
    return std::filesystem::exists(test::workloads_dir() + "/zcu104/" + name + ".elf");
}

RunOptions zcu104(const std::string& config, const std::string& workload) {
    RunOptions o;
    o.platform = kZcu104;
    o.config = config;
    o.workload = workload;
    o.workloads_dir = test::workloads_dir();
    return o;
}

TEST(Zcu104, HelloNativelyThroughTheCadenceUart) {
    if (!zcu104_built("hello"))
        GTEST_SKIP() << "guests not built";
    const auto r = test::run_cli(
        {"--platform", kZcu104, "--config", "native", "--workload", "hello", "--cores", "4"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(test::missing_hello_lines(r.out, 4), "") << r.out;
}

// The same image under hv: the console address is hv's virtual PL011 there.
TEST(Zcu104, HelloUnderHvThroughTheVirtualPl011) {
    if (!zcu104_built("hello"))
        GTEST_SKIP() << "guests not built";
    const auto r =
        test::run_cli({"--platform", kZcu104, "--config", "solo", "--workload", "hello"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("[bench] hello from core 0\n"), std::string::npos) << r.out;
}

// The board's guests are a directory of their own (workloads/zcu104/): a
// guest built for QEMU virt finds no UART or GIC at virt's addresses there.
TEST(Zcu104, ListWorkloadsShowsTheBoardsGuests) {
    if (!zcu104_built("hello"))
        GTEST_SKIP() << "guests not built";
    const auto r = test::run_cli({"--platform", kZcu104, "--list-workloads"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("hello"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("passthru-owner"), std::string::npos) << r.out; // virt only
}

class Zcu104Preset : public ::testing::TestWithParam<const char*> {};

// Every preset boots its VMs on the board (hello: quick under interf too);
// irqlat's timer interrupts through the GIC-400 are in
// sim.Checkpoint.Zcu104RoundTrips..., natively and under hv.
TEST_P(Zcu104Preset, Boots) {
    if (!zcu104_built("hello"))
        GTEST_SKIP() << "guests not built";
    std::ostringstream out;
    Simulation sim(zcu104(GetParam(), "hello"), &out);
    const RunOutcome o = sim.run();
    ASSERT_EQ(o.code, ExitCode::ok) << o.detail << out.str();
    EXPECT_NE(out.str().find("hello from core 0\n"), std::string::npos) << out.str();
    EXPECT_NE(sim.stats_json().find("\"platform\": \"zcu104\""), std::string::npos)
        << "meta.platform";
}

INSTANTIATE_TEST_SUITE_P(All, Zcu104Preset,
                         ::testing::Values("native", "solo", "solo-col", "interf", "interf-col",
                                           "interf-col-hypcol"),
                         [](const auto& info) {
                             std::string n = info.param;
                             for (char& c : n)
                                 if (c == '-')
                                     c = '_';
                             return n;
                         });

TEST(Zcu104, InterfColIsDeterministic) {
    if (!zcu104_built("qsort-small"))
        GTEST_SKIP() << "guests not built";
    std::string stats[2];
    for (auto& s : stats) {
        std::ostringstream out;
        Simulation sim(zcu104("interf-col", "qsort-small"), &out);
        const RunOutcome o = sim.run();
        ASSERT_EQ(o.code, ExitCode::ok) << o.detail << out.str();
        EXPECT_TRUE(sim.workload_summary().checksum_ok) << out.str();
        s = test::without_host_figures(sim.stats_json());
    }
    EXPECT_EQ(stats[0], stats[1]);
}

TEST(Zcu104, AGicv3IsRefused) {
    const auto r =
        test::run_cli({"--platform", kZcu104, "--config", "solo", "--set", "gic.version=3"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("gic.version: platform zcu104 has no GICv3"), std::string::npos) << r.err;
}

} // namespace
} // namespace sim

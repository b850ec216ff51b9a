// The command line end to end, in-process: each bad input gives a one-line
// error naming the problem and its exit code; guests that misbehave stop
// with a reason naming core, PC and address.
#include "sim/cli.h"
#include "sim/error.h"

#include "guest_files.h"
#include "run_cli.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace sim {
namespace {

using Result = test::CliResult;
using test::run_cli;

int code(ExitCode c) {
    return static_cast<int>(c);
}

TEST(Cli, HelpExplainsOptionsAndExitCodes) {
    Result r = run_cli({"--help"});
    EXPECT_EQ(r.code, 0);
    for (const char* s : {"--config", "--workload", "--cores", "--max-insns", "--stats-json",
                          "--log-level", "--image", "--set", "Exit codes", "approximate"})
        EXPECT_NE(r.out.find(s), std::string::npos) << s;
}

TEST(Cli, UnknownOption) {
    Result r = run_cli({"--frobnicate"});
    EXPECT_EQ(r.code, code(ExitCode::config));
    EXPECT_EQ(r.err, "bao-sim: error: unrecognised option '--frobnicate' (see --help)\n");
}

TEST(Cli, UnknownPreset) {
    Result r = run_cli({"--config", "interf-colr"});
    EXPECT_EQ(r.code, code(ExitCode::config));
    EXPECT_NE(r.err.find("bao-sim: error: unknown config 'interf-colr'"), std::string::npos);
}

TEST(Cli, UnknownWorkload) {
    Result r = run_cli({"--workload", "nosuch"});
    EXPECT_EQ(r.code, code(ExitCode::config));
    EXPECT_NE(r.err.find("unknown workload 'nosuch'"), std::string::npos);
}

TEST(Cli, MissingImage) {
    Result r = run_cli({"--image", "/nonexistent.bin"});
    EXPECT_EQ(r.code, code(ExitCode::config));
    EXPECT_EQ(
        r.err,
        "bao-sim: error: cannot open guest image '/nonexistent.bin': No such file or directory\n");
}

TEST(Cli, ElfForAnotherArchitecture) {
    Result r = run_cli({"--image", "/bin/true"});
    EXPECT_EQ(r.code, code(ExitCode::config));
    EXPECT_NE(r.err.find("'/bin/true' is an ELF for another architecture (e_machine 62"),
              std::string::npos);
}

TEST(Cli, ImageThatDoesNotFitRam) {
    auto path = test::write_raw_guest("nofit", {test::insn_branch_self});
    Result r = run_cli({"--image", path + "@0x80000000"});
    EXPECT_EQ(r.code, code(ExitCode::config));
    EXPECT_NE(r.err.find("does not fit in RAM: segment at 0x80000000"), std::string::npos);
}

TEST(Cli, BadCoreCount) {
    Result r = run_cli({"--cores", "9"});
    EXPECT_EQ(r.code, code(ExitCode::config));
    EXPECT_EQ(r.err, "bao-sim: error: --cores: 9 is out of range (1-8)\n");
}

// The guest takes its undefined instruction at EL1 (docs/design.md#faults); with no
// vector table (VBAR_EL1 = 0) the vector's fetch is what stops it, and the
// report names both.
TEST(Cli, UndefinedInstructionWithoutVectorsNamesCoreAndPc) {
    auto path = test::write_raw_guest("udf", {test::insn_udf0});
    Result r = run_cli({"--image", path, "--cores", "1"});
    EXPECT_EQ(r.code, code(ExitCode::guest_fault));
    EXPECT_EQ(
        r.err.rfind(
            "bao-sim: guest_fault: core 0: instruction fetch from unmapped memory at pc 0x200, "
            "address 0x200 (the vector of undefined instruction 0x0 from pc 0x40000000) (",
            0),
        0u)
        << r.err;
}

TEST(Cli, UnmappedReadNamesCorePcAndAddress) {
    auto path =
        test::write_raw_guest("unmapped", {test::insn_movz_x1_0x1000, test::insn_ldr_x2_x1});
    Result r = run_cli({"--image", path, "--cores", "1"});
    EXPECT_EQ(r.code, code(ExitCode::guest_fault));
    EXPECT_NE(
        r.err.find("core 0: read of 8 bytes from unmapped memory at pc 0x40000004, address 0x1000"),
        std::string::npos)
        << r.err;
}

TEST(Cli, UnmappedWrite) {
    auto path =
        test::write_raw_guest("unmapped-w", {test::insn_movz_x1_0x1000, test::insn_str_x2_x1});
    Result r = run_cli({"--image", path, "--cores", "1"});
    EXPECT_EQ(r.code, code(ExitCode::guest_fault));
    EXPECT_NE(
        r.err.find("core 0: write of 8 bytes to unmapped memory at pc 0x40000004, address 0x1000"),
        std::string::npos)
        << r.err;
}

TEST(Cli, InstructionLimit) {
    auto path = test::write_raw_guest("spin", {test::insn_branch_self});
    Result r = run_cli({"--image", path, "--max-insns", "5000"});
    EXPECT_EQ(r.code, code(ExitCode::insn_limit));
    EXPECT_NE(r.err.find("insn_limit: instruction limit of 5000 reached (5000 instructions"),
              std::string::npos)
        << r.err;
}

TEST(Cli, AllCoresIdleIsADeadlock) {
    auto path = test::write_raw_guest("wfi", {test::insn_wfi, test::insn_branch_back1});
    Result r = run_cli({"--image", path});
    EXPECT_EQ(r.code, code(ExitCode::idle_deadlock));
    EXPECT_NE(r.err.find("idle_deadlock: every core is idle (WFI) or off and no event is pending"),
              std::string::npos);
}

TEST(Cli, BadSetIsNamed) {
    Result r = run_cli({"--set", "quantum=5"});
    EXPECT_EQ(r.code, code(ExitCode::config));
    EXPECT_NE(r.err.find("model: unknown model parameter 'quantum'"), std::string::npos) << r.err;
}

TEST(Cli, ListsPresetsAndWorkloads) {
    Result c = run_cli({"--list-configs"});
    EXPECT_NE(c.out.find("native - "), std::string::npos);
    Result w = run_cli({"--list-workloads"});
    EXPECT_NE(w.out.find("hello"), std::string::npos);
}

// Bad numbers on the command line are named errors (boost's lexical_cast
// wrapped "-1" to 2^64-1) and --set shares the config's strict parser.
TEST(Cli, NumbersOnTheCommandLineAreStrict) {
    Result r = run_cli({"--workload", "hello", "--max-insns", "-1"});
    EXPECT_EQ(r.code, code(ExitCode::config));
    EXPECT_EQ(r.err, "bao-sim: error: --max-insns: '-1' has a sign (numbers are unsigned)\n");
    EXPECT_EQ(r.out, "");
    r = run_cli({"--workload", "hello", "--cores", "-1"});
    EXPECT_EQ(r.code, code(ExitCode::config));
    EXPECT_EQ(r.err, "bao-sim: error: --cores: '-1' has a sign (numbers are unsigned)\n");
    r = run_cli({"--workload", "hello", "--set", "quantum_cycles=-1"});
    EXPECT_EQ(r.code, code(ExitCode::config));
    EXPECT_EQ(r.err,
              "bao-sim: error: model.quantum_cycles: '-1' has a sign (numbers are unsigned)\n");
    EXPECT_EQ(r.out, "");
}

// A baseline that cannot be read, or an output file that cannot be written,
// is found before the run, not after it (--compare used to exit 0).
TEST(Cli, CompareBaselineAndOutputPathsAreCheckedBeforeTheRun) {
    Result r = run_cli({"--workload", "hello", "--compare", "/nonexistent.json"});
    EXPECT_EQ(r.code, code(ExitCode::config));
    EXPECT_EQ(r.err, "bao-sim: error: --compare: cannot read '/nonexistent.json'\n");
    EXPECT_EQ(r.out, "");
    r = run_cli({"--workload", "hello", "--compare", "no-such-preset"});
    EXPECT_EQ(r.code, code(ExitCode::config));
    EXPECT_NE(r.err.find("unknown config 'no-such-preset'"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
    r = run_cli({"--workload", "hello", "--stats-json", "/nonexistent-dir/stats.json"});
    EXPECT_EQ(r.code, code(ExitCode::config));
    EXPECT_EQ(r.err, "bao-sim: error: --stats-json: cannot write '/nonexistent-dir/stats.json': "
                     "directory '/nonexistent-dir' does not exist\n");
    EXPECT_EQ(r.out, "");
    r = run_cli({"--workload", "hello", "--stats-csv", "/"});
    EXPECT_EQ(r.code, code(ExitCode::config));
    EXPECT_EQ(r.err, "bao-sim: error: --stats-csv: cannot write '/': it is a directory\n");
    EXPECT_EQ(r.out, "");
}

// Configurations hv must refuse by name (exit 2): they used to end as
// "internal error: unicorn: map device ... UC_ERR_MAP" or "internal error:
// hv write outside RAM" (exit 1).
TEST(Cli, PlatformAndPlacementGapsAreNamedConfigErrors) {
    auto config = [](const std::string& name, const std::string& platform,
                     const std::string& image) {
        auto path = std::filesystem::temp_directory_path() / "bao-sim-tests" /
                    (name + "-" + std::to_string(getpid()) + ".toml");
        std::filesystem::create_directories(path.parent_path());
        std::ofstream(path) << "mode = \"hv\"\n[platform]\n"
                            << platform
                            << "[hyp]\nregion = { base = 0x40000000, size = 0x400000 }\n"
                               "[[vms]]\nname = \"bench\"\nmeasured = true\ncpu_affinity = [0]\n"
                               "image = { workload = \"hello\", load_addr = 0x40000000"
                            << image << " }\nregions = [{ base = 0x40000000, size = 0x1000000 }]\n";
        return path.string();
    };
    Result r = run_cli({"--config", config("gicd", "gic = { gicd = 0x08011000 }\n", "")});
    EXPECT_EQ(r.code, code(ExitCode::config));
    EXPECT_EQ(
        r.err,
        "bao-sim: error: platform.gic.gicc: [0x8010000, 0x8012000) overlaps platform.gic.gicd "
        "[0x8011000, 0x8012000)\n");
    r = run_cli({"--config", config("ram2",
                                    "ram = [{ base = 0x40000000, size = 0x40000000 }, "
                                    "{ base = 0x100000000, size = 0x10000000 }]\n",
                                    "")});
    EXPECT_EQ(r.code, code(ExitCode::config));
    EXPECT_EQ(
        r.err,
        "bao-sim: error: platform.ram[1]: the simulator backs one RAM range (platform.ram[0]); "
        "merge the ranges or drop this one\n");
    r = run_cli({"--config", config("load-pa", "", ", load_pa = 0x10000000")});
    EXPECT_EQ(r.code, code(ExitCode::config));
    EXPECT_NE(r.err.find("bao-sim: error: vms[0].image: load_pa [0x10000000, "), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find(") is not inside one of platform.ram\n"), std::string::npos) << r.err;
}

} // namespace
} // namespace sim

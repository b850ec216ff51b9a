// The simulated-time limit (--max-seconds, the config's max_seconds): read
// exactly, bad text named, and a run that never ends stops at it with exit
// code 4, even when its cores idle towards a far timer event.
#include "sim/cli.h"
#include "sim/config.h"
#include "sim/error.h"
#include "sim/sim_time.h"

#include "guest_files.h"
#include "run_cli.h"

#include <cctype>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

namespace sim {
namespace {

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const InputError& e) {
        return e.what();
    }
    return "no error";
}

TEST(RunLimit, SecondsAreReadExactlyIntoNanoseconds) {
    EXPECT_EQ(parse_seconds("30", "t"), 30'000'000'000u);
    EXPECT_EQ(parse_seconds("2.5", "t"), 2'500'000'000u);
    EXPECT_EQ(parse_seconds("0.001", "t"), 1'000'000u);
    EXPECT_EQ(parse_seconds("0.000000001", "t"), 1u);
    EXPECT_EQ(parse_seconds("0", "t"), 0u);
    EXPECT_EQ(parse_seconds("1000000", "t"), 1'000'000'000'000'000u);
    EXPECT_EQ(format_seconds(2'500'000'000u), "2.5");
    EXPECT_EQ(format_seconds(30'000'000'000u), "30");
    EXPECT_EQ(format_seconds(1'000'000u), "0.001");
    // 1.2 GHz: 1 ns is 1.2 cycles, rounded up to the first whole cycle.
    EXPECT_EQ(ns_to_cycles(1'000'000'000u, 1'200'000'000u), 1'200'000'000u);
    EXPECT_EQ(ns_to_cycles(1, 1'200'000'000u), 2u);
    EXPECT_EQ(ns_to_cycles(1'000'000'000'000'000u, 100'000'000'000u), 100'000'000'000'000'000u);
}

TEST(RunLimit, BadSecondsAreNamed) {
    const std::pair<const char*, const char*> bad[] = {
        {"", "is not a number"},        {"-1", "is not a number"},
        {"1e3", "is not a number"},     {"2.", "is not a number"},
        {".5", "is not a number"},      {"1.2.3", "is not a number"},
        {"30s", "is not a number"},     {" 1", "is not a number"},
        {"01", "has a leading zero"},   {"0.0000000001", "is finer than a nanosecond"},
        {"1000001", "is out of range"}, {"99999999999999999999", "is out of range"},
    };
    for (auto& [text, why] : bad) {
        const std::string e = error_of([&] { parse_seconds(text, "--max-seconds"); });
        EXPECT_EQ(e.rfind(std::string("--max-seconds: '") + text + "' " + why, 0), 0u)
            << text << ": " << e;
    }
}

const char* config_with(const std::string& line) {
    static std::string text;
    text = line + "\nmode = \"native\"\n[[vms]]\nname = \"bench\"\nmeasured = true\n"
                  "image = { workload = \"hello\" }\n";
    return text.c_str();
}

TEST(RunLimit, ConfigKeyTakesIntegersFloatsAndStrings) {
    EXPECT_EQ(parse_config(config_with(""), "t.toml", "").machine.max_ns, 0u);
    EXPECT_EQ(parse_config(config_with("max_seconds = 30"), "t.toml", "").machine.max_ns,
              30'000'000'000u);
    EXPECT_EQ(parse_config(config_with("max_seconds = 2.5"), "t.toml", "").machine.max_ns,
              2'500'000'000u);
    EXPECT_EQ(parse_config(config_with("max_seconds = \"0.25\""), "t.toml", "").machine.max_ns,
              250'000'000u);
    for (const char* bad : {"max_seconds = -1", "max_seconds = -0.5", "max_seconds = true",
                            "max_seconds = \"ten\"", "max_seconds = 1e300", "max_seconds = nan"}) {
        const std::string e = error_of([&] { parse_config(config_with(bad), "t.toml", ""); });
        EXPECT_EQ(e.rfind("max_seconds: ", 0), 0u) << bad << ": " << e;
    }
}

using Result = test::CliResult;
using test::run_cli;

uint64_t cycles_reported(const std::string& err) {
    // The first "instructions, N cycles)".
    const std::string_view key = "instructions, ";
    for (size_t at = 0; (at = err.find(key, at)) != std::string::npos;) {
        at += key.size();
        size_t end = at;
        while (end < err.size() && std::isdigit(static_cast<unsigned char>(err[end])))
            ++end;
        if (end > at && err.compare(end, 8, " cycles)") == 0)
            return std::stoull(err.substr(at, end - at));
    }
    return 0;
}

// A guest that spins forever ends at the limit: exit code 4, reason time_limit.
TEST(RunLimit, SpinningGuestStopsAtTheLimit) {
    auto path = test::write_raw_guest("spin-time", {test::insn_branch_self});
    Result r = run_cli({"--image", path, "--cores", "1", "--max-seconds", "0.001"});
    EXPECT_EQ(r.code, static_cast<int>(ExitCode::time_limit));
    EXPECT_EQ(r.code, 4);
    EXPECT_NE(r.err.find("time_limit: simulated-time limit of 0.001 s reached"), std::string::npos)
        << r.err;
    // 1 ms at 1.2 GHz, ended at the first quantum (1200 cycles) boundary past it.
    const uint64_t cycles = cycles_reported(r.err);
    EXPECT_GE(cycles, 1'200'000u) << r.err;
    EXPECT_LE(cycles, 1'200'000u + 1'200u) << r.err;
}

// The case --max-insns cannot catch: a guest idling in WFI towards a timer
// event 10 s away executes almost nothing. The run stops at 0.5 s, not at
// the event (the idle fast-forward stops at the limit).
TEST(RunLimit, IdleGuestStopsAtTheLimitNotAtItsNextEvent) {
    auto path = test::write_raw_guest("idle-time", {
                                                       0xd2994000, // mov x0, #0xca00
                                                       0xf2a77340, // movk x0, #0x3b9a, lsl #16
                                                       0xd51be340, // msr cntv_cval_el0, x0 (10 s)
                                                       0xd2800021, // mov x1, #1
                                                       0xd51be321, // msr cntv_ctl_el0, x1
                                                       test::insn_wfi,
                                                       test::insn_branch_back1,
                                                   });
    Result r = run_cli(
        {"--image", path, "--cores", "1", "--max-insns", "1000000", "--max-seconds", "0.5"});
    EXPECT_EQ(r.code, 4);
    EXPECT_NE(r.err.find("time_limit: simulated-time limit of 0.5 s reached"), std::string::npos)
        << r.err;
    const uint64_t cycles = cycles_reported(r.err);
    EXPECT_GE(cycles, 600'000'000u) << r.err;
    EXPECT_LE(cycles, 600'000'000u + 1'200u) << r.err;
}

// With nothing left to wake the cores, the run is a deadlock (exit 5) at
// once, as without a limit: the limit never fast-forwards to itself.
TEST(RunLimit, DeadlockIsStillADeadlock) {
    auto path = test::write_raw_guest("wfi-time", {test::insn_wfi, test::insn_branch_back1});
    Result r = run_cli({"--image", path, "--cores", "1", "--max-seconds", "10"});
    EXPECT_EQ(r.code, static_cast<int>(ExitCode::idle_deadlock)) << r.err;
    EXPECT_LT(cycles_reported(r.err), 1'200'000u) << r.err;
}

// The config's max_seconds ends the run; --max-seconds replaces it (0: none).
TEST(RunLimit, CommandLineReplacesTheConfigsLimit) {
    auto guest = test::write_raw_guest("spin-config", {test::insn_branch_self});
    const auto toml = std::filesystem::temp_directory_path() / "bao-sim-tests" /
                      ("limit-" + std::to_string(::getpid()) + ".toml");
    std::ofstream(toml) << "mode = \"native\"\nmax_seconds = 0.002\n[platform]\ncpus = 1\n"
                           "[[vms]]\nname = \"bench\"\nmeasured = true\n"
                           "image = { path = \""
                        << guest << "\" }\n";
    Result a = run_cli({"--config", toml.string()});
    EXPECT_EQ(a.code, 4) << a.err;
    EXPECT_NE(a.err.find("simulated-time limit of 0.002 s reached"), std::string::npos) << a.err;
    Result b = run_cli({"--config", toml.string(), "--max-seconds", "0.001"});
    EXPECT_NE(b.err.find("simulated-time limit of 0.001 s reached"), std::string::npos) << b.err;
    Result c = run_cli({"--config", toml.string(), "--max-seconds", "0", "--max-insns", "10000"});
    EXPECT_NE(c.err.find("insn_limit: instruction limit of 10000 reached"), std::string::npos)
        << c.err;
    Result d = run_cli({"--max-seconds", "1e3"});
    EXPECT_EQ(d.code, 2);
    EXPECT_NE(d.err.find("--max-seconds: '1e3' is not a number"), std::string::npos) << d.err;
    std::filesystem::remove(toml);
}

TEST(RunLimit, HelpNamesTheOptionAndItsExitCode) {
    Result r = run_cli({"--help"});
    EXPECT_NE(r.out.find("--max-seconds"), std::string::npos);
    EXPECT_NE(r.out.find("--max-seconds (the\n     config's max_seconds) of simulated time"),
              std::string::npos)
        << r.out;
}

} // namespace
} // namespace sim

// Logging and the progress line end to end (docs/observability.md): each
// logger writes at its level and not below, whatever the others' levels;
// unknown loggers and levels are refused by name; the progress line appears
// only when stderr is a terminal or when forced.
#include "sim/error.h"
#include "sim/log.h"
#include "sim/progress.h"

#include "run_cli.h"

#include <gtest/gtest.h>
#include <spdlog/logger.h>

#include <sstream>

namespace sim {
namespace {

using test::run_cli;

bool has(const std::string& text, const std::string& what) {
    return text.find(what) != std::string::npos;
}

TEST(Loggers, EachWritesAtItsLevelAndNotBelow) {
    LogLevels levels;
    levels.all = LogLevel::info;
    parse_log_list("hv=trace,vgic=off", levels);
    std::ostringstream out;
    const Loggers log(levels, out);
    log.hv().trace("a trace line");
    log.vgic().error("an error of a logger that is off");
    log.cpu().info("an info line");
    log.cpu().debug("a debug line below info");
    log.mem().warn("a warning");
    EXPECT_EQ(out.str(), "[hv:trace] a trace line\n"
                         "[cpu:info] an info line\n"
                         "[mem:warning] a warning\n");
    EXPECT_TRUE(log.enabled(LogSource::hv, LogLevel::trace));
    EXPECT_FALSE(log.enabled(LogSource::cpu, LogLevel::debug));
}

TEST(Loggers, DefaultIsSilent) {
    const Loggers log;
    for (size_t i = 0; i < kLogSources; ++i)
        EXPECT_FALSE(log.enabled(static_cast<LogSource>(i), LogLevel::critical));
}

TEST(Loggers, UnknownNamesAreRefusedByName) {
    LogLevels levels;
    try {
        parse_log_list("hv=debug,gic=trace", levels);
        FAIL() << "an unknown logger was accepted";
    } catch (const InputError& e) {
        EXPECT_TRUE(has(e.what(), "unknown logger 'gic'")) << e.what();
        EXPECT_TRUE(has(e.what(), "hv, vgic, cpu, mem, config, console")) << e.what();
    }
    EXPECT_THROW(parse_log_list("hv=loud", levels), InputError);
    EXPECT_THROW(parse_log_list("hv", levels), InputError);
    EXPECT_THROW(parse_log_level("verbose", "--log-level"), InputError);
}

TEST(LogCli, UnknownLoggerOrLevelIsANamedError) {
    auto r = run_cli({"--config", "solo", "--workload", "hello", "--log", "hypervisor=debug"});
    EXPECT_EQ(r.code, static_cast<int>(ExitCode::config));
    EXPECT_TRUE(has(r.err, "bao-sim: error: --log: unknown logger 'hypervisor'")) << r.err;
    r = run_cli({"--config", "solo", "--workload", "hello", "--log", "hv=chatty"});
    EXPECT_EQ(r.code, static_cast<int>(ExitCode::config));
    EXPECT_TRUE(has(r.err, "--log hv: unknown level 'chatty'")) << r.err;
    r = run_cli({"--config", "solo", "--workload", "hello", "--log-level", "loud"});
    EXPECT_EQ(r.code, static_cast<int>(ExitCode::config));
    EXPECT_TRUE(has(r.err, "--log-level: unknown level 'loud'")) << r.err;
}

TEST(LogCli, DefaultRunLogsNothing) {
    const auto r = run_cli({"--config", "solo", "--workload", "hello"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.err, "");
}

// hv's events through the port: at debug, VM boot and stop (info) and the
// PSCI calls with arguments and results (debug), but no traps (trace), and
// nothing from the loggers left at warn.
TEST(LogCli, HvAtDebug) {
    const auto r = run_cli({"--config", "solo", "--workload", "hello", "--log", "hv=debug"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(has(r.err, "core 0 vm 0 (bench) vcpu 0: boots at 0x40000000 (x0 0x0) on core 0\n"))
        << r.err;
    // hello asks for core 1, which the solo VM does not have.
    EXPECT_TRUE(has(r.err, "PSCI CPU_ON (0xc4000003) (0x1, 0x")) << r.err;
    EXPECT_TRUE(has(r.err, ") = -2\n")) << r.err;
    EXPECT_TRUE(has(r.err, "PSCI SYSTEM_OFF (0x84000008) (0x0, 0x0, 0x0) -> vm-stopped\n"))
        << r.err;
    EXPECT_TRUE(has(r.err, "[hv:info] cycle ")) << r.err;
    EXPECT_TRUE(has(r.err, "stopped (power-off): vm 0 (\"bench\")")) << r.err;
    EXPECT_FALSE(has(r.err, "[hv:trace]")) << r.err;
    for (const char* other : {"[vgic:", "[cpu:", "[mem:", "[config:", "[console:"})
        EXPECT_FALSE(has(r.err, other)) << other;
}

TEST(LogCli, HvAtTraceShowsTrapsByClass) {
    const auto r = run_cli({"--config", "solo", "--workload", "hello", "--log", "hv=trace"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(has(r.err, "[hv:trace]")) << r.err;
    EXPECT_TRUE(has(r.err, ": trap smc (class 0x17")) << r.err;
    EXPECT_TRUE(has(r.err, ": trap dabt (class 0x24")) << r.err; // the virtual UART
}

// The virtual timer's interrupts injected into irqlat's VM: at debug each
// injection, at trace also each physical IRQ hv takes.
TEST(LogCli, VgicInjections) {
    auto r = run_cli({"--config", "solo", "--workload", "irqlat", "--guest-param", "0=5", "--log",
                      "vgic=debug"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(has(r.err, "[vgic:debug]")) << r.err;
    EXPECT_TRUE(has(r.err, ": virtual IRQ 27 (hw): pending")) << r.err;
    EXPECT_FALSE(has(r.err, "[vgic:trace]")) << r.err;
    r = run_cli({"--config", "solo", "--workload", "irqlat", "--guest-param", "0=5", "--log",
                 "vgic=trace"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(has(r.err, "[vgic:trace]")) << r.err;
    EXPECT_TRUE(has(r.err, ": physical IRQ 27: injected")) << r.err;
}

TEST(LogCli, LevelForAllAndOneLoggerOverridingIt) {
    const auto r = run_cli({"--config", "solo-col", "--workload", "hello", "--log-level", "info",
                            "--log", "cpu=debug,hv=warn"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(has(r.err, "[config:info] config 'solo-col'")) << r.err;
    EXPECT_TRUE(has(r.err, "[config:info] hv accepted the configuration: 1 VMs")) << r.err;
    EXPECT_TRUE(has(r.err, "[cpu:debug] cycle ")) << r.err;
    EXPECT_TRUE(has(r.err, "[cpu:info] cycle ")) << r.err; // the run's end
    EXPECT_FALSE(has(r.err, "[hv:")) << r.err;             // hv at warn: no boot line
    EXPECT_FALSE(has(r.err, "[config:debug]")) << r.err;
    EXPECT_FALSE(has(r.err, "[mem:debug]")) << r.err;
}

TEST(LogCli, ConsoleLinesAtTrace) {
    const auto r = run_cli(
        {"--config", "native", "--workload", "hello", "--cores", "2", "--log", "console=trace"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(has(r.err, "[console:trace] [core1] ")) << r.err;
}

TEST(Progress, ShownAutomaticallyOnlyOnAQuietTerminal) {
    LogLevels quiet;
    EXPECT_FALSE(choose_progress(ProgressChoice::automatic, false, quiet));
    const auto on_terminal = choose_progress(ProgressChoice::automatic, true, quiet);
    ASSERT_TRUE(on_terminal);
    EXPECT_TRUE(on_terminal->in_place);
    EXPECT_GT(on_terminal->delay_seconds, 0); // short runs show nothing
    LogLevels chatty;
    parse_log_list("mem=info", chatty);
    EXPECT_FALSE(choose_progress(ProgressChoice::automatic, true, chatty));
    EXPECT_FALSE(choose_progress(ProgressChoice::off, true, quiet));
    const auto forced = choose_progress(ProgressChoice::on, false, chatty);
    ASSERT_TRUE(forced);
    EXPECT_FALSE(forced->in_place); // whole lines into a file or pipe
    EXPECT_EQ(forced->delay_seconds, 0);
}

TEST(Progress, SilentWhenStderrIsNotATerminal) {
    // run_cli's stderr is a string stream: never a terminal.
    const auto r = run_cli({"--config", "solo", "--workload", "qsort-small"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_FALSE(has(r.err, "simulated")) << r.err;
}

TEST(Progress, ShownWhenForced) {
    const auto r = run_cli({"--config", "solo", "--workload", "hello", "--progress"});
    ASSERT_EQ(r.code, 0) << r.err;
    // Not a terminal: whole lines, at least the first quantum's and the last.
    EXPECT_TRUE(has(r.err, "bao-sim: 0.0")) << r.err;
    EXPECT_TRUE(has(r.err, " s simulated, ")) << r.err;
    EXPECT_TRUE(has(r.err, " M instructions, ")) << r.err;
    EXPECT_TRUE(has(r.err, " MIPS | bench running\n")) << r.err;
    EXPECT_TRUE(has(r.err, " MIPS | bench power-off\n")) << r.err;
    EXPECT_FALSE(has(r.err, "\r")) << r.err;
    // The run's own output is unchanged.
    EXPECT_TRUE(has(r.out, "bao-sim: system_off")) << r.out;
}

TEST(Progress, ForcedOnAndOffContradict) {
    const auto r =
        run_cli({"--config", "solo", "--workload", "hello", "--progress", "--no-progress"});
    EXPECT_EQ(r.code, static_cast<int>(ExitCode::config));
    EXPECT_TRUE(has(r.err, "--progress and --no-progress")) << r.err;
}

} // namespace
} // namespace sim

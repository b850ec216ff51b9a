// Checkpoints (--checkpoint-at, --restore; docs/checkpoints.md): a run
// restored from a checkpoint ends with the same statistics, byte for byte
// (but host time and MIPS), as the run that saved it, which itself is the
// uninterrupted run; a checkpoint of another configuration, version or
// damaged is refused with a named error.
#include "sim/checkpoint.h"
#include "sim/simulation.h"

#include "guest_files.h"
#include "run_cli.h"
#include "stats_text.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include <unistd.h>

namespace sim {
namespace {

std::string temp_file(const std::string& name) {
    auto dir = std::filesystem::temp_directory_path() / "bao-sim-tests";
    std::filesystem::create_directories(dir);
    return (dir / (name + "-" + std::to_string(::getpid()) + ".ckpt")).string();
}

RunOptions guest(const std::string& config, const std::string& workload) {
    RunOptions o;
    o.config = config;
    o.workload = workload;
    o.workloads_dir = test::workloads_dir();
    return o;
}

// The stats file without what measures the host, not the simulation.
std::string simulated_stats(const Simulation& s) {
    return test::without_host_figures(s.stats_json());
}

struct RoundTrip {
    std::string uninterrupted, restored;
    std::optional<std::pair<uint64_t, uint64_t>> saved_at;
};

// `end`: how both runs end (ok, or insn_limit when `o` sets max_insns).
RoundTrip round_trip(RunOptions o, CheckpointAt at, const std::string& name,
                     ExitCode end = ExitCode::ok) {
    RoundTrip r;
    o.checkpoint_at = at;
    o.checkpoint_out = temp_file(name);
    {
        Simulation s(o, nullptr);
        EXPECT_EQ(s.run().code, end);
        r.uninterrupted = simulated_stats(s);
        r.saved_at = s.checkpoint_taken();
    }
    RunOptions restore = o;
    restore.checkpoint_at = {};
    restore.restore = o.checkpoint_out;
    Simulation s(restore, nullptr);
    EXPECT_EQ(s.run().code, end);
    r.restored = simulated_stats(s);
    std::filesystem::remove(o.checkpoint_out);
    return r;
}

TEST(Checkpoint, SoloRoundTripAtTheMarkMatchesTheUninterruptedRun) {
    const RoundTrip r =
        round_trip(guest("solo", "qsort-small"), {CheckpointAt::When::mark, 0}, "solo");
    ASSERT_TRUE(r.saved_at);
    EXPECT_GT(r.saved_at->first, 0u);
    EXPECT_NE(r.uninterrupted.find("\"checksum_ok\": true"), std::string::npos);
    EXPECT_EQ(r.uninterrupted, r.restored);
}

// Three busy cores, colored L2, memory contention in flight at the boundary;
// both runs end at 16 M instructions, a third of the whole run (whose end
// the solo round trip covers): 20 -> 7 s under ASan.
TEST(Checkpoint, InterferenceRoundTripMatchesTheUninterruptedRun) {
    RunOptions o = guest("interf-col", "qsort-small");
    o.max_insns = 16'000'000;
    const RoundTrip r =
        round_trip(o, {CheckpointAt::When::insns, 4'000'000}, "interf-col", ExitCode::insn_limit);
    ASSERT_TRUE(r.saved_at);
    EXPECT_GE(r.saved_at->first, 4'000'000u);
    EXPECT_EQ(r.uninterrupted, r.restored);
}

// The ZCU104 (docs/zcu104.md): its Cadence UART and GIC-400 at the board's
// addresses, natively and under hv, saved between timer interrupts.
TEST(Checkpoint, Zcu104RoundTripsMatchTheUninterruptedRuns) {
    if (!std::filesystem::exists(test::workloads_dir() + "/zcu104/irqlat-quick.elf"))
        GTEST_SKIP() << "guests not built";
    for (const char* config : {"native", "solo"}) {
        RunOptions o = guest(config, "irqlat-quick");
        o.platform = "zcu104";
        const RoundTrip r =
            round_trip(o, {CheckpointAt::When::insns, 600'000}, std::string("zcu104-") + config);
        ASSERT_TRUE(r.saved_at) << config;
        EXPECT_NE(r.uninterrupted.find("\"checksum_ok\": true"), std::string::npos) << config;
        EXPECT_EQ(r.uninterrupted, r.restored) << config;
    }
}

// Saved while fast-forwarding without the memory hook (--fast-forward-uncounted),
// restored on a machine whose cores start with it: the hook is dropped again
// and comes back at the mark (25.8 M), as in the uninterrupted run; both end
// at 30 M.
TEST(Checkpoint, UncountedFastForwardRoundTripMatchesTheUninterruptedRun) {
    RunOptions o = guest("interf-col", "qsort-small");
    o.fast_forward.until = FastForward::Until::mark;
    o.fast_forward.uncounted = true;
    o.max_insns = 30'000'000;
    const RoundTrip r =
        round_trip(o, {CheckpointAt::When::insns, 20'000'000}, "uncounted", ExitCode::insn_limit);
    ASSERT_TRUE(r.saved_at);
    EXPECT_NE(r.uninterrupted.find("\"uncounted\": true"), std::string::npos);
    EXPECT_EQ(r.uninterrupted, r.restored);
}

TEST(Checkpoint, NativeRoundTripMatchesTheUninterruptedRun) {
    RunOptions o = guest("native", "irqlat");
    o.guest_params = {"0=20"}; // a few samples: timers and interrupts in flight
    const RoundTrip r = round_trip(o, {CheckpointAt::When::mark, 0}, "native");
    ASSERT_TRUE(r.saved_at);
    EXPECT_EQ(r.uninterrupted, r.restored);
}

// The GICv3: natively the guest's own GICD routes, redistributor wake-up
// and ICC_* state exist only in the checkpoint (a restore that lost them
// never takes another interrupt and ends at the time limit); under hv the
// list registers and hv's vGICv3 carry the interrupts.
TEST(Checkpoint, Gicv3RoundTripsMatchTheUninterruptedRuns) {
    for (const char* config : {"native", "solo"}) {
        SCOPED_TRACE(config);
        RunOptions o = guest(config, "irqlat");
        o.guest_params = {"0=20"};
        o.sets = {"gic.version=3"};
        o.max_ns = 1'000'000'000;
        const RoundTrip r = round_trip(o, {CheckpointAt::When::mark, 0}, "gicv3");
        ASSERT_TRUE(r.saved_at);
        EXPECT_NE(r.uninterrupted.find("\"checksum_ok\": true"), std::string::npos);
        EXPECT_EQ(r.uninterrupted, r.restored);
    }
}

// model.core = a53 mid-benchmark: the recipes (their runs and memos), the
// branch predictor, the results in flight and the front table go on as
// they would have (a restore that lost the predictor differs in its
// cycles). Both runs end at 10 M instructions.
TEST(Checkpoint, A53RoundTripMatchesTheUninterruptedRun) {
    RunOptions o = guest("native", "qsort-small");
    o.sets = {"core=a53"};
    o.max_insns = 10'000'000;
    const RoundTrip r =
        round_trip(o, {CheckpointAt::When::insns, 6'000'000}, "a53", ExitCode::insn_limit);
    ASSERT_TRUE(r.saved_at);
    EXPECT_NE(r.uninterrupted.find("\"mispredicts\""), std::string::npos);
    EXPECT_EQ(r.uninterrupted, r.restored);
}

// At a console line (the first quantum boundary after the measured guest
// printed it), as reproduce --linux-boot-once saves a Linux VM waiting for
// its job. With --checkpoint-exit the saving run ends there (exit 0, reason
// `checkpoint`) and the restored run still ends as the uninterrupted one.
TEST(Checkpoint, AtAConsoleLineAndExitingThere) {
    RunOptions o = guest("native", "hello");
    o.cores = 4;
    const CheckpointAt at{CheckpointAt::When::console, 0};
    o.console_text = "hello from core 0";
    const RoundTrip r = round_trip(o, at, "console");
    ASSERT_TRUE(r.saved_at);
    EXPECT_EQ(r.uninterrupted, r.restored);
    o.checkpoint_at = at;
    o.checkpoint_out = temp_file("console-exit");
    o.checkpoint_exit = true;
    {
        Simulation s(o, nullptr);
        const RunOutcome end = s.run();
        EXPECT_EQ(end.code, ExitCode::ok);
        EXPECT_EQ(end.reason, "checkpoint");
        ASSERT_TRUE(s.checkpoint_taken());
        EXPECT_EQ(s.checkpoint_taken()->first, r.saved_at->first);
        EXPECT_EQ(s.console_tail().back(), "hello from core 0");
    }
    RunOptions restore = guest("native", "hello");
    restore.cores = 4;
    restore.restore = o.checkpoint_out;
    Simulation s(restore, nullptr);
    EXPECT_EQ(s.run().code, ExitCode::ok);
    EXPECT_EQ(simulated_stats(s), r.uninterrupted);
    std::filesystem::remove(o.checkpoint_out);
    // Restored waiting for another console text: refused by name.
    restore.console_input = {"x", {CheckpointAt::When::console, 0}};
    restore.console_text = "hello from core 1";
    o.checkpoint_exit = false;
    {
        Simulation saving(o, nullptr);
        saving.run();
    }
    try {
        Simulation other(restore, nullptr);
        other.run();
        ADD_FAILURE() << "restored waiting for another console text";
    } catch (const CheckpointError& e) {
        EXPECT_NE(std::string(e.what()).find("saved waiting for the console text"),
                  std::string::npos)
            << e.what();
    }
    std::filesystem::remove(o.checkpoint_out);
}

// A checkpoint of solo hello, saved once for the refusal tests.
const std::string& hello_checkpoint() {
    static const std::string path = [] {
        RunOptions o = guest("solo", "hello");
        o.checkpoint_at = {CheckpointAt::When::insns, 400};
        o.checkpoint_out = temp_file("hello");
        Simulation s(o, nullptr);
        s.run();
        return o.checkpoint_out;
    }();
    return path;
}

std::string restore_error(RunOptions o, const std::string& path) {
    o.restore = path;
    try {
        Simulation s(o, nullptr);
        s.run();
    } catch (const CheckpointError& e) {
        return e.what();
    }
    return "restored";
}

std::string damaged(const std::string& name, const std::function<void(std::string&)>& damage) {
    std::ifstream in(hello_checkpoint(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    damage(bytes);
    const std::string path = temp_file(name);
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
}

TEST(Checkpoint, RefusesAnotherConfigurationOrImage) {
    const std::string path = hello_checkpoint();
    EXPECT_EQ(restore_error(guest("solo", "hello"), path), "restored");
    EXPECT_NE(restore_error(guest("solo", "qsort-small"), path).find("another configuration"),
              std::string::npos);
    EXPECT_NE(restore_error(guest("solo-col", "hello"), path).find("another configuration"),
              std::string::npos);
    RunOptions o = guest("solo", "hello");
    o.sets = {"l2.ways=8"};
    EXPECT_NE(restore_error(o, path).find("another configuration"), std::string::npos);
    o = guest("solo", "hello");
    o.fast_forward.until = FastForward::Until::mark;
    EXPECT_NE(restore_error(o, path).find("another configuration"), std::string::npos);
}

TEST(Checkpoint, RefusesDamagedFilesWithNamedErrors) {
    const RunOptions o = guest("solo", "hello");
    const auto expect = [&](const std::string& path, const std::string& what) {
        const std::string e = restore_error(o, path);
        EXPECT_NE(e.find(what), std::string::npos) << e;
        EXPECT_EQ(e.rfind("checkpoint: ", 0), 0u) << e;
    };
    expect(temp_file("missing"), "cannot read");
    expect(damaged("not", [](std::string& b) { b = "hello, world\n"; }),
           "is not a bao-sim checkpoint");
    expect(damaged("version", [](std::string& b) { b[8] = 99; }), "format version 99");
    expect(damaged("truncated", [](std::string& b) { b.resize(b.size() - 100); }), "truncated");
    expect(damaged("flipped", [](std::string& b) { b[b.size() / 2] ^= 0x40; }),
           "corrupt (its checksum");
}

TEST(Checkpoint, CommandLineNamesMissingPartsAndRefusals) {
    auto r = test::run_cli({"--config", "solo", "--workload", "hello", "--checkpoint-at", "mark"});
    EXPECT_EQ(r.code, static_cast<int>(ExitCode::config));
    EXPECT_NE(r.err.find("--checkpoint-at needs --checkpoint-out"), std::string::npos) << r.err;
    r = test::run_cli({"--config", "solo", "--workload", "hello", "--checkpoint-at", "later",
                       "--checkpoint-out", temp_file("cli")});
    EXPECT_EQ(r.code, static_cast<int>(ExitCode::config));
    EXPECT_NE(r.err.find("expected mark, insns:N or console:TEXT"), std::string::npos) << r.err;
    r = test::run_cli({"--config", "solo", "--workload", "hello", "--checkpoint-exit"});
    EXPECT_EQ(r.code, static_cast<int>(ExitCode::config));
    EXPECT_NE(r.err.find("--checkpoint-exit needs --checkpoint-at"), std::string::npos) << r.err;
    r = test::run_cli({"--config", "solo", "--workload", "hello", "--console-input-at", "mark"});
    EXPECT_EQ(r.code, static_cast<int>(ExitCode::config));
    EXPECT_NE(r.err.find("--console-input-at needs --console-input"), std::string::npos) << r.err;
    r = test::run_cli({"--config", "solo", "--workload", "hello", "--checkpoint-at", "console:a",
                       "--checkpoint-out", temp_file("cli"), "--console-input", "x",
                       "--console-input-at", "console:b"});
    EXPECT_EQ(r.code, static_cast<int>(ExitCode::config));
    EXPECT_NE(r.err.find("different console texts"), std::string::npos) << r.err;
    r = test::run_cli({"--config", "solo", "--workload", "hello", "--console-input", "x",
                       "--console-input-at", "console:"});
    EXPECT_EQ(r.code, static_cast<int>(ExitCode::config));
    EXPECT_NE(r.err.find("expected mark, insns:N or console:TEXT"), std::string::npos) << r.err;
    const std::string never = temp_file("never");
    r = test::run_cli({"--config", "solo", "--workload", "hello", "--checkpoint-at",
                       "insns:1000000", "--checkpoint-out", never});
    EXPECT_EQ(r.code, 0);
    EXPECT_NE(r.err.find("the run ended before its point; no checkpoint written"),
              std::string::npos)
        << r.err;
    EXPECT_FALSE(std::filesystem::exists(never));
    r = test::run_cli(
        {"--config", "solo", "--workload", "qsort-small", "--restore", hello_checkpoint()});
    EXPECT_EQ(r.code, static_cast<int>(ExitCode::config));
    EXPECT_NE(r.err.find("checkpoint: "), std::string::npos) << r.err;
}

// The RISC-V machine: natively the ACLINT's supervisor timer carries
// irqlat's interrupts (a restore without its compare value never takes
// another one and ends at the time limit); under hv also hv's CSRs and
// vCPUs; interf-col has three busy harts, a colored L2
// and contention in flight, and both its runs end at 12 M instructions.
TEST(Checkpoint, RiscvRoundTripsMatchTheUninterruptedRuns) {
    if (!test::rv64_built("irqlat"))
        GTEST_SKIP() << "RV64 guests not built (gcc-riscv64-unknown-elf)";
    for (const char* config : {"native", "solo"}) {
        SCOPED_TRACE(config);
        RunOptions o = guest(config, "irqlat");
        o.platform = test::kRiscv;
        o.guest_params = {"0=20", "2=64", "3=64"}; // little work: a sample is a few quanta
        o.max_ns = 1'000'000'000;
        // Between samples, with a supervisor timer set (both points checked
        // by hand: stimecmp 1 004 092 and 2 005 470 ticks).
        const uint64_t at = std::string(config) == "native" ? 45'000 : 45'300;
        const RoundTrip r = round_trip(o, {CheckpointAt::When::insns, at}, "riscv");
        ASSERT_TRUE(r.saved_at);
        EXPECT_NE(r.uninterrupted.find("\"checksum_ok\": true"), std::string::npos);
        EXPECT_EQ(r.uninterrupted, r.restored);
    }
    RunOptions o = guest("interf-col", "qsort-small");
    o.platform = test::kRiscv;
    o.max_insns = 12'000'000;
    const RoundTrip r =
        round_trip(o, {CheckpointAt::When::insns, 4'000'000}, "riscv-ic", ExitCode::insn_limit);
    ASSERT_TRUE(r.saved_at);
    EXPECT_EQ(r.uninterrupted, r.restored);
}

// The identity names the platform: a checkpoint of one is refused on another.
TEST(Checkpoint, AnotherPlatformsCheckpointIsRefused) {
    if (!test::rv64_built("irqlat"))
        GTEST_SKIP() << "RV64 guests not built (gcc-riscv64-unknown-elf)";
    RunOptions o = guest("solo", "hello");
    o.platform = test::kRiscv;
    o.checkpoint_at = {CheckpointAt::When::insns, 400};
    o.checkpoint_out = temp_file("riscv-hello");
    {
        Simulation s(o, nullptr);
        ASSERT_EQ(s.run().code, ExitCode::ok);
        ASSERT_TRUE(s.checkpoint_taken());
    }
    const std::string e = restore_error(guest("solo", "hello"), o.checkpoint_out);
    EXPECT_NE(e.find("another configuration"), std::string::npos) << e;
    std::filesystem::remove(o.checkpoint_out);
}

} // namespace
} // namespace sim

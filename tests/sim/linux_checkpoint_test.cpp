// Linux VMs and checkpoints (docs/checkpoints.md): fast-forwarding the boot
// runs the same benchmark region; and one boot of
// initramfs-all, saved while /init waits for its job and restored with the
// job typed on the console, ends as the same machine given the job
// uninterrupted (reproduce --linux-boot-once). Label `linux`: about 0.3 G
// instructions per boot without the crypto self-tests. The round trip at
// the benchmark's start mark is
// linux.LinuxSim.SoloRunsQsortToPowerOffTwiceIdenticallyAndRestoresAtTheMark.
#include "sim/linux_vm.h"
#include "sim/presets.h"
#include "sim/simulation.h"

#include "linux_guests.h"
#include "stats_text.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace sim {
namespace {

using test::linux_run;
using test::ScratchFile;
using test::workloads_dir;

// These tests' boots skip the crypto self-tests (test::kNoCryptoSelfTests),
// which they do not examine.
TEST(LinuxCheckpoint, FastForwardedBootRunsTheSameBenchmark) {
    REQUIRE_LINUX();
    const ScratchFile config("linux-solo.toml");
    RunOptions o = test::linux_run_without_crypto_tests("linux-solo", config);
    o.fast_forward.until = FastForward::Until::linux_init;
    // The reference below was measured before the L1 D prefetcher became a
    // default (it makes the process about 5 % faster): compare like with like.
    o.sets.push_back("l1d.prefetch.degree=0");
    Simulation s(o, nullptr);
    ASSERT_EQ(s.run().code, ExitCode::ok);
    ASSERT_TRUE(s.linux_init());
    EXPECT_EQ(s.machine().phase(), Machine::Phase::measuring);
    EXPECT_GE(s.machine().fast_forward_record().switch_instructions, s.linux_init()->instructions);
    const WorkloadSummary w = s.workload_summary();
    ASSERT_TRUE(w.region_marked);
    EXPECT_TRUE(w.checksum_ok);
    // The same process, its figures within a few per cent of a modeled boot's
    // (docs/checkpoints.md#reproduce: 17.21 M vs 17.23 M instructions,
    // 24.27 M vs 24.36 M cycles).
    EXPECT_NEAR(static_cast<double>(w.instructions), 17.2e6, 0.2e6);
    EXPECT_NEAR(static_cast<double>(w.runtime_cycles), 24.3e6, 1.0e6);
}

// `preset` (linux-solo) with every workload in its initramfs and /init
// waiting for its job on the console, as reproduce --linux-boot-once writes it.
std::string boot_once_config(const ScratchFile& file, const std::string& preset = "linux-solo") {
    std::string t = test::without_crypto_self_tests(preset_text(preset).value());
    // As reproduce_runs.cpp's boot-once config: the preset's one initramfs
    // (initramfs-<bench>.cpio.gz) and bao_bench=<bench> replaced.
    const size_t image = t.find("initramfs-");
    const size_t image_end = t.find(".cpio.gz", image);
    EXPECT_NE(image_end, std::string::npos) << t;
    if (image_end != std::string::npos)
        t.replace(image, image_end - image, "initramfs-all");
    const size_t bench = t.find("bao_bench=");
    EXPECT_NE(bench, std::string::npos) << t;
    if (bench != std::string::npos)
        t.replace(bench, t.find_first_of(" \t\n\"", bench) - bench, "bao_job=console");
    std::ofstream(file.str()) << t;
    return file.str();
}

// The boot to /init fast-forwarded in both runs, as reproduce
// --linux-boot-once --fast-forward-boot runs it: the checkpoint is saved after
// /init, with the timing model on.
TEST(LinuxBootOnce, RestoredWithTheJobTypedEndsAsTheUninterruptedRun) {
    REQUIRE_LINUX();
    if (!std::filesystem::exists(
            resolve_linux_path("build:linux/initramfs-all.cpio.gz", workloads_dir())))
        GTEST_SKIP() << "no initramfs-all (the linux_initramfs target)";
    const ScratchFile config("linux-once.toml"), checkpoint("linux-once.ckpt");
    const std::string job = "bao_bench=qsort-small bao_warmup=0 bao_runs=1\n";
    const CheckpointAt waiting{CheckpointAt::When::console, 0};
    RunOptions o = linux_run(boot_once_config(config));
    o.fast_forward.until = FastForward::Until::linux_init;
    o.console_text = "bao-init: waiting for a job";
    o.checkpoint_at = waiting;
    o.checkpoint_out = checkpoint.str();
    o.console_input = {job, waiting};
    std::string uninterrupted;
    {
        Simulation s(o, nullptr);
        ASSERT_EQ(s.run().code, ExitCode::ok);
        ASSERT_TRUE(s.checkpoint_taken());
        ASSERT_TRUE(s.linux_init());
        EXPECT_GT(s.checkpoint_taken()->first, s.linux_init()->instructions);
        EXPECT_EQ(s.machine().phase(), Machine::Phase::measuring);
        const WorkloadSummary w = s.workload_summary();
        EXPECT_TRUE(w.region_marked);
        EXPECT_TRUE(w.checksum_ok);
        EXPECT_EQ(w.runs.size(), 1u);
        const std::string json = s.stats_json();
        EXPECT_NE(json.find("bao-init: job: bao_bench=qsort-small bao_warmup=0 bao_runs=1"),
                  std::string::npos);
        EXPECT_NE(json.find("bao-init: done bench=qsort-small runs=1 failed=0"), std::string::npos);
        uninterrupted = test::without_host_figures(s.stats_json());
    }
    RunOptions r = linux_run(o.config);
    r.fast_forward = o.fast_forward;
    r.restore = o.checkpoint_out;
    r.console_input = {job, {}}; // at once: where the checkpoint was saved
    Simulation s(r, nullptr);
    ASSERT_EQ(s.run().code, ExitCode::ok);
    EXPECT_EQ(test::without_host_figures(s.stats_json()), uninterrupted);
}

// Natively on the ZCU104 the job goes through the board's Cadence UART
// (docs/zcu104.md): its receive FIFO, the timeout interrupt, Linux's
// xuartps, /init's read of ttyPS0.
TEST(LinuxBootOnce, Zcu104NativeTakesItsJobThroughTheCadenceUart) {
    REQUIRE_LINUX();
    if (!std::filesystem::exists(
            resolve_linux_path("build:linux/initramfs-all.cpio.gz", workloads_dir())))
        GTEST_SKIP() << "no initramfs-all (the linux_initramfs target)";
    const ScratchFile config("zcu104-linux-once.toml");
    RunOptions o = linux_run(boot_once_config(config, "zcu104/linux-native"));
    o.fast_forward.until = FastForward::Until::linux_init;
    o.console_text = "bao-init: waiting for a job";
    o.console_input = {"bao_bench=qsort-small bao_warmup=0 bao_runs=1\n",
                       {CheckpointAt::When::console, 0}};
    Simulation s(o, nullptr);
    ASSERT_EQ(s.run().code, ExitCode::ok);
    const WorkloadSummary w = s.workload_summary();
    EXPECT_TRUE(w.region_marked);
    EXPECT_TRUE(w.checksum_ok);
    const std::string json = s.stats_json();
    EXPECT_NE(json.find("bao-init: job: bao_bench=qsort-small bao_warmup=0 bao_runs=1"),
              std::string::npos);
    EXPECT_NE(json.find("ttyPS0"), std::string::npos);
}

} // namespace
} // namespace sim

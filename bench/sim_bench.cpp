// Simulator throughput (guest MIPS) on a memory-heavy guest loop: stores and
// loads over a 512 KiB array with a 64-byte stride, the paper's interference
// pattern. Speed targets live here, never in timed unit tests.
#include "bench_run.h"
#include "sim/firmware.h"
#include "sim/interval_stats.h"
#include "sim/linux_vm.h"
#include "sim/machine.h"
#include "sim/simulation.h"
#include "sim/trace.h"

#include <benchmark/benchmark.h>

#include <filesystem>

namespace {

// movz x1,#0x4010,lsl#16; 1: mov x2,#0; 2: str x2,[x1,x2]; ldr x3,[x1,x2];
// add x2,x2,#64; cmp x2,#0x80000; b.ne 2b; b 1b
constexpr uint32_t streaming_loop[] = {0xd2a80201, 0xd2800002, 0xf8226822, 0xf8626823,
                                       0x91010042, 0xf142005f, 0x54ffff81, 0x17fffffa};

// Arguments: cores, memory model on (1) or off (0), core model flat (0) or
// a53 (1). The ratio of model 0 and 1 is the cost of the timing model
// (unicorn-notes.md: the hook-free ceiling); of a53 0 and 1, the cost of the
// A53 pipeline (issue 21's target: at most 15 % of guest MIPS).
void BM_StreamingGuest(benchmark::State& state) {
    const auto cores = static_cast<unsigned>(state.range(0));
    const bool model = state.range(1) != 0;
    const bool a53 = state.range(2) != 0;
    const uint64_t insns_per_core = 20'000'000;
    uint64_t total = 0;
    for (auto _ : state) {
        sim::MachineParams p;
        p.cores = cores;
        p.ram_size = 64ull << 20;
        p.max_insns = insns_per_core * cores;
        p.memory_model = model;
        p.core_model = a53 ? sim::cpu::CoreModel::a53 : sim::cpu::CoreModel::flat;
        sim::Machine m(p, nullptr);
        m.map_native_platform();
        sim::NativeFirmware fw(m);
        m.set_supervisor(&fw);
        m.memory().write(p.ram_base, streaming_loop, sizeof streaming_loop);
        // Every core runs the same code on the same array (the worst case for stores).
        for (unsigned c = 0; c < cores; ++c)
            m.power_on(c, p.ram_base, 0, 0);
        m.run();
        total += m.total_instructions();
    }
    state.counters["MIPS"] =
        benchmark::Counter(static_cast<double>(total) / 1e6, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_StreamingGuest)
    ->ArgsProduct({{1, 4}, {0, 1}, {0, 1}})
    ->ArgNames({"cores", "model", "a53"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The streaming guest on one core with the full model (flat core), observed:
// nothing (0), --trace in block mode (1), --trace per instruction (2),
// --stats-interval every 10 quanta (3); the outputs go to /dev/null. The
// cost of observing; with nothing attached it is BM_StreamingGuest's
// (docs/observability.md).
void BM_Observed(benchmark::State& state) {
    const auto mode = state.range(0);
    const uint64_t insns = mode == 2 ? 2'000'000 : 20'000'000;
    uint64_t total = 0;
    for (auto _ : state) {
        sim::MachineParams p;
        p.cores = 1;
        p.ram_size = 64ull << 20;
        p.max_insns = insns;
        sim::Machine m(p, nullptr);
        m.map_native_platform();
        sim::NativeFirmware fw(m);
        m.set_supervisor(&fw);
        m.memory().write(p.ram_base, streaming_loop, sizeof streaming_loop);
        m.power_on(0, p.ram_base, 0, 0);
        const std::vector<sim::VmCores> vms = {{"guest", 1}};
        std::unique_ptr<sim::TraceWriter> trace;
        std::unique_ptr<sim::IntervalStats> intervals;
        if (mode == 1 || mode == 2) {
            sim::TraceOptions t;
            t.path = "/dev/null";
            t.blocks = mode == 1;
            trace = sim::start_trace(m, t, vms);
        } else if (mode == 3) {
            intervals = std::make_unique<sim::IntervalStats>(
                m, nullptr, vms,
                sim::IntervalOptions{10 * p.quantum_cycles, "/dev/null", "/dev/null"});
        }
        m.run();
        if (intervals)
            intervals->finish();
        total += m.total_instructions();
    }
    state.counters["MIPS"] =
        benchmark::Counter(static_cast<double>(total) / 1e6, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Observed)
    ->DenseRange(0, 3)
    ->ArgName("observe")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// A built workload (qsort-small by default) in native mode on one core, with
// and without the memory model, under the flat or the a53 core model.
// Skipped when the guest is not built.
void BM_Workload(benchmark::State& state, const char* workload, const char* platform) {
    const bool model = state.range(0) != 0;
    const bool a53 = state.range(1) != 0;
    uint64_t total = 0;
    for (auto _ : state) {
        sim::RunOptions o = bench::native_workload(workload);
        o.platform = platform;
        o.sets = {std::string("memory_model=") + (model ? "1" : "0"),
                  std::string("core=") + (a53 ? "a53" : "flat")};
        if (!bench::add_run(state, o, total))
            return;
    }
    bench::report_mips(state, total);
}
BENCHMARK_CAPTURE(BM_Workload, qsort_small, "qsort-small", "")
    ->ArgsProduct({{0, 1}, {0, 1}})
    ->ArgNames({"model", "a53"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The same workload on the RISC-V platform (docs/riscv.md): RV64 MIPS beside
// AArch64's, with and without the memory model (flat core only: RISC-V has no
// A53 model).
BENCHMARK_CAPTURE(BM_Workload, rv64_qsort_small, "qsort-small", "qemu-riscv64-virt")
    ->ArgsProduct({{0, 1}, {0}})
    ->ArgNames({"model", "a53"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The stage1 guest (workloads/stage1) under hv (solo) with the full model and
// the guest-stage-1 model on: its MMU off (0), 4 KiB pages (1), 2 MiB blocks
// (2). Identity maps only, TTBR1 disabled (Unicorn 2.0.1 needs no placeholder
// regions for them). Stride 64 B over 4 MiB, 16 passes: a streaming loop.
// Issue 17's target: MMU-on MIPS at least 0.7x of MMU-off.
void BM_GuestStage1(benchmark::State& state) {
    const auto mapping = static_cast<unsigned>(state.range(0));
    uint64_t total = 0;
    for (auto _ : state) {
        sim::RunOptions o;
        o.config = "solo";
        o.image = std::string(BAO_WORKLOADS_DIR) + "/stage1.elf";
        o.workloads_dir = BAO_WORKLOADS_DIR;
        o.guest_params = {"0=" + std::to_string(mapping), "1=4096", "2=16", "3=64"};
        o.sets = {"tlb.guest_stage1=1"};
        if (!bench::add_run(state, o, total))
            return;
    }
    bench::report_mips(state, total);
}
BENCHMARK(BM_GuestStage1)
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->ArgName("mapping")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// hv's trap and interrupt paths, where hv reports its events to the
// simulator's loggers (docs/observability.md): irqlat under hv (solo), 1000
// virtual-timer interrupts (its most), each an IRQ entry, an injection and the guest's
// traps. Run with the loggers off (the default): the cost of the event
// checks when nothing logs.
void BM_HvInterrupts(benchmark::State& state) {
    uint64_t total = 0;
    for (auto _ : state) {
        sim::RunOptions o;
        o.config = "solo";
        o.workload = "irqlat";
        o.workloads_dir = BAO_WORKLOADS_DIR;
        o.guest_params = {"0=1000"};
        const auto powered_off = [](const sim::Simulation&, const sim::RunOutcome& r) {
            return std::string(r.code == sim::ExitCode::ok ? "" : "irqlat did not power off");
        };
        if (!bench::add_run(state, o, total, powered_off))
            return;
    }
    bench::report_mips(state, total);
}
BENCHMARK(BM_HvInterrupts)->Unit(benchmark::kMillisecond)->UseRealTime();

// Debian's kernel under hv (linux-solo: the full model, guest stage 1 on)
// from reset through /init's qsort-small run to power-off. Reported: the
// instructions and host seconds from reset to /init (the boot), and the
// whole run's MIPS. Argument: the memory model on (1) or off (0). Skipped
// when the kernel cache or the initramfs is missing (docs/linux.md).
void BM_LinuxBoot(benchmark::State& state) {
    const bool model = state.range(0) != 0;
    for (const char* p : {"cache:Image", "build:linux/initramfs-qsort-small.cpio.gz"}) {
        const std::string path = sim::resolve_linux_path(p, BAO_WORKLOADS_DIR);
        if (!std::filesystem::exists(path)) {
            state.SkipWithError(
                ("skipped: " + path + " is missing (scripts/linux/fetch-kernel.sh)").c_str());
            return;
        }
    }
    uint64_t total = 0, init_insns = 0;
    double init_host = 0;
    for (auto _ : state) {
        sim::RunOptions o;
        o.config = "linux-solo";
        o.workloads_dir = BAO_WORKLOADS_DIR;
        o.max_insns = 3'000'000'000;
        o.sets = {std::string("memory_model=") + (model ? "1" : "0")};
        const auto reached_init = [&](const sim::Simulation& s, const sim::RunOutcome& r) {
            if (r.code != sim::ExitCode::ok || !s.linux_init())
                return "linux-solo did not power off: " + r.detail;
            init_insns += s.linux_init()->instructions;
            init_host += s.linux_init()->host_seconds;
            return std::string();
        };
        if (!bench::add_run(state, o, total, reached_init))
            return;
    }
    const double n = static_cast<double>(state.iterations());
    state.counters["init_Minsns"] = static_cast<double>(init_insns) / 1e6 / n;
    state.counters["init_host_s"] = init_host / n; // wall clock: the CPU column is the run's
    state.counters["total_Minsns"] = static_cast<double>(total) / 1e6 / n;
    bench::report_mips(state, total);
}
BENCHMARK(BM_LinuxBoot)
    ->Arg(1)
    ->Arg(0)
    ->ArgName("model")
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

} // namespace

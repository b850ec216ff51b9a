// Internals of `bao-sim reproduce`, shared by its files: the plan of runs,
// the results model and the helpers. Not an API: experiments/reproduce.h is.
#pragma once

#include "experiments/reproduce.h"

#include "sim/json.h"
#include "sim/platform.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

// Declared only: Boost.Program_options' header is about 148,000 lines, and
// only the files that parse options include it (docs/design.md#test-tiers).
namespace boost::program_options {
class options_description;
class variables_map;
} // namespace boost::program_options

namespace repro::detail {

namespace fs = std::filesystem;
namespace po = boost::program_options;

using repro::JsonValue;
using sim::JsonWriter;

std::string read_text(const fs::path& p);

void write_text(const fs::path& p, const std::string& s);

std::string shell_quote(const std::string& s);

// Output of a shell command (stderr discarded); empty if it cannot run.
std::string capture(const std::string& cmd);

std::string fixed(double v, int prec);

std::string opt_fixed(const std::optional<double>& v, int prec, const std::string& none = "-");

std::string exit_meaning(int code);

inline const std::vector<std::string> kBenches = {
    "basicmath", "bitcount", "qsort", "susan-corners", "susan-edges", "susan-smoothing"};

inline const std::vector<std::string> kPerfScenarios = {"native", "solo", "solo-col", "interf",
                                                        "interf-col"};

inline const std::vector<std::string> kLatScenarios = {"native", "solo",       "solo-col",
                                                       "interf", "interf-col", "interf-col-hypcol"};

inline const std::vector<std::string> kBootScenarios = {"native", "solo", "solo-col"};

inline const std::vector<std::string> kHvScenarios = {"solo", "solo-col", "interf", "interf-col"};

struct BootVm {
    std::string name;      // small | large
    uint64_t image_bytes;  // padded raw image
    uint64_t region_bytes; // the VM's memory
};

inline const std::vector<BootVm> kBootVms = {{"small", 117 * 1024, 32ull << 20},
                                             {"large", 39ull << 20, 512ull << 20}};

// The Linux variant (docs/linux.md): the benchmark VM runs Debian's kernel
// and each MiBench run is a process, as the paper measured. Presets
// linux-<scenario>; the quick mode runs one workload in two scenarios.
inline const std::string kLinuxQuickWorkload = "qsort-small";
// Full mode: the workloads the paper published figures for (Figure 2's
// numbers, Table 4); every workload with --linux-all. A Linux run boots the
// kernel first (about 1 G instructions), so the whole set is costly.
inline const std::vector<std::string> kLinuxWorkloads = {
    "qsort-small", "qsort-large", "susan-corners-small", "susan-corners-large"};
inline const std::vector<std::string> kLinuxQuickScenarios = {"native", "interf"};
inline constexpr uint64_t kLinuxLargeVmBytes = 512ull << 20; // Table 3's large VM
// --linux-boot-once (docs/linux.md, "One boot, many jobs"): one machine per
// scenario with every workload in its initramfs (initramfs-all), whose /init
// prints this line and waits for its job on the console; checkpointed there.
inline constexpr const char* kLinuxWaitLine = "bao-init: waiting for a job";
// The guest behind the bare-metal qsort-large figure (Figure 2, Table 4,
// calibrate): MiBench's qsort_large, 50 000 3-D vertices, as the Linux
// variant's qsort-large (docs/workloads.md, "qsort-vertices"). With
// --bare-qsort-large strings: the guest qsort-large, the project's 90 000
// string records, the figure before 2026-11-30 (decision 29).
inline constexpr const char* kBareQsortLargeGuest = "qsort-vertices-large";
// Why `reproduce --platform qemu-riscv64-virt` has no Linux variant.
inline constexpr const char* kNoRiscvLinux =
    "no Linux presets on RISC-V (Debian 12 has no riscv64 kernel or user space)";

struct Run {
    std::string id;
    std::string group; // perf | lat | boot | linux-perf | linux-boot | linux-ckpt
    std::string scenario;
    std::string workload; // perf: e.g. qsort-small; boot: small | large
    std::vector<std::string> args;
    // The run whose success this one needs first (a restore: its checkpoint
    // run); empty for most.
    std::string after;
};

struct Context {
    fs::path out;
    fs::path bin;
    fs::path build_dir;
    fs::path src_dir;
    bool quick = false;
    unsigned jobs = 1;
    bool guest_param = false;
    std::string lat_workload;
    unsigned lat_samples = 0;
    unsigned lat_period_us = 0;
    // Linux variant: empty when it cannot run (no kernel or initramfs), why.
    std::string linux_missing;
    // The kernel cache's VERSION line (scripts/linux/fetch-kernel.sh), "" if
    // absent: Debian's package, whose updates move every Linux figure.
    std::string linux_kernel;
    bool linux_all = false;    // every workload, not kLinuxWorkloads
    unsigned linux_warmup = 0; // bao_warmup
    unsigned linux_runs = 0;   // bao_runs: measured processes per run
    // calibrate --linux-large-warmup / --linux-large-runs: the large inputs'
    // counts where they differ (reproduce never sets them: every workload
    // gets linux_warmup and linux_runs).
    std::optional<unsigned> linux_large_warmup, linux_large_runs;
    // --fast-forward-boot: the Linux perf runs boot without the timing model
    // (bao-sim --fast-forward linux-init); an option, it moves their figures
    // slightly (docs/checkpoints.md#reproduce).
    bool linux_fast_forward = false;
    bool linux_fast_forward_uncounted = false; // --fast-forward-uncounted: without the memory hook
    // --linux-boot-once: the Linux perf runs restore their scenario's booted
    // machine (a linux-ckpt run) and type their job on its console.
    bool linux_boot_once = false;
    // --linux-bootargs: added to every Linux VM's kernel command line ("" for
    // none), e.g. cryptomgr.notests=1; it moves the Linux figures slightly.
    std::string linux_bootargs;
    // --bare-qsort-large strings: the bare qsort-large figure from the string
    // records (guest qsort-large), not MiBench's vertices (kBareQsortLargeGuest).
    bool bare_qsort_strings = false;
    // KEY=VALUE model settings given to every run as --set (bao-sim calibrate).
    std::vector<std::string> sets;
    // --platform: empty for the default (qemu-aarch64-virt); every run gets it.
    std::string platform;
    bool riscv() const;
    const sim::PlatformInfo& platform_info() const; // the default board when platform is empty
    struct LinuxProcesses {
        unsigned warmup = 0, runs = 0;
    };
    // The warm-up and measured processes of Linux workload `wl`'s runs.
    LinuxProcesses linux_processes(const std::string& wl) const;
};

struct Outcome {
    bool ok = false;
    std::string reason;
    std::optional<JsonValue> stats;
    double host_seconds = 0; // wall clock of the run's process (0: not run here)
};

fs::path find_source_dir(const fs::path& build_dir);

// Why the Linux variant cannot run here ("" if it can).
std::string linux_missing(const fs::path& build_dir);
// The kernel cache's VERSION line ("" if there is none).
std::string linux_kernel_version(const fs::path& build_dir);

void prepare_boot_inputs(const Context& ctx);

// Writes the Linux boot runs' configs (the perf runs' are written as
// plan_runs plans them: each a built-in linux-<scenario> preset with the
// workload's initramfs and run counts). Throws if a preset's shape changed.
void prepare_linux_inputs(const Context& ctx);

// --linux-boot-once, for reproduce and calibrate (docs/linux.md, "One boot,
// many jobs"; default off: the figures differ slightly from the per-workload boot's).
void add_linux_boot_once_option(po::options_description& desc);

// --bare-qsort-large vertices|strings, for reproduce and calibrate; the
// reader sets ctx.bare_qsort_strings (throws on another value).
void add_bare_qsort_large_option(po::options_description& desc);
void read_bare_qsort_large_option(const po::variables_map& vm, Context& ctx);

// The guest a bare-metal perf run of figure workload `wl` runs: `wl` itself,
// except qsort-large (kBareQsortLargeGuest unless ctx.bare_qsort_strings).
std::string bare_guest(const Context& ctx, const std::string& wl);

// Plans every run; writes the Linux perf runs' configs (DIR/configs).
std::vector<Run> plan_runs(const Context& ctx);

// The runs behind the published figures `bao-sim calibrate` compares with:
// bare-metal qsort and susan-corners (small; large too unless ctx.quick) in
// every perf scenario and irqlat in every latency scenario; with `linux`,
// the Linux variant's kLinuxWorkloads (small ones only if `small_only`) in
// every perf scenario. Writes the Linux runs' configs.
std::vector<Run> plan_calibration(const Context& ctx, bool bare, bool linux, bool small_only);

fs::path log_path(const Context& ctx, const Run& r);

fs::path json_path(const Context& ctx, const Run& r);

// Runs one simulation as a child process; returns its exit status (or -signal).
int spawn_run(const Context& ctx, const Run& r);

// Checks a finished run's stats file. exit_status: the process's, if known.
Outcome check_run(const Context& ctx, const Run& r, std::optional<int> exit_status);

std::string fmt_duration(double s);

// Rough relative host cost of a run, to start the longest first (shortens
// the tail of the pool; results stay indexed by run, so order is unaffected).
double expected_cost(const Run& r);

// Runs every run (a run with `after` once that one succeeded; it fails
// without running if that one failed), `ctx.jobs` at a time.
std::vector<Outcome> execute(const Context& ctx, const std::vector<Run>& runs, std::ostream& out);

// Host time per run group ("linux-perf 20 runs 123 s, ..."): where a
// reproduce's time went.
std::string time_by_group(const std::vector<Run>& runs, const std::vector<Outcome>& res);

// --emit-jobs' lines: one per run; a run others need comes with them on its
// line, after it (`&&`), so each line runs anywhere on its own.
std::string job_lines(const Context& ctx, const std::vector<Run>& runs);

struct SlocRow {
    std::string dir;
    unsigned files = 0;
    unsigned sloc = 0;
};

struct Section {
    std::string name;
    uint64_t bytes;
};

struct Table1 {
    std::vector<SlocRow> sloc;
    unsigned total = 0;
    std::string elf; // empty: not built
    std::vector<Section> sections;
    uint64_t loaded = 0; // .text + .rodata + .data
};

Table1 make_table1(const Context& ctx);

struct PtRow {
    uint64_t mib;
    uint64_t uncolored, colored;
};

std::vector<PtRow> make_table2(const Context& ctx, std::string& error);

struct BootRow {
    std::string vm, scenario;
    uint64_t image_bytes = 0, region_bytes = 0;
    std::optional<double> hv_init_cycles, first_app_cycles, recolor_bytes;
    std::string first_app_source; // boot.first_app_cycle | marks[0].cycle
};

// Table 3's large VM as a Linux boot: hv's initialisation, and the time to
// the kernel's `Run /init` (the first user-space instruction follows it).
struct LinuxBootRow {
    std::string scenario;
    uint64_t region_bytes = 0;
    std::optional<double> hv_init_cycles, init_cycles, init_insns, recolor_bytes;
};

struct PerfCell {
    std::optional<double> cycles, ns, insns, ipc, l2_miss_rate, l2_mpki, dtlb_miss_rate, dtlb_mpki,
        mem_stall_share;
    std::optional<double> runs, cycles_std, cycles_min, cycles_max; // Linux: per process
};

// Figure 2 and Table 4's data: one cell per workload and scenario.
struct PerfSet {
    std::map<std::string, std::map<std::string, PerfCell>> cells; // workload -> scenario
    std::vector<std::string> workloads;                           // in display order
};

struct LatRow {
    std::string scenario;
    std::optional<double> samples, mean, std, min, max;
};

struct Verdict {
    std::string id, claim, verdict, evidence;
};

struct Results {
    Table1 t1;
    std::vector<PtRow> t2;
    std::string t2_error;
    std::vector<BootRow> t3;
    bool boot_keys = false; // stats carry boot.*
    PerfSet perf;           // bare-metal benchmark VM
    std::vector<LatRow> t5;
    std::vector<Verdict> verdicts;
    // The Linux variant.
    std::vector<LinuxBootRow> linux_t3;
    PerfSet linux_perf;
    std::vector<Verdict> linux_verdicts;
    double core_hz = 1.2e9;
    std::string version;
};

std::optional<double> slowdown(const PerfSet& p, const std::string& wl, const std::string& sc);

// Cycles at the results' core clock in milliseconds (none stays none).
std::optional<double> to_ms(const Results& R, const std::optional<double>& cycles);

// Table 4's rows: qsort small and large, each scenario that has results, in
// order. One walk for the CSV, the JSON and the report.
template <typename Row> void for_each_table4_row(const PerfSet& p, Row&& row) {
    for (const char* wl : {"qsort-small", "qsort-large"}) {
        auto it = p.cells.find(wl);
        if (it == p.cells.end())
            continue;
        for (const auto& sc : kPerfScenarios)
            if (auto j = it->second.find(sc); j != it->second.end())
                row(std::string(wl), sc, j->second);
    }
}

void assemble(const Context& ctx, const std::vector<Run>& runs, const std::vector<Outcome>& res,
              Results& R);

// The paper's conclusions (reproduce_verdicts.cpp): bare-metal and Linux.
void judge(const Context& ctx, Results& R);

std::string csv_opt(const std::optional<double>& v, int prec = 6);

void opt_value(JsonWriter& w, const std::string& key, const std::optional<double>& v,
               bool integer = false);

void write_outputs(const Context& ctx, const std::vector<Run>& runs,
                   const std::vector<Outcome>& res, const Results& R);

void write_report(const Context& ctx, const std::vector<Run>& runs, const std::vector<Outcome>& res,
                  const Results& R, const std::string& timing, const std::string& plots);

std::string make_plots(const Context& ctx, std::ostream& out);

} // namespace repro::detail

#include "sim/cli.h"
#include "sim/cli_observe.h"

#include "sim/config.h"
#include "sim/error.h"
#include "sim/hv_host_riscv64.h"
#include "sim/loader.h"
#include "sim/log.h"
#include "sim/platform.h"
#include "sim/progress.h"
#include "sim/sim_time.h"
#include "sim/simulation.h"

#include "hv/core/config.h"
#include "hv/core/pagetable_report.h"

#include <boost/program_options.hpp>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <tuple>
#include <unistd.h>

namespace po = boost::program_options;

namespace sim {
namespace {

const char* usage_intro =
    "bao-sim: a cycle-approximate simulator of the Bao static-partitioning hypervisor\n"
    "on QEMU's virt board (AArch64, GICv2 or with --set gic.version=3 a GICv3, PL011;\n"
    "with --platform zcu104 the ZCU104's map, GIC-400 and Cadence UART; or RISC-V with\n"
    "--platform qemu-riscv64-virt), with guests run in Unicorn.\n"
    "\n"
    "Usage: bao-sim [--config NAME|FILE.toml] [--workload NAME] [options]\n"
    "       bao-sim pagetables [--mem 32M,128M,512M,1G]   (stage-2 table pages)\n"
    "\n"
    "       bao-sim reproduce --out DIR [--quick]           (the paper's evaluation)\n"
    "       bao-sim calibrate --out DIR [--quick] [--set K=V] [--fit K=a,b]\n"
    "                                   (simulated against published figures, errors)\n"
    "\n"
    "Timing is approximate: each instruction costs model.cycles_per_insn (1) plus\n"
    "the stalls of a Cortex-A53-like cache, TLB and memory-controller model; hv's\n"
    "traps and interrupt path are charged with constants calibrated on the\n"
    "published native and solo interrupt latencies. Presets: --list-configs.\n"
    "Calibration and known gaps: docs/timing-model.md.\n";

const char* usage_exit =
    "\nExit codes:\n"
    "  0  the measured guest powered off (PSCI SYSTEM_OFF) or every core is off\n"
    "  1  internal error in bao-sim\n"
    "  2  bad command line, configuration, preset or guest image\n"
    "  3  a measured VM (or, native, the guest) was stopped by a fault hv or the\n"
    "     simulator could not hand to it (docs/hv.md, \"Exception model\"), or its\n"
    "     Linux kernel panicked (reason kernel_panic: the panic line and the VM's\n"
    "     last console lines are printed; docs/linux.md)\n"
    "  4  a run limit was reached: --max-insns instructions, or --max-seconds (the\n"
    "     config's max_seconds) of simulated time (reason insn_limit / time_limit)\n"
    "  5  every core is idle (WFI) and no event can wake them\n";

std::string default_workloads_dir(const char* argv0) {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec)
        exe = std::filesystem::absolute(argv0 ? argv0 : ".", ec);
    return (exe.parent_path() / "workloads").string();
}

// One line per known guest family (docs/workloads.md has the details).
std::string describe_workload(const std::string& name) {
    static const std::pair<const char*, const char*> families[] = {
        {"basicmath",
         "MiBench basicmath: cubic equations, integer square roots, angle conversions"},
        {"bitcount", "MiBench bitcount: eight bit-counting methods over a pseudo-random sequence"},
        {"qsort-vertices", "MiBench qsort_large: 50 000 3-D vertices sorted by distance"},
        {"qsort", "MiBench qsort: sorting 40-byte records (small fits the L2, large does not)"},
        {"susan-corners", "MiBench SUSAN corner detection on a synthetic grey-scale image"},
        {"susan-edges", "MiBench SUSAN edge detection on a synthetic grey-scale image"},
        {"susan-smoothing", "MiBench SUSAN smoothing on a synthetic grey-scale image"},
        {"interference",
         "the paper's interference: write then read 512 KiB with a 64-byte stride, forever"},
        {"irqlat", "interrupt-latency probe: virtual timer every period, latency to the vector"},
        {"hello", "every core prints a greeting; core 0 powers off"},
        {"ipc_p", "real-image demo: IPC notification between two VMs"},
    };
    for (auto& [prefix, text] : families)
        if (name.rfind(prefix, 0) == 0)
            return text;
    return "";
}

void list_workloads(const std::string& dir, std::ostream& out) {
    std::vector<std::string> names;
    std::error_code ec;
    for (auto& e : std::filesystem::directory_iterator(dir, ec))
        if (e.path().extension() == ".elf")
            names.push_back(e.path().stem().string());
    std::sort(names.begin(), names.end());
    if (names.empty()) {
        out << "no workloads found in " << dir << " (build them with the cross compilers)\n";
        return;
    }
    for (auto& n : names) {
        char line[200];
        std::snprintf(line, sizeof line, "  %-24s %s\n", n.c_str(), describe_workload(n).c_str());
        out << line;
    }
}

bool is_stats_file(const std::string& against) {
    return against.size() > 5 && against.substr(against.size() - 5) == ".json";
}

// A --compare baseline from a stats file: its workload.runtime_cycles.
uint64_t baseline_cycles(const std::string& path) {
    std::ifstream f(path);
    if (!f)
        throw InputError("--compare: cannot read '" + path + "'");
    std::stringstream text;
    text << f.rdbuf();
    // "runtime_cycles": N inside the "workload" object (a plain scan: a
    // regular expression costs seconds of compile time, docs/design.md#test-tiers).
    const std::string json = text.str();
    const std::string key = "\"runtime_cycles\": ";
    const size_t object = json.find("\"workload\": {");
    const size_t at = object == std::string::npos ? object : json.find(key, object);
    if (at == std::string::npos || json.find('}', object) < at ||
        !std::isdigit(static_cast<unsigned char>(json[at + key.size()])))
        throw InputError("--compare: no workload.runtime_cycles in '" + path + "'");
    const size_t digits = at + key.size();
    const size_t end = json.find_first_not_of("0123456789", digits);
    return parse_size(json.substr(digits, end - digits),
                      "--compare: workload.runtime_cycles in '" + path + "'");
}

// An output file must be writable before a run spends minutes: its
// directory exists, and it (or, when new, its directory) is writable.
void check_output_path(const std::string& option, const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const std::string what = "--" + option + ": cannot write '" + path + "': ";
    if (fs::is_directory(path, ec))
        throw InputError(what + "it is a directory");
    fs::path dir = fs::path(path).parent_path();
    if (dir.empty())
        dir = ".";
    if (!fs::is_directory(dir, ec))
        throw InputError(what + "directory '" + dir.string() + "' does not exist");
    const bool exists = fs::exists(path, ec);
    if (::access(exists ? path.c_str() : dir.c_str(), exists ? W_OK : W_OK | X_OK) != 0)
        throw InputError(what + std::strerror(errno));
}

// Everything a run will need besides the simulation itself, checked before it.
void check_before_run(const po::variables_map& vm) {
    for (const char* option : {"stats-json", "stats-csv", "trace", "checkpoint-out"})
        if (vm.count(option))
            check_output_path(option, vm[option].as<std::string>());
    const IntervalOptions intervals = interval_options(vm);
    if (intervals.enabled()) {
        check_output_path("stats-interval", intervals.csv_path);
        check_output_path("stats-interval", intervals.jsonl_path);
    }
    if (vm.count("compare")) {
        const std::string against = vm["compare"].as<std::string>();
        if (is_stats_file(against))
            baseline_cycles(against);
        else
            load_config(against);
    }
}

// --compare: the slowdown of this run's workload against a baseline, either
// a stats file (its workload.runtime_cycles) or a config run now on the same workload.
void compare(const std::string& against, const RunOptions& options, const WorkloadSummary& w,
             const Loggers& log, std::ostream& out, std::ostream& err) {
    uint64_t base = 0;
    if (is_stats_file(against)) {
        base = baseline_cycles(against);
    } else {
        RunOptions o = options;
        o.config = against;
        o.cores.reset();
        o.trace = {}; // the trace and the series describe this run, not the baseline
        o.intervals = {};
        o.checkpoint_at = {}; // nor do checkpoints: the baseline is another machine
        o.checkpoint_out.clear();
        o.checkpoint_exit = false;
        o.restore.clear();
        Simulation baseline(o, nullptr, log);
        baseline.run();
        base = baseline.workload_summary().runtime_cycles;
    }
    if (base == 0 || w.runtime_cycles == 0) {
        err << "bao-sim: --compare: a run has no measured region\n";
        return;
    }
    char line[200];
    std::snprintf(
        line, sizeof line, "slowdown vs %s: %+.2f%% (%llu vs %llu cycles)\n", against.c_str(),
        100.0 * (static_cast<double>(w.runtime_cycles) / static_cast<double>(base) - 1.0),
        static_cast<unsigned long long>(w.runtime_cycles), static_cast<unsigned long long>(base));
    out << line;
}

// --fast-forward and --warmup-insns (docs/checkpoints.md).
void add_fast_forward_options(po::options_description& desc) {
    // clang-format off
    desc.add_options()
        ("fast-forward", po::value<std::string>(),
         "mark | insns:N | linux-init: run without the timing model (flat cycles, no caches, "
         "TLBs or pipeline) until the measured VM's first start mark, N instructions in all, or "
         "the measured Linux VM starting /init; then with it (docs/checkpoints.md)")
        ("warmup-insns", po::value<std::string>(),
         "after the fast-forward point, run this many instructions with the timing model on "
         "before the measured region's marks count again (default 0)")
        ("fast-forward-uncounted",
         "fast-forward without Unicorn's memory hook, about 2-3x faster (its stores to pages "
         "without code also leave Unicorn's slow path): the fast-forwarded loads and stores are "
         "then left out of cores[].loads/stores and the PMU's MEM_ACCESS; everything else is as "
         "with --fast-forward alone (docs/checkpoints.md)");
    // clang-format on
}

FastForward parse_fast_forward(const po::variables_map& vm) {
    FastForward ff;
    if (vm.count("warmup-insns") && !vm.count("fast-forward"))
        throw InputError("--warmup-insns needs --fast-forward");
    if (vm.count("fast-forward-uncounted") && !vm.count("fast-forward"))
        throw InputError("--fast-forward-uncounted needs --fast-forward");
    if (!vm.count("fast-forward"))
        return ff;
    const std::string spec = vm["fast-forward"].as<std::string>();
    if (spec == "mark")
        ff.until = FastForward::Until::mark;
    else if (spec == "linux-init")
        ff.until = FastForward::Until::linux_init;
    else if (spec.rfind("insns:", 0) == 0) {
        ff.until = FastForward::Until::insns;
        ff.insns = parse_size(spec.substr(6), "--fast-forward insns:N");
        if (ff.insns == 0)
            throw InputError("--fast-forward insns:N: N must be positive");
    } else
        throw InputError("--fast-forward '" + spec + "': expected mark, insns:N or linux-init");
    if (vm.count("warmup-insns"))
        ff.warmup_insns = parse_size(vm["warmup-insns"].as<std::string>(), "--warmup-insns");
    ff.uncounted = vm.count("fast-forward-uncounted") != 0;
    return ff;
}

// --checkpoint-at, --checkpoint-out and --restore (docs/checkpoints.md).
void add_checkpoint_options(po::options_description& desc) {
    // clang-format off
    desc.add_options()
        ("checkpoint-at", po::value<std::string>(),
         "mark | insns:N | console:TEXT: save the whole machine at the first quantum boundary "
         "after the measured VM's first start mark, after N instructions in all, or after the "
         "measured VM's console printed a line containing TEXT, into --checkpoint-out; the run "
         "goes on to its end")
        ("checkpoint-out", po::value<std::string>(), "the checkpoint file --checkpoint-at writes")
        ("checkpoint-exit",
         "end the run once --checkpoint-at has saved (exit code 0, reason `checkpoint`): a run "
         "that only makes the checkpoint others restore")
        ("restore", po::value<std::string>(),
         "continue from this checkpoint (same config, images, --set and --fast-forward options "
         "as the run that saved it; anything else is refused)");
    // clang-format on
}

// mark | insns:N | console:TEXT, as --checkpoint-at and --console-input-at
// take them; TEXT goes to options.console_text (one per run).
CheckpointAt parse_point(const std::string& spec, const std::string& option, RunOptions& options) {
    CheckpointAt at;
    if (spec == "mark")
        at.when = CheckpointAt::When::mark;
    else if (spec.rfind("insns:", 0) == 0) {
        at.when = CheckpointAt::When::insns;
        at.insns = parse_size(spec.substr(6), option + " insns:N");
    } else if (spec.rfind("console:", 0) == 0 && spec.size() > 8) {
        at.when = CheckpointAt::When::console;
        const std::string text = spec.substr(8);
        if (!options.console_text.empty() && options.console_text != text)
            throw InputError("--checkpoint-at and --console-input-at wait for different console "
                             "texts ('" +
                             options.console_text + "', '" + text + "'): one per run");
        options.console_text = text;
    } else
        throw InputError(option + " '" + spec + "': expected mark, insns:N or console:TEXT");
    return at;
}

void parse_checkpoint_options(const po::variables_map& vm, RunOptions& options) {
    if (vm.count("checkpoint-exit") && !vm.count("checkpoint-at"))
        throw InputError("--checkpoint-exit needs --checkpoint-at");
    options.checkpoint_exit = vm.count("checkpoint-exit") > 0;
    if (vm.count("checkpoint-out") && !vm.count("checkpoint-at"))
        throw InputError("--checkpoint-out needs --checkpoint-at");
    if (vm.count("restore"))
        options.restore = vm["restore"].as<std::string>();
    if (!vm.count("checkpoint-at"))
        return;
    if (!vm.count("checkpoint-out"))
        throw InputError("--checkpoint-at needs --checkpoint-out FILE");
    options.checkpoint_out = vm["checkpoint-out"].as<std::string>();
    options.checkpoint_at =
        parse_point(vm["checkpoint-at"].as<std::string>(), "--checkpoint-at", options);
}

// --console-input and --console-input-at (docs/linux.md, "One boot, many jobs").
void add_console_input_options(po::options_description& desc) {
    // clang-format off
    desc.add_options()
        ("console-input", po::value<std::vector<std::string>>()->composing(),
         "LINE: type this line (and a newline) on the measured VM's console, into its UART's "
         "receiver (repeatable: the lines in order); the Linux init started with bao_job=console "
         "reads its job this way")
        ("console-input-at", po::value<std::string>(),
         "mark | insns:N | console:TEXT: when the typing starts (a quantum boundary, as "
         "--checkpoint-at); default: at once (a restored run: where it was saved)");
    // clang-format on
}

void parse_console_input_options(const po::variables_map& vm, RunOptions& options) {
    if (vm.count("console-input-at") && !vm.count("console-input"))
        throw InputError("--console-input-at needs --console-input");
    if (!vm.count("console-input"))
        return;
    for (const std::string& line : vm["console-input"].as<std::vector<std::string>>())
        options.console_input.bytes += line + "\n";
    if (vm.count("console-input-at"))
        options.console_input.at =
            parse_point(vm["console-input-at"].as<std::string>(), "--console-input-at", options);
}

int run(const po::variables_map& vm, const RunOptions& options, std::ostream& out,
        std::ostream& err) {
    check_before_run(vm);
    const LogLevels levels = log_levels(vm);
    // The line is redrawn in place only on the real stderr, and only if it is a terminal.
    const bool err_is_terminal = &err == &std::cerr && ::isatty(STDERR_FILENO) == 1;
    const std::optional<ProgressOptions> progress_opts =
        progress_options(vm, levels, err_is_terminal);
    const Loggers log(levels, err);
    Simulation simulation(options, &out, log);
    std::optional<Progress> progress;
    if (progress_opts)
        progress.emplace(simulation, err, *progress_opts);
    RunOutcome outcome = simulation.run();
    if (progress)
        progress->finish();
    if (vm.count("stats-json")) {
        std::string path = vm["stats-json"].as<std::string>();
        std::ofstream f(path);
        if (!f) {
            err << "bao-sim: error: cannot write stats file '" << path << "'\n";
            return static_cast<int>(ExitCode::config);
        }
        f << simulation.stats_json();
    }
    if (options.checkpoint_at.when != CheckpointAt::When::none && !simulation.checkpoint_taken())
        err << "bao-sim: --checkpoint-at: the run ended before its point; no checkpoint written\n";
    const Machine& m = simulation.machine();
    std::ostream& where = outcome.code == ExitCode::ok ? out : err;
    where << "bao-sim: " << outcome.reason << ": " << outcome.detail << " ("
          << m.total_instructions() << " instructions, " << m.global_cycles() << " cycles)\n";
    // A Linux VM that panicked or never powered off: what it said last.
    if (outcome.code != ExitCode::ok && simulation.measured_is_linux() &&
        !simulation.console_tail().empty()) {
        err << "bao-sim: the measured VM's last console lines:\n";
        for (const std::string& line : simulation.console_tail())
            err << "  | " << line << "\n";
    }
    if (const auto& init = simulation.linux_init()) {
        char line[160];
        std::snprintf(line, sizeof line,
                      "bao-sim: linux: /init started after %llu instructions, %llu cycles (%.1f s "
                      "host)\n",
                      static_cast<unsigned long long>(init->instructions),
                      static_cast<unsigned long long>(init->cycles), init->host_seconds);
        out << line;
    }
    // Above ~300 ns the threads' gain was gone on this project's hosts.
    if (const double trip = simulation.machine().host_round_trip_ns(); trip > 300)
        err << "bao-sim: note: a cache line took " << std::llround(trip)
            << " ns between this host's cores; --threads may be no faster here than one "
               "thread (docs/parallel.md, \"The host's two modes\")\n";
    const WorkloadSummary w = simulation.workload_summary();
    if (w.region_marked)
        out << "\n" << summary_table(w);
    if (vm.count("stats-csv")) {
        std::string path = vm["stats-csv"].as<std::string>();
        std::ofstream f(path);
        if (!f) {
            err << "bao-sim: error: cannot write CSV file '" << path << "'\n";
            return static_cast<int>(ExitCode::config);
        }
        f << summary_csv_header() << summary_csv_row(w);
    }
    if (vm.count("compare") && outcome.code == ExitCode::ok)
        compare(vm["compare"].as<std::string>(), options, w, log, out, err);
    return static_cast<int>(outcome.code);
}

// `bao-sim pagetables --mem 32M,128M,...`: stage-2 table pages per VM size,
// uncolored and colored (the paper's Table 2), from hv's own builder.
int pagetables(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
    po::options_description desc("bao-sim pagetables: stage-2 table pages for a VM of each size,\n"
                                 "uncolored (1 GiB / 2 MiB blocks) and colored (half the L2's "
                                 "colors, 4 KiB pages)\n\nOptions");
    desc.add_options()("help,h", "print this help")(
        "mem", po::value<std::string>()->default_value("32M,128M,512M,1G"),
        "comma-separated VM memory sizes (K/M/G suffixes)")(
        "platform", po::value<std::string>()->default_value(kDefaultPlatform),
        "whose tables: qemu-aarch64-virt or zcu104 (stage 2, 4 KiB granule) or "
        "qemu-riscv64-virt (the G-stage, Sv39x4)");
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
        po::notify(vm);
        if (vm.count("help")) {
            out << desc;
            return 0;
        }
        std::vector<uint64_t> sizes;
        std::stringstream list(vm["mem"].as<std::string>());
        for (std::string item; std::getline(list, item, ',');) {
            uint64_t bytes = parse_size(item, "--mem");
            if (bytes == 0 || bytes % 4096 != 0 || bytes > (4ull << 30))
                throw InputError("--mem: '" + item +
                                 "' must be a non-zero multiple of 4 KiB up to 4G");
            sizes.push_back(bytes);
        }
        const bool riscv = platform_isa(vm["platform"].as<std::string>()) == Isa::riscv64;
        out << "memory        uncolored  colored\n";
        for (uint64_t bytes : sizes) {
            hv::PageTableCount c;
            if (riscv) {
                const GStageTableCount g = riscv64_pagetable_count(bytes);
                c.uncolored = g.uncolored;
                c.colored = g.colored;
                c.ok = g.ok;
            } else {
                std::vector<std::byte> scratch(hv::pagetable_scratch_bytes(bytes));
                c = hv::pagetable_report(bytes, hv::L2Geometry{}, scratch);
            }
            if (!c.ok)
                throw std::runtime_error("page-table report: scratch buffer too small");
            char line[80];
            std::snprintf(line, sizeof line, "%-12s  %9u  %7u\n",
                          (std::to_string(bytes >> 20) + " MiB").c_str(), c.uncolored, c.colored);
            out << line;
        }
        return 0;
    } catch (const po::error& e) {
        err << "bao-sim pagetables: error: " << e.what() << "\n";
    } catch (const InputError& e) {
        err << "bao-sim pagetables: error: " << e.what() << "\n";
    }
    return static_cast<int>(ExitCode::config);
}

// --threads: the parallel scheduler's host threads (docs/parallel.md).
void add_parallel_options(po::options_description& desc) {
    desc.add_options()(
        "threads", po::value<std::string>(),
        "simulate with the parallel scheduler (model.scheduler = parallel) on N host threads, "
        "1-64; its statistics are the same for every N, and close to but not equal to the serial "
        "scheduler's (within 0.2% on the paper's throughput figures; docs/parallel.md); without "
        "it the serial scheduler runs. The gain depends on how fast the host moves a cache line "
        "between its cores (build/bench/host_bench): on 2-vCPU cloud hosts --threads 2 ran "
        "1.2-1.4x faster at ~110 ns, and no faster or slower at ~480 ns");
}

void apply_parallel_options(const po::variables_map& vm, RunOptions& options) {
    if (vm.count("threads"))
        options.threads = static_cast<unsigned>(
            parse_size_in(vm["threads"].as<std::string>(), "--threads", 1, kMaxHostThreads));
}

} // namespace

int cli_main(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
    if (argc > 1 && std::string(argv[1]) == "pagetables")
        return pagetables(argc - 1, argv + 1, out, err);
    po::options_description desc("Options");
    const std::string cores_help = "number of simulated cores, 1-" + std::to_string(hv::kMaxCpus) +
                                   " (native mode; default 4)";
    // clang-format off
    desc.add_options()
        ("help,h", "print this help and exit")
        ("config,c", po::value<std::string>()->default_value("native"),
         "preset name (see --list-configs) or path to a TOML configuration (docs/config.md)")
        ("platform", po::value<std::string>(),
         "the simulated board: qemu-aarch64-virt (default), zcu104 (the paper's board: its "
         "addresses, GIC-400 and Cadence UARTs, guests from workloads/zcu104/; docs/zcu104.md) "
         "or qemu-riscv64-virt (docs/riscv.md); a preset name then means that platform's preset")
        ("workload,w", po::value<std::string>(),
         "run this built workload as the measured guest (see --list-workloads)")
        ("image", po::value<std::string>(),
         "FILE[@ADDR]: run your own raw or ELF AArch64 guest as the measured guest; "
         "a raw binary is loaded at ADDR (default: the preset's load address, 0x40000000 on the "
         "AArch64 boards) and entered there")
        ("cores", po::value<std::string>(), cores_help.c_str())
        ("max-insns", po::value<std::string>()->default_value("0"),
         "stop after this many guest instructions in total (0 = no limit; exit code 4)")
        ("max-seconds", po::value<std::string>(),
         "stop after this much simulated time, in seconds (e.g. 30 or 2.5; 0 = no limit; exit code 4); "
         "replaces the config's max_seconds")
        ("stats-json", po::value<std::string>(), "write statistics to this JSON file (docs/stats.md)")
        ("guest-param", po::value<std::vector<std::string>>()->composing(),
         "INDEX=VALUE: a run parameter the measured guest reads (repeatable; irqlat: 0 = samples, "
         "1 = period in us, 2 = bytes of work between interrupts)")
        ("stats-csv", po::value<std::string>(),
         "write the workload's summary as one CSV row with a header (docs/stats.md)")
        ("compare", po::value<std::string>(),
         "print the slowdown against a baseline: a config name (run now, e.g. native) or a stats JSON file")
        ("raw-samples", "include every interrupt-latency sample in the statistics (irq_latency_ns.raw)")
        ("irq-breakdown",
         "under hv, split every interrupt on the measured VM's core into hv's code, hv's data and GIC "
         "accesses, and the guest up to its next trap, with each part's cycles, cache misses and DRAM "
         "queueing (statistics key irq_breakdown; changes no figure)")
        ("set", po::value<std::vector<std::string>>()->composing(),
         "override a [model] parameter, KEY=VALUE (repeatable), e.g. quantum_cycles=600, l2.ways=8, "
         "hv.irq_insns=400; an unknown key lists the machine ones, docs/timing-model.md the rest. "
         "hv.code_layout defaults to measured (the real image's lines) on AArch64 and to spread on "
         "RISC-V, whose image was not measured; setting hv.*_code_bytes or hv.code_run_bytes selects "
         "spread (with hv.code_layout=measured it is an error). hv.code_layout=spread with "
         "l1i.own_linefill=0 gives the defaults before 2026-11-30 (docs/config.md). "
         "mem.bank_conflict_cycles defaults to 34 (a DDR4 row conflict a DRAM read pays in "
         "proportion to the other cores' share of the traffic, issue 21's calibration); "
         "mem.bank_conflict_cycles=0 gives the model before it. For an SMP Linux VM (e.g. "
         "linux-solo-smp) set wfi_through_stage1=1 (a WFI at a kernel virtual address idles the "
         "vCPU instead of spinning) and region_cores=vm (the measured region counts every vCPU of "
         "the VM, wherever the process ran); both are off by default so earlier figures stay "
         "(docs/linux.md, \"SMP in bao-sim\")")
        ("workloads-dir", po::value<std::string>(),
         "where built guests <name>.elf are (default: workloads/ beside the bao-sim binary)")
        ("list-configs", "list the built-in presets and exit")
        ("list-workloads", "list the built workloads and exit");
    // clang-format on
    add_fast_forward_options(desc);
    add_log_options(desc);
    add_trace_options(desc);
    add_interval_options(desc);
    add_checkpoint_options(desc);
    add_console_input_options(desc);
    add_parallel_options(desc);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        err << "bao-sim: error: " << e.what() << " (see --help)\n";
        return static_cast<int>(ExitCode::config);
    }
    if (vm.count("help")) {
        out << usage_intro << "\n" << desc << usage_exit;
        return 0;
    }
    RunOptions options;
    options.workloads_dir = vm.count("workloads-dir")
                                ? vm["workloads-dir"].as<std::string>()
                                : default_workloads_dir(argc > 0 ? argv[0] : nullptr);
    try {
        if (vm.count("list-configs")) {
            for (auto& p : list_presets())
                out << "  " << p.name << " - " << p.description << "\n";
            return 0;
        }
        if (vm.count("list-workloads")) {
            // The platform's own guests (--platform; workloads/riscv64/, ...).
            const std::string platform =
                vm.count("platform") ? vm["platform"].as<std::string>() : kDefaultPlatform;
            list_workloads((std::filesystem::path(options.workloads_dir) /
                            platform_info(platform).workload_dir)
                               .string(),
                           out);
            return 0;
        }
        options.config = vm["config"].as<std::string>();
        if (vm.count("platform"))
            options.platform = vm["platform"].as<std::string>();
        if (vm.count("workload"))
            options.workload = vm["workload"].as<std::string>();
        if (vm.count("image"))
            options.image = vm["image"].as<std::string>();
        if (vm.count("workload") && vm.count("image"))
            throw InputError("--workload and --image both replace the measured guest: give one");
        // Numbers as everywhere else (sim/cache/number.hpp): boost's own
        // conversion would turn "-1" into 2^64-1.
        if (vm.count("cores"))
            options.cores = static_cast<unsigned>(
                parse_size_in(vm["cores"].as<std::string>(), "--cores", 1, hv::kMaxCpus));
        options.max_insns = parse_size(vm["max-insns"].as<std::string>(), "--max-insns");
        if (vm.count("max-seconds"))
            options.max_ns = parse_seconds(vm["max-seconds"].as<std::string>(), "--max-seconds");
        options.raw_samples = vm.count("raw-samples") > 0;
        options.irq_breakdown = vm.count("irq-breakdown") > 0;
        if (vm.count("guest-param"))
            options.guest_params = vm["guest-param"].as<std::vector<std::string>>();
        if (vm.count("set"))
            options.sets = vm["set"].as<std::vector<std::string>>();
        options.fast_forward = parse_fast_forward(vm);
        options.trace = trace_options(vm);
        options.intervals = interval_options(vm);
        parse_checkpoint_options(vm, options);
        parse_console_input_options(vm, options);
        apply_parallel_options(vm, options);
        return run(vm, options, out, err);
    } catch (const InputError& e) {
        err << "bao-sim: error: " << e.what() << "\n";
        return static_cast<int>(ExitCode::config);
    } catch (const std::exception& e) {
        err << "bao-sim: internal error: " << e.what() << "\n";
        return static_cast<int>(ExitCode::internal);
    }
}

} // namespace sim

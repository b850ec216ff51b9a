#include "sim/cli_observe.h"

#include "sim/error.h"
#include "sim/loader.h"

#include <string>
#include <tuple>
#include <vector>

namespace po = boost::program_options;

namespace sim {

// --trace and its filters (docs/observability.md).
void add_trace_options(po::options_description& desc) {
    // clang-format off
    desc.add_options()
        ("trace", po::value<std::string>(),
         "FILE: write an instruction trace, one line per instruction: core, VM, EL, instruction "
         "number, issue cycle, PC (virtual and physical), encoding, disassembly, and each data "
         "access with the level that served it (L1, L2, mem, dev); slow (docs/observability.md)")
        ("trace-mode", po::value<std::string>()->default_value("insn"),
         "insn (one line per instruction) or block (one line per basic block, for long runs)")
        ("trace-vm", po::value<std::string>(),
         "trace only the cores of these VMs: names or indices, comma-separated")
        ("trace-core", po::value<std::string>(), "trace only these cores, comma-separated")
        ("trace-pc", po::value<std::string>(),
         "LO-HI: trace only instructions at these virtual addresses (block mode: blocks starting "
         "there), inclusive; either end may be left out")
        ("trace-insns", po::value<std::string>(),
         "FROM-TO: trace only each core's instructions number FROM to TO (counted from 0 per core, "
         "inclusive; K/M/G suffixes)");
    // clang-format on
}

TraceOptions trace_options(const po::variables_map& vm) {
    TraceOptions t;
    if (!vm.count("trace")) {
        for (const char* filter : {"trace-vm", "trace-core", "trace-pc", "trace-insns"})
            if (vm.count(filter))
                throw InputError(std::string("--") + filter +
                                 " filters a trace: give --trace FILE");
        return t;
    }
    t.path = vm["trace"].as<std::string>();
    const std::string mode = vm["trace-mode"].as<std::string>();
    if (mode != "insn" && mode != "block")
        throw InputError("--trace-mode: '" + mode + "' is neither insn nor block");
    t.blocks = mode == "block";
    if (vm.count("trace-vm"))
        t.vms = split_list(vm["trace-vm"].as<std::string>(), "--trace-vm");
    if (vm.count("trace-core"))
        for (const std::string& c : split_list(vm["trace-core"].as<std::string>(), "--trace-core"))
            t.cores.push_back(
                static_cast<unsigned>(parse_size_in(c, "--trace-core", 0, hv::kMaxCpus - 1)));
    if (vm.count("trace-pc"))
        std::tie(t.pc_lo, t.pc_hi) =
            parse_trace_range(vm["trace-pc"].as<std::string>(), "--trace-pc");
    if (vm.count("trace-insns"))
        std::tie(t.insn_lo, t.insn_hi) =
            parse_trace_range(vm["trace-insns"].as<std::string>(), "--trace-insns");
    return t;
}

// --stats-interval and where its series goes (docs/observability.md).
void add_interval_options(po::options_description& desc) {
    // clang-format off
    desc.add_options()
        ("stats-interval", po::value<std::string>(),
         "CYCLES: also write a time series of each core's and VM's counters (instructions, IPC, "
         "L1/L2/DTLB misses, memory-queue cycles, interrupts, hv traps) every CYCLES simulated "
         "cycles, rounded up to the quantum's end, as CSV and JSON lines")
        ("stats-interval-out", po::value<std::string>(),
         "BASE: write the interval series to BASE.csv and BASE.jsonl (default: beside --stats-json "
         "FILE.json as FILE.intervals.csv and FILE.intervals.jsonl)");
    // clang-format on
}

IntervalOptions interval_options(const po::variables_map& vm) {
    IntervalOptions o;
    if (!vm.count("stats-interval")) {
        if (vm.count("stats-interval-out"))
            throw InputError("--stats-interval-out: give --stats-interval CYCLES too");
        return o;
    }
    o.cycles =
        parse_size_in(vm["stats-interval"].as<std::string>(), "--stats-interval", 1, UINT64_MAX);
    std::string base;
    if (vm.count("stats-interval-out")) {
        base = vm["stats-interval-out"].as<std::string>();
    } else if (vm.count("stats-json")) {
        base = vm["stats-json"].as<std::string>();
        if (base.size() > 5 && base.substr(base.size() - 5) == ".json")
            base.resize(base.size() - 5);
        base += ".intervals";
    } else {
        throw InputError("--stats-interval: say where the series goes (--stats-interval-out BASE "
                         "or --stats-json FILE)");
    }
    o.csv_path = base + ".csv";
    o.jsonl_path = base + ".jsonl";
    return o;
}

// Logging and progress (docs/observability.md).
void add_log_options(po::options_description& desc) {
    // clang-format off
    desc.add_options()
        ("log-level", po::value<std::string>()->default_value("warn"),
         "level of every logger (hv, vgic, cpu, mem, config, console): trace, debug, info, warn, "
         "error or off; log lines go to stderr (docs/observability.md)")
        ("log", po::value<std::vector<std::string>>()->composing(),
         "LOGGER=LEVEL[,...]: one logger's level, replacing --log-level's for it, e.g. "
         "hv=debug,vgic=trace (repeatable)")
        ("progress", "show the progress line (simulated time, instructions, MIPS, each VM's state) "
         "on stderr from the start, even when stderr is not a terminal")
        ("no-progress", "never show the progress line (by default a run shows it after two "
         "seconds when stderr is a terminal and no logger is at info or below)");
    // clang-format on
}

LogLevels log_levels(const po::variables_map& vm) {
    LogLevels levels;
    levels.all = parse_log_level(vm["log-level"].as<std::string>(), "--log-level");
    if (vm.count("log"))
        for (const std::string& list : vm["log"].as<std::vector<std::string>>())
            parse_log_list(list, levels);
    return levels;
}

// The progress line's mode (sim/progress.h), or none.
std::optional<ProgressOptions> progress_options(const po::variables_map& vm,
                                                const LogLevels& levels, bool err_is_terminal) {
    if (vm.count("progress") && vm.count("no-progress"))
        throw InputError("--progress and --no-progress contradict each other: give one");
    const ProgressChoice choice = vm.count("progress")      ? ProgressChoice::on
                                  : vm.count("no-progress") ? ProgressChoice::off
                                                            : ProgressChoice::automatic;
    return choose_progress(choice, err_is_terminal, levels);
}

} // namespace sim

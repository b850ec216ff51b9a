// `bao-sim reproduce`: plans the evaluation's runs, executes them as separate
// bao-sim processes on a pool of worker threads (or emits them as shell
// command lines, or collects results written elsewhere), and assembles the
// paper's tables, figures and report. See docs/reproduce.md.
#include "experiments/reproduce_internal.h"

#include "sim/error.h"
#include "sim/platform.h"

#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <iomanip>
#include <sstream>
#include <thread>

namespace repro {

using namespace detail;

namespace {

po::options_description options(unsigned hw) {
    po::options_description desc(
        "bao-sim reproduce: run the Bao paper's evaluation and write its tables, figures and a "
        "report\n(docs/reproduce.md)\n\nOptions");
    // clang-format off
    desc.add_options()
        ("help,h", "print this help and exit")
        ("out,o", po::value<std::string>(), "output directory (created)")
        ("quick", "small inputs only, few latency samples, one Linux workload in two scenarios (CI)")
        ("linux-all", "the Linux variant with every workload (default: those with published figures)")
        ("jobs,j", po::value<unsigned>()->default_value(hw), "simulations run at once")
        ("emit-jobs", po::value<std::string>(),
         "write one shell command line per run to this file and exit")
        ("collect", po::value<std::string>(),
         "do not run: assemble the results found in DIR/runs/*.json (written by --emit-jobs)")
        ("binary", po::value<std::string>(), "bao-sim binary to run (default: this one)")
        ("platform", po::value<std::string>(),
         "the board every run simulates: qemu-aarch64-virt (default), zcu104 (the paper's "
         "board's addresses, docs/zcu104.md) or qemu-riscv64-virt (the same scenarios under hv's "
         "RISC-V port; no Linux variant, no published figures)")
        ("fast-forward-boot",
         "boot the Linux variant's benchmark VMs without the timing model, up to /init "
         "(bao-sim --fast-forward linux-init): faster, figures close but not identical to the "
         "default's (docs/checkpoints.md#reproduce)")
        ("fast-forward-uncounted",
         "with --fast-forward-boot: boot without Unicorn's memory hook too (bao-sim "
         "--fast-forward-uncounted), about 1.8x faster; the same figures, only the boot's loads "
         "and stores go uncounted in the runs' stats (docs/checkpoints.md#uncounted)")
        ("linux-bootargs", po::value<std::string>(),
         "ARGS: added to the end of every Linux VM's kernel command line, e.g. "
         "cryptomgr.notests=1 (the kernel skips its crypto self-tests, two thirds of a boot's "
         "instructions; the figures move slightly: docs/linux.md#boot-instructions)");
    // clang-format on
    add_linux_boot_once_option(desc);
    add_bare_qsort_large_option(desc);
    return desc;
}

Context make_context(const po::variables_map& vm, const fs::path& out) {
    Context ctx;
    ctx.out = fs::absolute(out).lexically_normal();
    ctx.quick = vm.count("quick") > 0;
    ctx.jobs = std::max(1u, vm["jobs"].as<unsigned>());
    ctx.bin = vm.count("binary") ? fs::absolute(vm["binary"].as<std::string>())
                                 : fs::read_symlink("/proc/self/exe");
    ctx.build_dir = ctx.bin.parent_path();
    ctx.src_dir = find_source_dir(ctx.build_dir);
    ctx.guest_param = capture(shell_quote(ctx.bin.string()) + " --help").find("--guest-param") !=
                      std::string::npos;
    if (ctx.guest_param) {
        ctx.lat_workload = "irqlat";
        ctx.lat_samples = ctx.quick ? 50 : 1000;
        ctx.lat_period_us = 1000;
    } else {
        ctx.lat_workload = ctx.quick ? "irqlat-quick" : "irqlat";
    }
    if (vm.count("platform") && vm["platform"].as<std::string>() != sim::kDefaultPlatform) {
        ctx.platform = vm["platform"].as<std::string>();
        (void)sim::platform_isa(ctx.platform); // an unknown name is refused here
    }
    ctx.linux_missing = ctx.riscv() ? std::string(kNoRiscvLinux) : linux_missing(ctx.build_dir);
    if (ctx.linux_missing.empty())
        ctx.linux_kernel = linux_kernel_version(ctx.build_dir);
    ctx.linux_warmup = 0; // the verification run before them warms caches and page cache
    ctx.linux_runs = ctx.quick ? 1 : 2;
    ctx.linux_all = vm.count("linux-all") > 0;
    ctx.linux_fast_forward = vm.count("fast-forward-boot") > 0;
    ctx.linux_fast_forward_uncounted = vm.count("fast-forward-uncounted") > 0;
    if (ctx.linux_fast_forward_uncounted && !ctx.linux_fast_forward)
        throw sim::InputError("--fast-forward-uncounted needs --fast-forward-boot");
    ctx.linux_boot_once = vm.count("linux-boot-once") > 0;
    if (vm.count("linux-bootargs"))
        ctx.linux_bootargs = vm["linux-bootargs"].as<std::string>();
    read_bare_qsort_large_option(vm, ctx);
    return ctx;
}

void emit_jobs(const Context& ctx, const std::vector<Run>& runs, const std::string& file,
               std::ostream& out) {
    const std::string lines = job_lines(ctx, runs);
    write_text(file, lines);
    out << "[reproduce] wrote " << std::count(lines.begin(), lines.end(), '\n')
        << " command lines (" << runs.size() << " runs) to " << file
        << "; then run: bao-sim reproduce " << (ctx.quick ? "--quick " : "")
        << (ctx.linux_boot_once ? "--linux-boot-once " : "")
        << (ctx.linux_bootargs.empty()
                ? ""
                : "--linux-bootargs " + shell_quote(ctx.linux_bootargs) + " ")
        << (ctx.bare_qsort_strings ? "--bare-qsort-large strings " : "") << "--collect "
        << ctx.out.string() << (ctx.platform.empty() ? "" : " --platform " + ctx.platform) << "\n";
}

void print_summary(const Context& ctx, const std::vector<Run>& runs,
                   const std::vector<Outcome>& res, const Results& R, const std::string& timing,
                   std::ostream& out) {
    size_t failed = 0;
    for (size_t i = 0; i < runs.size(); ++i)
        if (!res[i].ok) {
            if (failed++ == 0)
                out << "[reproduce] failed runs:\n";
            out << "  " << runs[i].id << ": " << res[i].reason << " (log "
                << log_path(ctx, runs[i]).string() << ")\n";
        }
    out << "[reproduce] " << (runs.size() - failed) << "/" << runs.size() << " runs ok; " << timing
        << "\n[reproduce] wrote " << (ctx.out / "report.md").string() << ", "
        << (ctx.out / "results.json").string() << " and the CSVs\n";
    for (const auto* verdicts : {&R.verdicts, &R.linux_verdicts})
        for (const auto& v : *verdicts)
            out << "  " << std::left << std::setw(16) << v.id << " " << v.verdict << "\n";
    if (!ctx.linux_missing.empty())
        out << "[reproduce] Linux variant not run: " << ctx.linux_missing << "\n";
}

// Runs every planned simulation; `timing` gets the wall-clock sentence.
std::vector<Outcome> run_all(const Context& ctx, const std::vector<Run>& runs, unsigned hw,
                             std::string& timing, std::ostream& out) {
    out << "[reproduce] " << runs.size() << " simulations, " << ctx.jobs << " at a time, into "
        << ctx.out.string() << "\n"
        << std::flush;
    auto t0 = std::chrono::steady_clock::now();
    std::vector<Outcome> res = execute(ctx, runs, out);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::ostringstream t;
    t << "Wall-clock time of the runs: " << fixed(secs, 0) << " s with --jobs " << ctx.jobs
      << " on " << hw << " host core(s); host time by run group: " << time_by_group(runs, res)
      << ".";
    timing = t.str();
    return res;
}

// Runs the plan (or collects its results), then writes every output.
int evaluate(const po::variables_map& vm, Context& ctx, unsigned hw, std::ostream& out) {
    fs::create_directories(ctx.out / "runs");
    std::vector<Run> runs;
    std::vector<Outcome> res;
    std::string timing;
    if (vm.count("collect")) {
        runs = plan_runs(ctx);
        for (const auto& r : runs)
            res.push_back(check_run(ctx, r, std::nullopt));
        timing = "Results collected from runs made elsewhere (`--collect`).";
    } else {
        prepare_boot_inputs(ctx);
        prepare_linux_inputs(ctx);
        runs = plan_runs(ctx);
        if (vm.count("emit-jobs")) {
            emit_jobs(ctx, runs, vm["emit-jobs"].as<std::string>(), out);
            return 0;
        }
        res = run_all(ctx, runs, hw, timing, out);
    }
    Results R;
    assemble(ctx, runs, res, R);
    judge(ctx, R);
    write_outputs(ctx, runs, res, R);
    std::string plots = make_plots(ctx, out);
    write_report(ctx, runs, res, R, timing, plots);
    print_summary(ctx, runs, res, R, timing, out);
    return std::all_of(res.begin(), res.end(), [](const Outcome& o) { return o.ok; }) ? 0 : 1;
}

} // namespace

int reproduce_main(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
    unsigned hw = std::max(1u, std::thread::hardware_concurrency());
    po::options_description desc = options(hw);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        err << "bao-sim reproduce: error: " << e.what() << "\n";
        return 2;
    }
    if (vm.count("help")) {
        out << desc << "\n";
        return 0;
    }
    if (!vm.count("collect") && !vm.count("out")) {
        err << "bao-sim reproduce: error: give --out DIR (or --collect DIR)\n";
        return 2;
    }
    try {
        Context ctx = make_context(vm, vm.count("collect") ? vm["collect"].as<std::string>()
                                                           : vm["out"].as<std::string>());
        return evaluate(vm, ctx, hw, out);
    } catch (const std::exception& e) {
        err << "bao-sim reproduce: error: " << e.what() << "\n";
        return 1;
    }
}

} // namespace repro

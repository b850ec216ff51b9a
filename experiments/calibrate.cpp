// `bao-sim calibrate`: runs the calibration set (the published figures of
// bao-reference.md: interrupt latency, qsort and susan-corners slowdowns,
// native times, Table 4's qsort L2 refills) with reproduce's runs, prints the
// simulator against the paper with each error and their mean, writes CSV and
// JSON, and with --fit grid-searches model parameters on that set only.
// docs/reproduce.md ("Calibration") describes it.
#include "experiments/calibrate_internal.h"

#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <thread>

namespace repro {

using namespace detail;

namespace {

// The Linux variant's processes per run (docs/reproduce.md, "Calibration"):
// the published figures are means of 35 processes after 10 warm-up ones
// (bao-reference.md); calibrate's defaults buy a quieter mean than
// reproduce's (0 warm-up, 2 measured: slowdown standard errors 1.57 -> 0.62
// points on average) for 1.25 times the Linux set's CPU time, the large
// inputs (long processes, calm) with fewer (docs/results.md).
constexpr unsigned kLinuxWarmup = 2, kLinuxRuns = 8;
constexpr unsigned kLinuxLargeWarmup = 1, kLinuxLargeRuns = 2;
constexpr unsigned kLinuxProcessesMax = 100;

void add_linux_process_options(po::options_description& desc) {
    const auto dflt = [](unsigned v) { return " (default " + std::to_string(v) + ")"; };
    // clang-format off
    desc.add_options()
        ("linux-warmup", po::value<std::string>(),
         ("Linux variant: unmeasured processes each run starts after /init's verification run "
          "and before the measured ones, 0-100" + dflt(kLinuxWarmup) + "; --quick: 0").c_str())
        ("linux-runs", po::value<std::string>(),
         ("Linux variant: measured processes per run, whose mean is the figure (as perf stat "
          "-r), 1-100" + dflt(kLinuxRuns) + "; --quick: 1").c_str())
        ("linux-large-warmup", po::value<std::string>(),
         ("the same for the large inputs' runs" + dflt(kLinuxLargeWarmup) +
          "; --linux-warmup when only that is given").c_str())
        ("linux-large-runs", po::value<std::string>(),
         ("the same for the large inputs' runs" + dflt(kLinuxLargeRuns) +
          "; --linux-runs when only that is given").c_str());
    // clang-format on
}

// A process count option's value: a whole number in [lo, kLinuxProcessesMax].
std::optional<unsigned> process_count(const po::variables_map& vm, const std::string& name,
                                      unsigned lo) {
    if (!vm.count(name))
        return std::nullopt;
    const std::string v = vm[name].as<std::string>();
    const bool digits = !v.empty() && v.size() <= 3 && std::all_of(v.begin(), v.end(), [](char ch) {
        return ch >= '0' && ch <= '9';
    });
    const unsigned n = digits ? static_cast<unsigned>(std::stoul(v)) : 0;
    if (!digits || n < lo || n > kLinuxProcessesMax)
        throw std::runtime_error("--" + name + " '" + v + "' is not a whole number from " +
                                 std::to_string(lo) + " to " + std::to_string(kLinuxProcessesMax));
    return n;
}

// --linux-warmup, --linux-runs and their large-input forms into ctx. A
// large-input count not given follows the small one if that was given, else
// its own default (--quick: 0 warm-up, 1 measured for every input).
void read_linux_process_options(const po::variables_map& vm, Context& ctx) {
    const auto warmup = process_count(vm, "linux-warmup", 0);
    const auto runs = process_count(vm, "linux-runs", 1);
    const auto large_warmup = process_count(vm, "linux-large-warmup", 0);
    const auto large_runs = process_count(vm, "linux-large-runs", 1);
    ctx.linux_warmup = warmup.value_or(ctx.quick ? 0 : kLinuxWarmup);
    ctx.linux_runs = runs.value_or(ctx.quick ? 1 : kLinuxRuns);
    ctx.linux_large_warmup = large_warmup          ? *large_warmup
                             : warmup || ctx.quick ? ctx.linux_warmup
                                                   : kLinuxLargeWarmup;
    ctx.linux_large_runs = large_runs          ? *large_runs
                           : runs || ctx.quick ? ctx.linux_runs
                                               : kLinuxLargeRuns;
}

po::options_description options(unsigned hw) {
    po::options_description desc(
        "bao-sim calibrate: run the calibration set (the published figures of Bao's evaluation:\n"
        "interrupt latency per scenario, qsort and susan-corners slowdowns per scenario, the\n"
        "native times, Table 4's qsort L2 refills), bare-metal and in the Linux variant, and\n"
        "print the simulator against the published value with the error of each figure and\n"
        "the mean absolute relative error; write calibration.csv/.json/.txt to --out.\n"
        "bao-sim's timing model is approximate (docs/timing-model.md): the errors say how far.\n"
        "--fit searches a grid of model parameters on the calibration set only and reports the\n"
        "best point; it never changes a default. Other published figures (latency spread,\n"
        "orderings) are reported as validation and never fitted.\n\nOptions");
    // clang-format off
    desc.add_options()
        ("help,h", "print this help and exit")
        ("out,o", po::value<std::string>(), "output directory (created)")
        ("quick", "bare-metal only, small inputs, 50 latency samples (seconds to a minute; CI)")
        ("variant", po::value<std::string>(),
         "bare, linux or both (default: both; bare with --quick)")
        ("small-only", "small inputs only (the large ones cost 5-10 times more)")
        ("set", po::value<std::vector<std::string>>()->composing(),
         "KEY=VALUE model setting given to every run (repeatable), e.g. l2.replacement=lfsr")
        ("fit", po::value<std::vector<std::string>>()->multitoken()->composing(),
         "KEY=a,b,c: grid-search these values (several keys: every combination) and report "
         "the point with the lowest mean absolute relative error")
        ("jobs,j", po::value<unsigned>()->default_value(hw), "simulations run at once")
        ("binary", po::value<std::string>(), "bao-sim binary to run (default: this one)");
    // clang-format on
    add_linux_boot_once_option(desc);
    add_linux_process_options(desc);
    add_bare_qsort_large_option(desc);
    return desc;
}

struct Plan {
    bool bare = true;
    bool linux = true;
    bool small_only = false;
};

struct Axis {
    std::string key;
    std::vector<std::string> values;
};

// "KEY=a,b,c"; throws naming the argument if malformed.
Axis parse_axis(const std::string& arg) {
    const size_t eq = arg.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == arg.size())
        throw std::runtime_error("--fit '" + arg + "' is not KEY=a,b,c");
    Axis axis{arg.substr(0, eq), {}};
    std::istringstream in(arg.substr(eq + 1));
    for (std::string v; std::getline(in, v, ',');) {
        if (v.empty())
            throw std::runtime_error("--fit '" + arg + "' has an empty value");
        axis.values.push_back(v);
    }
    return axis;
}

// Every combination of the axes' values, as KEY=VALUE lists.
std::vector<std::vector<std::string>> grid(const std::vector<Axis>& axes) {
    std::vector<std::vector<std::string>> points{{}};
    for (const auto& axis : axes) {
        std::vector<std::vector<std::string>> next;
        for (const auto& p : points)
            for (const auto& v : axis.values) {
                next.push_back(p);
                next.back().push_back(axis.key + "=" + v);
            }
        points = std::move(next);
    }
    return points;
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i)
        s += (i ? sep : "") + v[i];
    return s;
}

// A setting bao-sim refuses would fail every run: check them once, up front.
void check_settings(const Context& ctx, const std::vector<std::string>& sets) {
    if (sets.empty())
        return;
    std::string cmd =
        shell_quote(ctx.bin.string()) + " --config native --workload hello --max-insns 1000";
    for (const auto& s : sets)
        cmd += " --set " + shell_quote(s);
    // bao-sim's stderr, then its exit status (2: a refused setting).
    std::string text = capture(cmd + " 2>&1 >/dev/null; echo \"rc=$?\"");
    if (text.find("rc=2") != std::string::npos)
        throw std::runtime_error("a --set or --fit setting is refused: " +
                                 text.substr(0, text.find('\n')));
}

struct PointResult {
    std::vector<std::string> sets;
    fs::path dir;
    CalibrationResult c;
    unsigned failed = 0;
};

void write_point(const Context& ctx, const Plan& plan, const PointResult& p) {
    write_text(p.dir / "calibration.csv", figures_csv(p.c));
    write_text(p.dir / "calibration.txt", format_table(p.c));
    JsonWriter w;
    w.begin_object();
    w.value("version",
            capture(shell_quote(ctx.bin.string()) + " --version 2>/dev/null").substr(0, 80));
    w.value("quick", ctx.quick);
    w.value("bare_metal", plan.bare);
    w.value("linux", p.c.linux_run);
    w.value("linux_boot_once", ctx.linux_boot_once);
    w.value("linux_warmup", ctx.linux_warmup).value("linux_runs", ctx.linux_runs);
    w.value("linux_large_warmup", ctx.linux_processes("qsort-large").warmup);
    w.value("linux_large_runs", ctx.linux_processes("qsort-large").runs);
    if (!ctx.linux_missing.empty() && plan.linux)
        w.value("linux_missing", ctx.linux_missing);
    if (!ctx.linux_kernel.empty() && p.c.linux_run)
        w.value("linux_kernel", ctx.linux_kernel);
    w.value("small_only", plan.small_only);
    w.begin_array("settings");
    for (const auto& s : p.sets)
        w.value("", s);
    w.end_array();
    w.value("failed_runs", p.failed);
    json_calibration(w, p.c);
    w.end_object();
    write_text(p.dir / "calibration.json", w.str() + "\n");
}

std::string describe_processes(const Context& ctx, const std::string& wl) {
    const Context::LinuxProcesses n = ctx.linux_processes(wl);
    return std::to_string(n.warmup) + " warm-up + " + std::to_string(n.runs) + " measured";
}

// Runs the calibration set with `sets` into `dir`.
PointResult run_point(Context ctx, const Plan& plan, const std::vector<std::string>& sets,
                      const fs::path& dir, std::ostream& out) {
    ctx.out = dir;
    ctx.sets = sets;
    fs::create_directories(dir / "runs");
    std::vector<Run> runs = plan_calibration(ctx, plan.bare, plan.linux, plan.small_only);
    // Each Linux process's cycles in the stats (workload.runs.cycles.raw): the
    // spread calibrate reports comes from them, and this keeps them to look at.
    for (auto& r : runs)
        if (r.group == "linux-perf")
            r.args.push_back("--raw-samples");
    out << "[calibrate] " << runs.size() << " simulations"
        << (sets.empty() ? std::string() : " with --set " + join(sets, " --set ")) << " into "
        << dir.string() << "\n";
    if (plan.linux && ctx.linux_missing.empty())
        out << "[calibrate] Linux processes per run: " << describe_processes(ctx, "qsort-small")
            << (plan.small_only ? "" : ", large inputs " + describe_processes(ctx, "qsort-large"))
            << "\n";
    out << std::flush;
    std::vector<Outcome> res = execute(ctx, runs, out);
    Results R;
    assemble(ctx, runs, res, R);
    PointResult p{sets, dir, {}, 0};
    for (size_t i = 0; i < runs.size(); ++i)
        if (!res[i].ok) {
            ++p.failed;
            out << "[calibrate] failed: " << runs[i].id << ": " << res[i].reason << " (log "
                << log_path(ctx, runs[i]).string() << ")\n";
        }
    p.c = figures_of(R, plan.bare, plan.linux && ctx.linux_missing.empty(), plan.small_only);
    write_point(ctx, plan, p);
    return p;
}

double mare_all(const PointResult& p) {
    auto it = p.c.mare.find("all");
    return it == p.c.mare.end() ? std::nan("") : it->second.first;
}

int fit(const Context& ctx, const Plan& plan, const std::vector<std::string>& base,
        const std::vector<Axis>& axes, std::ostream& out) {
    std::vector<std::vector<std::string>> points = grid(axes);
    out << "[calibrate] --fit: " << points.size() << " point(s) on the calibration set\n";
    std::vector<PointResult> results;
    for (size_t i = 0; i < points.size(); ++i) {
        std::vector<std::string> sets = base;
        sets.insert(sets.end(), points[i].begin(), points[i].end());
        check_settings(ctx, sets);
        results.push_back(
            run_point(ctx, plan, sets, ctx.out / "fit" / ("point-" + std::to_string(i)), out));
    }
    std::ostringstream csv;
    csv << "point,settings,mean_abs_rel_error,figures,failed_runs\n";
    size_t best = results.size();
    for (size_t i = 0; i < results.size(); ++i) {
        const double m = mare_all(results[i]);
        csv << i << "," << join(points[i], " ") << "," << (std::isnan(m) ? "" : fixed(m, 6)) << ","
            << (results[i].c.mare.count("all") ? results[i].c.mare.at("all").second : 0) << ","
            << results[i].failed << "\n";
        if (!std::isnan(m) && results[i].failed == 0 &&
            (best == results.size() || m < mare_all(results[best])))
            best = i;
    }
    write_text(ctx.out / "fit.csv", csv.str());
    out << "\nGrid (mean absolute relative error over the calibration set):\n";
    for (size_t i = 0; i < results.size(); ++i) {
        const double m = mare_all(results[i]);
        out << "  " << std::left << std::setw(60) << join(points[i], " ") << std::right
            << (std::isnan(m) ? std::string("-") : fixed(m * 100.0, 2) + "%")
            << (results[i].failed ? "  (" + std::to_string(results[i].failed) + " runs failed)"
                                  : std::string())
            << "\n";
    }
    JsonWriter w;
    w.begin_object();
    w.begin_array("points");
    for (size_t i = 0; i < results.size(); ++i) {
        w.begin_object();
        w.begin_array("settings");
        for (const auto& s : points[i])
            w.value("", s);
        w.end_array();
        const double m = mare_all(results[i]);
        if (!std::isnan(m))
            w.value("mean_abs_rel_error", m);
        w.value("failed_runs", results[i].failed);
        w.end_object();
    }
    w.end_array();
    if (best < results.size())
        w.value("best", static_cast<uint64_t>(best));
    w.end_object();
    write_text(ctx.out / "fit.json", w.str() + "\n");
    if (best == results.size()) {
        out << "[calibrate] no point completed every run\n";
        return 1;
    }
    out << "\nBest point: " << join(points[best], " ") << " (mean absolute relative error "
        << fixed(mare_all(results[best]) * 100.0, 2)
        << "%). Defaults are unchanged; pass these with --set to use them.\n\n"
        << format_table(results[best].c);
    return 0;
}

Context make_context(const po::variables_map& vm) {
    Context ctx;
    ctx.out = fs::absolute(vm["out"].as<std::string>()).lexically_normal();
    ctx.quick = vm.count("quick") > 0;
    ctx.jobs = std::max(1u, vm["jobs"].as<unsigned>());
    ctx.bin = vm.count("binary") ? fs::absolute(vm["binary"].as<std::string>())
                                 : fs::read_symlink("/proc/self/exe");
    ctx.build_dir = ctx.bin.parent_path();
    ctx.src_dir = find_source_dir(ctx.build_dir);
    ctx.guest_param = true; // irqlat's samples and period as guest parameters
    ctx.lat_workload = "irqlat";
    ctx.lat_samples = ctx.quick ? 50 : 1000;
    ctx.lat_period_us = 1000;
    ctx.linux_missing = linux_missing(ctx.build_dir);
    if (ctx.linux_missing.empty())
        ctx.linux_kernel = linux_kernel_version(ctx.build_dir);
    read_linux_process_options(vm, ctx);
    ctx.linux_boot_once = vm.count("linux-boot-once") > 0;
    read_bare_qsort_large_option(vm, ctx);
    return ctx;
}

Plan make_plan(const po::variables_map& vm, bool quick) {
    Plan plan;
    std::string variant =
        vm.count("variant") ? vm["variant"].as<std::string>() : (quick ? "bare" : "both");
    if (variant != "bare" && variant != "linux" && variant != "both")
        throw std::runtime_error("--variant '" + variant + "' is not one of bare, linux, both");
    plan.bare = variant != "linux";
    plan.linux = variant != "bare";
    plan.small_only = quick || vm.count("small-only") > 0;
    return plan;
}

int calibrate(const po::variables_map& vm, std::ostream& out) {
    Context ctx = make_context(vm);
    Plan plan = make_plan(vm, ctx.quick);
    std::vector<std::string> sets =
        vm.count("set") ? vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{};
    for (const auto& s : sets)
        if (s.find('=') == std::string::npos || s.front() == '=')
            throw std::runtime_error("--set '" + s + "' is not KEY=VALUE");
    if (plan.linux && !ctx.linux_missing.empty()) {
        out << "[calibrate] Linux variant not run: " << ctx.linux_missing << "\n";
        if (!plan.bare)
            throw std::runtime_error("--variant linux, but " + ctx.linux_missing);
    }
    fs::create_directories(ctx.out);
    auto t0 = std::chrono::steady_clock::now();
    int rc = 0;
    if (vm.count("fit")) {
        std::vector<Axis> axes;
        for (const auto& a : vm["fit"].as<std::vector<std::string>>())
            axes.push_back(parse_axis(a));
        rc = fit(ctx, plan, sets, axes, out);
    } else {
        check_settings(ctx, sets);
        PointResult p = run_point(ctx, plan, sets, ctx.out, out);
        out << "\n" << format_table(p.c);
        rc = p.failed == 0 ? 0 : 1;
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    out << "[calibrate] wrote calibration.csv, calibration.json and calibration.txt under "
        << ctx.out.string() << " (" << fixed(secs, 0) << " s, --jobs " << ctx.jobs << ")\n";
    return rc;
}

} // namespace

int calibrate_main(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
    unsigned hw = std::max(1u, std::thread::hardware_concurrency());
    po::options_description desc = options(hw);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        err << "bao-sim calibrate: error: " << e.what() << "\n";
        return 2;
    }
    if (vm.count("help")) {
        out << desc << "\n";
        return 0;
    }
    if (!vm.count("out")) {
        err << "bao-sim calibrate: error: give --out DIR\n";
        return 2;
    }
    try {
        return calibrate(vm, out);
    } catch (const std::exception& e) {
        err << "bao-sim calibrate: error: " << e.what() << "\n";
        return 2;
    }
}

} // namespace repro

// `bao-sim reproduce`: the outputs: CSVs, results.json, report.md and plots.
#include "sim/reproduce_internal.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <set>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace sim::repro::detail {

namespace {

// Table 4's rows: qsort small and large, each scenario that has results, in
// order. One walk for the CSV, the JSON and the report.
template <typename Row> void for_each_table4_row(const Results& R, Row&& row) {
    for (const char* wl : {"qsort-small", "qsort-large"}) {
        auto it = R.perf.find(wl);
        if (it == R.perf.end())
            continue;
        for (const auto& sc : kPerfScenarios)
            if (auto j = it->second.find(sc); j != it->second.end())
                row(std::string(wl), sc, j->second);
    }
}

} // namespace

std::string csv_opt(const std::optional<double>& v, int prec) {
    if (!v)
        return "";
    std::ostringstream s;
    s << std::setprecision(prec) << *v;
    return s.str();
}

void opt_value(JsonWriter& w, const std::string& key, const std::optional<double>& v,
               bool integer) {
    if (!v)
        return; // failed run: the key is left out (see "failures")
    if (integer)
        w.value(key, static_cast<uint64_t>(std::llround(*v)));
    else
        w.value(key, *v);
}

void write_outputs(const Context& ctx, const std::vector<Run>& runs,
                   const std::vector<Outcome>& res, const Results& R) {
    auto ms = [&](const std::optional<double>& cycles) -> std::optional<double> {
        if (!cycles)
            return std::nullopt;
        return *cycles / R.core_hz * 1e3;
    };
    // ---- CSVs
    {
        std::ostringstream c;
        c << "kind,name,files,value\n";
        for (const auto& r : R.t1.sloc)
            c << "sloc," << r.dir << "," << r.files << "," << r.sloc << "\n";
        c << "sloc,total,," << R.t1.total << "\n";
        for (const auto& s : R.t1.sections)
            c << "section," << s.name << ",," << s.bytes << "\n";
        if (!R.t1.elf.empty())
            c << "section,loaded(.text+.rodata+.data),," << R.t1.loaded << "\n";
        write_text(ctx.out / "table1_size.csv", c.str());
    }
    {
        std::ostringstream c;
        c << "memory_mib,uncolored_pages,colored_pages\n";
        for (const auto& r : R.t2)
            c << r.mib << "," << r.uncolored << "," << r.colored << "\n";
        write_text(ctx.out / "table2_pagetables.csv", c.str());
    }
    {
        std::ostringstream c;
        c << "vm,image_bytes,region_bytes,scenario,hv_init_cycles,hv_init_ms,first_app_cycles,"
             "first_app_ms,recolor_bytes\n";
        for (const auto& r : R.t3)
            c << r.vm << "," << r.image_bytes << "," << r.region_bytes << "," << r.scenario << ","
              << csv_opt(r.hv_init_cycles, 12) << "," << csv_opt(ms(r.hv_init_cycles)) << ","
              << csv_opt(r.first_app_cycles, 12) << "," << csv_opt(ms(r.first_app_cycles)) << ","
              << csv_opt(r.recolor_bytes, 12) << "\n";
        write_text(ctx.out / "table3_boot.csv", c.str());
    }
    {
        std::ostringstream c;
        c << "workload,native_cycles,native_ms";
        for (const auto& sc : kHvScenarios)
            c << "," << sc << "_normalised";
        c << "\n";
        for (const auto& w : R.workloads) {
            auto it = R.perf.find(w);
            std::optional<double> nc;
            if (it != R.perf.end() && it->second.count("native"))
                nc = it->second.at("native").cycles;
            c << w << "," << csv_opt(nc, 12) << "," << csv_opt(ms(nc));
            for (const auto& sc : kHvScenarios) {
                auto s = slowdown(R, w, sc);
                c << "," << (s ? csv_opt(1.0 + *s / 100.0) : "");
            }
            c << "\n";
        }
        write_text(ctx.out / "figure2_normalised.csv", c.str());
    }
    {
        std::ostringstream c;
        c << "workload,scenario,l2_miss_rate,l2_mpki,dtlb_miss_rate,dtlb_mpki,mem_stall_share\n";
        for_each_table4_row(R, [&](const std::string& w, const std::string& sc, const PerfCell& p) {
            c << w << "," << sc << "," << csv_opt(p.l2_miss_rate) << "," << csv_opt(p.l2_mpki)
              << "," << csv_opt(p.dtlb_miss_rate) << "," << csv_opt(p.dtlb_mpki) << ","
              << csv_opt(p.mem_stall_share) << "\n";
        });
        write_text(ctx.out / "table4_qsort.csv", c.str());
    }
    {
        std::ostringstream c;
        c << "scenario,samples,mean_ns,std_ns,min_ns,max_ns\n";
        for (const auto& r : R.t5)
            c << r.scenario << "," << csv_opt(r.samples) << "," << csv_opt(r.mean) << ","
              << csv_opt(r.std) << "," << csv_opt(r.min) << "," << csv_opt(r.max) << "\n";
        write_text(ctx.out / "table5_latency.csv", c.str());
    }

    // ---- results.json
    JsonWriter w;
    w.begin_object();
    w.begin_object("meta")
        .value("quick", ctx.quick)
        .value("version", R.version)
        .value("core_hz", static_cast<uint64_t>(R.core_hz))
        .value("runs", static_cast<uint64_t>(runs.size()))
        .begin_object("latency")
        .value("workload", ctx.lat_workload)
        .value("guest_param", ctx.guest_param);
    if (ctx.guest_param)
        w.value("samples", ctx.lat_samples).value("period_us", ctx.lat_period_us);
    w.end_object().end_object();
    w.begin_array("failures");
    for (size_t i = 0; i < runs.size(); ++i)
        if (!res[i].ok)
            w.begin_object()
                .value("id", runs[i].id)
                .value("reason", res[i].reason)
                .value("log", log_path(ctx, runs[i]).string())
                .end_object();
    w.end_array();
    w.begin_object("table1").begin_array("sloc");
    for (const auto& r : R.t1.sloc)
        w.begin_object()
            .value("dir", r.dir)
            .value("files", r.files)
            .value("sloc", r.sloc)
            .end_object();
    w.end_array()
        .value("sloc_total", R.t1.total)
        .begin_object("image")
        .value("built", !R.t1.elf.empty());
    if (!R.t1.elf.empty()) {
        w.value("elf", R.t1.elf).value("loaded_bytes", R.t1.loaded).begin_object("sections");
        for (const auto& s : R.t1.sections)
            w.value(s.name, s.bytes);
        w.end_object();
    }
    w.end_object().end_object();
    w.begin_array("table2");
    for (const auto& r : R.t2)
        w.begin_object()
            .value("memory_mib", r.mib)
            .value("uncolored_pages", r.uncolored)
            .value("colored_pages", r.colored)
            .end_object();
    w.end_array();
    w.begin_array("table3");
    for (const auto& r : R.t3) {
        w.begin_object()
            .value("vm", r.vm)
            .value("scenario", r.scenario)
            .value("image_bytes", r.image_bytes)
            .value("region_bytes", r.region_bytes);
        opt_value(w, "hv_init_cycles", r.hv_init_cycles, true);
        opt_value(w, "hv_init_ms", ms(r.hv_init_cycles));
        opt_value(w, "first_app_cycles", r.first_app_cycles, true);
        opt_value(w, "first_app_ms", ms(r.first_app_cycles));
        opt_value(w, "recolor_bytes", r.recolor_bytes, true);
        if (r.first_app_cycles)
            w.value("first_app_source", r.first_app_source);
        w.end_object();
    }
    w.end_array();
    w.begin_array("figure2");
    for (const auto& wl : R.workloads) {
        w.begin_object().value("workload", wl);
        auto it = R.perf.find(wl);
        if (it != R.perf.end() && it->second.count("native")) {
            opt_value(w, "native_cycles", it->second.at("native").cycles, true);
            opt_value(w, "native_ms", ms(it->second.at("native").cycles));
        }
        w.begin_object("normalised");
        for (const auto& sc : kHvScenarios)
            if (auto s = slowdown(R, wl, sc))
                w.value(sc, 1.0 + *s / 100.0);
        w.end_object().begin_object("slowdown_pct");
        for (const auto& sc : kHvScenarios)
            if (auto s = slowdown(R, wl, sc))
                w.value(sc, *s);
        w.end_object();
        if (auto ref = kRefSlow.find(wl); ref != kRefSlow.end()) {
            w.begin_object("paper_slowdown_pct");
            for (size_t k = 0; k < kHvScenarios.size(); ++k)
                w.value(kHvScenarios[k], ref->second[k]);
            w.end_object();
        }
        w.end_object();
    }
    w.end_array();
    w.begin_array("table4");
    for_each_table4_row(R, [&](const std::string& wl, const std::string& sc, const PerfCell& p) {
        w.begin_object().value("workload", wl).value("scenario", sc);
        opt_value(w, "l2_miss_rate", p.l2_miss_rate);
        opt_value(w, "l2_mpki", p.l2_mpki);
        opt_value(w, "dtlb_miss_rate", p.dtlb_miss_rate);
        opt_value(w, "dtlb_mpki", p.dtlb_mpki);
        opt_value(w, "mem_stall_share", p.mem_stall_share);
        opt_value(w, "ipc", p.ipc);
        w.end_object();
    });
    w.end_array();
    w.begin_array("table5");
    for (const auto& r : R.t5) {
        w.begin_object().value("scenario", r.scenario);
        opt_value(w, "samples", r.samples, true);
        opt_value(w, "mean_ns", r.mean);
        opt_value(w, "std_ns", r.std);
        opt_value(w, "min_ns", r.min);
        opt_value(w, "max_ns", r.max);
        if (auto ref = kRefLat.find(r.scenario); ref != kRefLat.end())
            w.begin_object("paper_ns")
                .value("mean", ref->second.mean)
                .value("std", ref->second.std)
                .value("min", ref->second.min)
                .value("max", ref->second.max)
                .end_object();
        w.end_object();
    }
    w.end_array();
    w.begin_array("conclusions");
    for (const auto& v : R.verdicts)
        w.begin_object()
            .value("id", v.id)
            .value("claim", v.claim)
            .value("reproduced", v.verdict)
            .value("evidence", v.evidence)
            .end_object();
    w.end_array();
    w.end_object();
    write_text(ctx.out / "results.json", w.str() + "\n");
}

void write_report(const Context& ctx, const std::vector<Run>& runs, const std::vector<Outcome>& res,
                  const Results& R, const std::string& timing, const std::string& plots) {
    auto ms = [&](const std::optional<double>& c) -> std::optional<double> {
        return c ? std::optional<double>(*c / R.core_hz * 1e3) : std::nullopt;
    };
    std::ostringstream m;
    m << "# bao-sim reproduction of the Bao evaluation\n\n";
    m << "Generated by `bao-sim reproduce" << (ctx.quick ? " --quick" : "") << "` (bao-sim "
      << (R.version.empty() ? "unknown" : R.version) << "). " << runs.size()
      << " simulations, each its own bao-sim process; every number below is computed from their "
         "stats files (`runs/*.json`). Paper figures: ZCU104 (Cortex-A53, 1.2 GHz), from "
         "bao-reference.md. "
      << timing << "\n\n";
    size_t failed = 0;
    for (const auto& o : res)
        failed += o.ok ? 0 : 1;
    if (failed) {
        m << "**" << failed << " run(s) failed**; their cells are empty:\n\n";
        for (size_t i = 0; i < runs.size(); ++i)
            if (!res[i].ok)
                m << "- `" << runs[i].id << "`: " << res[i].reason << " (log `"
                  << log_path(ctx, runs[i]).string() << "`)\n";
        m << "\n";
    }

    m << "## The paper's conclusions\n\n| conclusion | reproduced | evidence |\n|---|---|---|\n";
    for (const auto& v : R.verdicts)
        m << "| " << v.claim << " | **" << v.verdict << "** | " << v.evidence << " |\n";
    m << "\n";

    m << "## Table 1: size\n\nSource lines (non-blank lines that are not only a comment, in "
         "`.h`, `.cpp` and `.S` files) per hv/ directory:\n\n| directory | files | SLoC "
         "|\n|---|---|---|\n";
    for (const auto& r : R.t1.sloc)
        m << "| " << r.dir << " | " << r.files << " | " << r.sloc << " |\n";
    m << "| **total** | | **" << R.t1.total << "** (paper: ~5.6 K) |\n\n";
    if (R.t1.elf.empty()) {
        m << "Image sections: not built (no bao-hv.elf under the build directory, or "
             "aarch64-linux-gnu-size missing).\n\n";
    } else {
        m << "Sections of the real AArch64 image (`" << R.t1.elf
          << "`, `aarch64-linux-gnu-size -A`):\n\n| section | bytes |\n|---|---|\n";
        for (const auto& s : R.t1.sections)
            m << "| " << s.name << " | " << s.bytes << " |\n";
        m << "| .text + .rodata + .data | " << R.t1.loaded << " (" << fixed(R.t1.loaded / 1024.0, 1)
          << " KiB; paper: ~43 KiB loaded image) |\n\n";
    }

    m << "## Table 2: stage-2 page-table pages\n\n";
    if (!R.t2_error.empty())
        m << R.t2_error << "\n\n";
    m << "| VM memory | uncolored | colored |\n|---|---|---|\n";
    for (const auto& r : R.t2)
        m << "| " << r.mib << " MiB | " << r.uncolored << " | " << r.colored << " |\n";
    m << "\nColoring maps every 4 KiB page, so it needs about one level-3 table per 2 MiB, as in "
         "the paper.\n\n";

    m << "## Table 3: boot\n\nSmall VM: " << kBootVms[0].image_bytes / 1024
      << " KiB image, 32 MiB; large VM: 39 MiB synthetic image (bitcount-small padded with "
         "zeros), 512 MiB. hv init = first hv instruction to first guest instruction; first app "
         "= cycle of the guest's first measured-region mark (its first application "
         "instruction), counted from reset.\n\n";
    if (!R.boot_keys)
        m << "The stats files carry no `boot.*` keys (this bao-sim build predates them): hv init "
             "is not available and the time to the first application instruction is the start "
             "mark's cycle (`marks[0].cycle`).\n\n";
    m << "| VM | scenario | hv init (cycles) | hv init (ms) | first app (cycles) | first app (ms) "
         "| recolored bytes |\n|---|---|---|---|---|---|---|\n";
    for (const auto& r : R.t3)
        m << "| " << r.vm << " | " << r.scenario << " | " << opt_fixed(r.hv_init_cycles, 0) << " | "
          << opt_fixed(ms(r.hv_init_cycles), 3) << " | " << opt_fixed(r.first_app_cycles, 0)
          << " | " << opt_fixed(ms(r.first_app_cycles), 3) << " | " << opt_fixed(r.recolor_bytes, 0)
          << " |\n";
    m << "\nPaper: recoloring dominates the colored large case. In bao-sim the images are "
         "placed in memory before reset (the bootloader's copy is not timed), so only "
         "recoloring, which hv does and accounts, depends on the image size.\n\n";

    m << "## Figure 2: MiBench runtime normalised to native\n\n";
    if (!plots.empty())
        m << plots << "\n\n";
    m << "Slowdown versus native, % (solo / solo-col / interf / interf-col); paper figures where "
         "published.\n\n| workload | native (ms) | solo | solo-col | interf | interf-col | paper "
         "|\n|---|---|---|---|---|---|---|\n";
    for (const auto& wl : R.workloads) {
        auto it = R.perf.find(wl);
        std::optional<double> nc;
        if (it != R.perf.end() && it->second.count("native"))
            nc = it->second.at("native").cycles;
        m << "| " << wl << " | " << opt_fixed(ms(nc), 2);
        for (const auto& sc : kHvScenarios)
            m << " | " << opt_fixed(slowdown(R, wl, sc), 2);
        m << " | ";
        if (auto ref = kRefSlow.find(wl); ref != kRefSlow.end())
            m << fixed(ref->second[0], 2) << " / " << fixed(ref->second[1], 2) << " / "
              << fixed(ref->second[2], 1) << " / " << fixed(ref->second[3], 1);
        m << " |\n";
    }
    m << "\nPaper: qsort small native about 21.4 ms, qsort large about 218 ms.\n\n";

    m << "## Table 4: qsort, memory-system counters\n\n| workload | scenario | L2 miss rate | L2 "
         "MPKI | DTLB miss rate | DTLB MPKI | memory-stall share "
         "|\n|---|---|---|---|---|---|---|\n";
    for_each_table4_row(R, [&](const std::string& wl, const std::string& sc, const PerfCell& p) {
        m << "| " << wl << " | " << sc << " | " << opt_fixed(p.l2_miss_rate, 4) << " | "
          << opt_fixed(p.l2_mpki, 2) << " | " << opt_fixed(p.dtlb_miss_rate, 5) << " | "
          << opt_fixed(p.dtlb_mpki, 3) << " | " << opt_fixed(p.mem_stall_share, 3) << " |\n";
    });
    m << "\nPaper (qsort small): L2 refills 7.84 per 1000 instructions in solo-col, 7.15 in "
         "interf-col.\n\n";

    m << "## Table 5: interrupt latency (ns)\n\n";
    m << "Workload `" << ctx.lat_workload << "`";
    if (ctx.guest_param)
        m << " with `--guest-param 0=" << ctx.lat_samples
          << " --guest-param 1=" << ctx.lat_period_us << "` (" << ctx.lat_samples
          << " samples, period " << ctx.lat_period_us
          << " us; the paper's 10 ms period would cost 10 s of simulated time with two streaming "
             "cores per interference run)";
    m << ".\n\n| scenario | samples | mean | std | min | max | paper mean / std / min / max "
         "|\n|---|---|---|---|---|---|---|\n";
    for (const auto& r : R.t5) {
        m << "| " << r.scenario << " | " << opt_fixed(r.samples, 0) << " | " << opt_fixed(r.mean, 0)
          << " | " << opt_fixed(r.std, 0) << " | " << opt_fixed(r.min, 0) << " | "
          << opt_fixed(r.max, 0) << " | ";
        if (auto ref = kRefLat.find(r.scenario); ref != kRefLat.end())
            m << ref->second.mean << " / " << ref->second.std << " / " << ref->second.min << " / "
              << ref->second.max;
        m << " |\n";
    }
    m << "\n";
    write_text(ctx.out / "report.md", m.str());
}

std::string make_plots(const Context& ctx, std::ostream& out) {
    fs::path script = ctx.src_dir / "scripts" / "plot_results.py";
    if (ctx.src_dir.empty() || !fs::exists(script)) {
        out << "[reproduce] plots skipped: scripts/plot_results.py not found\n";
        return "Plots: not made (scripts/plot_results.py not found).";
    }
    std::string python;
    for (const char* cand : {"/usr/bin/python3", "python3"})
        if (std::system((std::string(cand) + " -c 'import matplotlib' >/dev/null 2>&1").c_str()) ==
            0) {
            python = cand;
            break;
        }
    if (python.empty()) {
        out << "[reproduce] plots skipped: python3 with matplotlib not found (Debian: "
               "python3-matplotlib)\n";
        return "Plots: not made (python3 with matplotlib not found).";
    }
    std::string cmd = python + " " + shell_quote(script.string()) + " " +
                      shell_quote((ctx.out / "results.json").string()) + " " +
                      shell_quote(ctx.out.string()) + " > " +
                      shell_quote((ctx.out / "plots.log").string()) + " 2>&1";
    if (std::system(cmd.c_str()) != 0) {
        out << "[reproduce] plotting failed; see " << (ctx.out / "plots.log").string() << "\n";
        return "Plots: plotting failed (see plots.log).";
    }
    return "![Figure 2](figure2.png) ![Interrupt latency](latency.png)";
}

} // namespace sim::repro::detail

// `bao-sim reproduce`: the machine-readable outputs: one CSV per table and
// results.json (docs/reproduce.md lists their columns and keys).
#include "experiments/published.h"
#include "experiments/reproduce_internal.h"

#include <cmath>
#include <iomanip>
#include <sstream>

namespace repro::detail {

std::optional<double> to_ms(const Results& R, const std::optional<double>& cycles) {
    if (!cycles)
        return std::nullopt;
    return *cycles / R.core_hz * 1e3;
}

namespace {

std::optional<double> native_cycles(const PerfSet& p, const std::string& wl) {
    auto it = p.cells.find(wl);
    if (it != p.cells.end() && it->second.count("native"))
        return it->second.at("native").cycles;
    return std::nullopt;
}

// ---- CSVs

std::string table1_csv(const Table1& t) {
    std::ostringstream c;
    c << "kind,name,files,value\n";
    for (const auto& r : t.sloc)
        c << "sloc," << r.dir << "," << r.files << "," << r.sloc << "\n";
    c << "sloc,total,," << t.total << "\n";
    for (const auto& s : t.sections)
        c << "section," << s.name << ",," << s.bytes << "\n";
    if (!t.elf.empty())
        c << "section,loaded(.text+.rodata+.data),," << t.loaded << "\n";
    return c.str();
}

std::string table2_csv(const std::vector<PtRow>& t2) {
    std::ostringstream c;
    c << "memory_mib,uncolored_pages,colored_pages\n";
    for (const auto& r : t2)
        c << r.mib << "," << r.uncolored << "," << r.colored << "\n";
    return c.str();
}

std::string table3_csv(const Results& R) {
    std::ostringstream c;
    c << "vm,image_bytes,region_bytes,scenario,hv_init_cycles,hv_init_ms,first_app_cycles,"
         "first_app_ms,recolor_bytes\n";
    for (const auto& r : R.t3)
        c << r.vm << "," << r.image_bytes << "," << r.region_bytes << "," << r.scenario << ","
          << csv_opt(r.hv_init_cycles, 12) << "," << csv_opt(to_ms(R, r.hv_init_cycles)) << ","
          << csv_opt(r.first_app_cycles, 12) << "," << csv_opt(to_ms(R, r.first_app_cycles)) << ","
          << csv_opt(r.recolor_bytes, 12) << "\n";
    return c.str();
}

std::string linux_table3_csv(const Results& R) {
    std::ostringstream c;
    c << "vm,region_bytes,scenario,hv_init_cycles,hv_init_ms,init_cycles,init_ms,"
         "init_instructions,recolor_bytes\n";
    for (const auto& r : R.linux_t3)
        c << "large," << r.region_bytes << "," << r.scenario << "," << csv_opt(r.hv_init_cycles, 12)
          << "," << csv_opt(to_ms(R, r.hv_init_cycles)) << "," << csv_opt(r.init_cycles, 12) << ","
          << csv_opt(to_ms(R, r.init_cycles)) << "," << csv_opt(r.init_insns, 12) << ","
          << csv_opt(r.recolor_bytes, 12) << "\n";
    return c.str();
}

std::string figure2_csv(const Results& R, const PerfSet& p) {
    std::ostringstream c;
    c << "workload,native_cycles,native_ms";
    for (const auto& sc : kHvScenarios)
        c << "," << sc << "_normalised";
    c << "\n";
    for (const auto& w : p.workloads) {
        auto nc = native_cycles(p, w);
        c << w << "," << csv_opt(nc, 12) << "," << csv_opt(to_ms(R, nc));
        for (const auto& sc : kHvScenarios) {
            auto s = slowdown(p, w, sc);
            c << "," << (s ? csv_opt(1.0 + *s / 100.0) : "");
        }
        c << "\n";
    }
    return c.str();
}

std::string table4_csv(const PerfSet& p) {
    std::ostringstream c;
    c << "workload,scenario,l2_miss_rate,l2_mpki,dtlb_miss_rate,dtlb_mpki,mem_stall_share\n";
    for_each_table4_row(p, [&](const std::string& w, const std::string& sc, const PerfCell& x) {
        c << w << "," << sc << "," << csv_opt(x.l2_miss_rate) << "," << csv_opt(x.l2_mpki) << ","
          << csv_opt(x.dtlb_miss_rate) << "," << csv_opt(x.dtlb_mpki) << ","
          << csv_opt(x.mem_stall_share) << "\n";
    });
    return c.str();
}

std::string table5_csv(const std::vector<LatRow>& t5) {
    std::ostringstream c;
    c << "scenario,samples,mean_ns,std_ns,min_ns,max_ns\n";
    for (const auto& r : t5)
        c << r.scenario << "," << csv_opt(r.samples) << "," << csv_opt(r.mean) << ","
          << csv_opt(r.std) << "," << csv_opt(r.min) << "," << csv_opt(r.max) << "\n";
    return c.str();
}

// ---- results.json

void json_meta(JsonWriter& w, const Context& ctx, const std::vector<Run>& runs, const Results& R) {
    w.begin_object("meta")
        .value("quick", ctx.quick)
        .value("platform", ctx.platform.empty() ? std::string("qemu-aarch64-virt") : ctx.platform)
        .value("version", R.version)
        .value("core_hz", static_cast<uint64_t>(R.core_hz))
        .value("runs", static_cast<uint64_t>(runs.size()))
        .value("bare_qsort_large_guest", bare_guest(ctx, "qsort-large"))
        .begin_object("latency")
        .value("workload", ctx.lat_workload)
        .value("guest_param", ctx.guest_param);
    if (ctx.guest_param)
        w.value("samples", ctx.lat_samples).value("period_us", ctx.lat_period_us);
    w.end_object().end_object();
}

void json_failures(JsonWriter& w, const Context& ctx, const std::vector<Run>& runs,
                   const std::vector<Outcome>& res) {
    w.begin_array("failures");
    for (size_t i = 0; i < runs.size(); ++i)
        if (!res[i].ok)
            w.begin_object()
                .value("id", runs[i].id)
                .value("reason", res[i].reason)
                .value("log", log_path(ctx, runs[i]).string())
                .end_object();
    w.end_array();
}

void json_table1(JsonWriter& w, const Table1& t) {
    w.begin_object("table1").begin_array("sloc");
    for (const auto& r : t.sloc)
        w.begin_object()
            .value("dir", r.dir)
            .value("files", r.files)
            .value("sloc", r.sloc)
            .end_object();
    w.end_array().value("sloc_total", t.total).begin_object("image").value("built", !t.elf.empty());
    if (!t.elf.empty()) {
        w.value("elf", t.elf).value("loaded_bytes", t.loaded).begin_object("sections");
        for (const auto& s : t.sections)
            w.value(s.name, s.bytes);
        w.end_object();
    }
    w.end_object().end_object();
}

void json_table2(JsonWriter& w, const std::vector<PtRow>& t2) {
    w.begin_array("table2");
    for (const auto& r : t2)
        w.begin_object()
            .value("memory_mib", r.mib)
            .value("uncolored_pages", r.uncolored)
            .value("colored_pages", r.colored)
            .end_object();
    w.end_array();
}

void json_table3(JsonWriter& w, const Results& R) {
    w.begin_array("table3");
    for (const auto& r : R.t3) {
        w.begin_object()
            .value("vm", r.vm)
            .value("scenario", r.scenario)
            .value("image_bytes", r.image_bytes)
            .value("region_bytes", r.region_bytes);
        opt_value(w, "hv_init_cycles", r.hv_init_cycles, true);
        opt_value(w, "hv_init_ms", to_ms(R, r.hv_init_cycles));
        opt_value(w, "first_app_cycles", r.first_app_cycles, true);
        opt_value(w, "first_app_ms", to_ms(R, r.first_app_cycles));
        opt_value(w, "recolor_bytes", r.recolor_bytes, true);
        if (r.first_app_cycles)
            w.value("first_app_source", r.first_app_source);
        w.end_object();
    }
    w.end_array();
}

void json_linux_table3(JsonWriter& w, const Results& R) {
    w.begin_array("table3");
    for (const auto& r : R.linux_t3) {
        w.begin_object()
            .value("vm", "large")
            .value("scenario", r.scenario)
            .value("region_bytes", r.region_bytes);
        opt_value(w, "hv_init_cycles", r.hv_init_cycles, true);
        opt_value(w, "hv_init_ms", to_ms(R, r.hv_init_cycles));
        opt_value(w, "init_cycles", r.init_cycles, true);
        opt_value(w, "init_ms", to_ms(R, r.init_cycles));
        opt_value(w, "init_instructions", r.init_insns, true);
        opt_value(w, "recolor_bytes", r.recolor_bytes, true);
        w.end_object();
    }
    w.end_array();
}

void json_paper_slowdown(JsonWriter& w, const std::string& wl) {
    if (const auto* ref = published::slowdown(wl)) {
        w.begin_object("paper_slowdown_pct");
        for (size_t k = 0; k < kHvScenarios.size(); ++k)
            w.value(kHvScenarios[k], ref->pct[k]);
        w.end_object();
    }
}

void json_figure2(JsonWriter& w, const Results& R, const PerfSet& p, bool per_process) {
    w.begin_array("figure2");
    for (const auto& wl : p.workloads) {
        w.begin_object().value("workload", wl);
        if (auto nc = native_cycles(p, wl)) {
            opt_value(w, "native_cycles", nc, true);
            opt_value(w, "native_ms", to_ms(R, nc));
        }
        w.begin_object("normalised");
        for (const auto& sc : kHvScenarios)
            if (auto s = slowdown(p, wl, sc))
                w.value(sc, 1.0 + *s / 100.0);
        w.end_object().begin_object("slowdown_pct");
        for (const auto& sc : kHvScenarios)
            if (auto s = slowdown(p, wl, sc))
                w.value(sc, *s);
        w.end_object();
        if (per_process && p.cells.count(wl)) {
            w.begin_object("process_cycles");
            for (const auto& [sc, c] : p.cells.at(wl)) {
                w.begin_object(sc);
                opt_value(w, "runs", c.runs, true);
                opt_value(w, "mean", c.cycles);
                opt_value(w, "std", c.cycles_std);
                opt_value(w, "min", c.cycles_min);
                opt_value(w, "max", c.cycles_max);
                w.end_object();
            }
            w.end_object();
        }
        json_paper_slowdown(w, wl);
        w.end_object();
    }
    w.end_array();
}

void json_table4(JsonWriter& w, const PerfSet& p) {
    w.begin_array("table4");
    for_each_table4_row(p, [&](const std::string& wl, const std::string& sc, const PerfCell& c) {
        w.begin_object().value("workload", wl).value("scenario", sc);
        opt_value(w, "l2_miss_rate", c.l2_miss_rate);
        opt_value(w, "l2_mpki", c.l2_mpki);
        opt_value(w, "dtlb_miss_rate", c.dtlb_miss_rate);
        opt_value(w, "dtlb_mpki", c.dtlb_mpki);
        opt_value(w, "mem_stall_share", c.mem_stall_share);
        opt_value(w, "ipc", c.ipc);
        w.end_object();
    });
    w.end_array();
}

void json_table5(JsonWriter& w, const std::vector<LatRow>& t5) {
    w.begin_array("table5");
    for (const auto& r : t5) {
        w.begin_object().value("scenario", r.scenario);
        opt_value(w, "samples", r.samples, true);
        opt_value(w, "mean_ns", r.mean);
        opt_value(w, "std_ns", r.std);
        opt_value(w, "min_ns", r.min);
        opt_value(w, "max_ns", r.max);
        if (const auto* ref = published::latency(r.scenario))
            w.begin_object("paper_ns")
                .value("mean", ref->mean)
                .value("std", ref->std)
                .value("min", ref->min)
                .value("max", ref->max)
                .end_object();
        w.end_object();
    }
    w.end_array();
}

void json_conclusions(JsonWriter& w, const std::vector<Verdict>& verdicts) {
    w.begin_array("conclusions");
    for (const auto& v : verdicts)
        w.begin_object()
            .value("id", v.id)
            .value("claim", v.claim)
            .value("reproduced", v.verdict)
            .value("evidence", v.evidence)
            .end_object();
    w.end_array();
}

// The Linux variant, its own object so the bare-metal keys stay as they were.
void json_linux(JsonWriter& w, const Context& ctx, const Results& R) {
    w.begin_object("linux").value("available", ctx.linux_missing.empty());
    if (!ctx.linux_missing.empty())
        w.value("missing", ctx.linux_missing);
    if (!ctx.linux_kernel.empty())
        w.value("kernel", ctx.linux_kernel);
    w.value("warmup", ctx.linux_warmup).value("runs", ctx.linux_runs);
    if (ctx.linux_boot_once) // the key only with the option: default results keep their keys
        w.value("boot_once", true);
    json_linux_table3(w, R);
    json_figure2(w, R, R.linux_perf, true);
    json_table4(w, R.linux_perf);
    json_conclusions(w, R.linux_verdicts);
    w.end_object();
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
    write_text(ctx.out / "table1_size.csv", table1_csv(R.t1));
    write_text(ctx.out / "table2_pagetables.csv", table2_csv(R.t2));
    write_text(ctx.out / "table3_boot.csv", table3_csv(R));
    write_text(ctx.out / "figure2_normalised.csv", figure2_csv(R, R.perf));
    write_text(ctx.out / "table4_qsort.csv", table4_csv(R.perf));
    write_text(ctx.out / "table5_latency.csv", table5_csv(R.t5));
    write_text(ctx.out / "table3_linux_boot.csv", linux_table3_csv(R));
    write_text(ctx.out / "figure2_linux.csv", figure2_csv(R, R.linux_perf));
    write_text(ctx.out / "table4_linux.csv", table4_csv(R.linux_perf));

    JsonWriter w;
    w.begin_object();
    json_meta(w, ctx, runs, R);
    json_failures(w, ctx, runs, res);
    json_table1(w, R.t1);
    json_table2(w, R.t2);
    json_table3(w, R);
    json_figure2(w, R, R.perf, false);
    json_table4(w, R.perf);
    json_table5(w, R.t5);
    json_conclusions(w, R.verdicts);
    json_linux(w, ctx, R);
    w.end_object();
    write_text(ctx.out / "results.json", w.str() + "\n");
}

} // namespace repro::detail

// `bao-sim calibrate`: the calibration set's figures (simulated against
// published) from the assembled results, the errors and their mean, the
// validation figures, and the outputs (table, CSV, JSON).
#include "experiments/calibrate_internal.h"

#include "experiments/published.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

namespace repro::detail {

namespace {

// Slowdowns published below 1 % (the solo ones, 0.07-0.56 %) have no useful
// relative error: they are compared in percentage points and left out of the
// mean (docs/timing-model.md, "Calibration").
constexpr double kRelativeFloorPct = 1.0;

void add(std::vector<Figure>& out, Figure f) {
    f.relative = f.unit != "%" || f.published >= kRelativeFloorPct;
    out.push_back(std::move(f));
}

void latency_figures(const Results& R, CalibrationResult& c) {
    for (const auto& pub : published::kLatency) {
        const LatRow* row = nullptr;
        for (const auto& r : R.t5)
            if (r.scenario == pub.scenario)
                row = &r;
        const std::string sc(pub.scenario);
        add(c.figures, {"bare", "latency", "irq latency mean " + sc, "", sc, "ns", pub.mean,
                        row ? row->mean : std::nullopt, 0.20});
        add(c.validation, {"bare", "latency", "irq latency std " + sc, "", sc, "ns", pub.std,
                           row ? row->std : std::nullopt, 0});
        add(c.validation, {"bare", "latency", "irq latency min " + sc, "", sc, "ns", pub.min,
                           row ? row->min : std::nullopt, 0});
        add(c.validation, {"bare", "latency", "irq latency max " + sc, "", sc, "ns", pub.max,
                           row ? row->max : std::nullopt, 0});
    }
}

std::optional<double> cell(const PerfSet& p, const std::string& wl, const std::string& sc,
                           std::optional<double> PerfCell::*field) {
    auto w = p.cells.find(wl);
    if (w == p.cells.end())
        return std::nullopt;
    auto s = w->second.find(sc);
    return s == w->second.end() ? std::nullopt : s->second.*field;
}

const PerfCell* find_cell(const PerfSet& p, const std::string& wl, const std::string& sc) {
    auto w = p.cells.find(wl);
    if (w == p.cells.end())
        return nullptr;
    auto s = w->second.find(sc);
    return s == w->second.end() ? nullptr : &s->second;
}

// Every Linux cell's processes: how many and how far apart.
void process_spread(const PerfSet& p, CalibrationResult& c) {
    for (const auto& wl : p.workloads)
        for (const auto& sc : kPerfScenarios) {
            const PerfCell* cell = find_cell(p, wl, sc);
            if (!cell || !cell->cycles || !cell->runs || *cell->cycles <= 0)
                continue;
            ProcessSpread ps{wl, sc, static_cast<unsigned>(*cell->runs), *cell->cycles, {}};
            if (auto se = rel_std_error(*cell))
                ps.cv = *se * std::sqrt(static_cast<double>(ps.processes));
            c.spread.push_back(ps);
        }
}

void perf_figures(const PerfSet& p, const std::string& variant, bool small_only,
                  CalibrationResult& c) {
    for (const auto& pub : published::kSlowdown) {
        const std::string wl(pub.workload);
        if (small_only && wl.find("-small") == std::string::npos)
            continue;
        for (size_t i = 0; i < published::kHvScenarios.size(); ++i) {
            const std::string sc(published::kHvScenarios[i]);
            Figure f{variant, "slowdown", wl + " slowdown " + sc, wl,  sc,
                     "%",     pub.pct[i], slowdown(p, wl, sc),    0.30};
            const PerfCell* s = find_cell(p, wl, sc);
            const PerfCell* n = find_cell(p, wl, "native");
            if (variant == "linux" && s && n)
                f.std_error = slowdown_std_error(*s, *n);
            add(c.figures, std::move(f));
        }
    }
    for (const auto& pub : published::kNativeMs) {
        const std::string wl(pub.workload);
        if (small_only && wl.find("-small") == std::string::npos)
            continue;
        std::optional<double> ns = cell(p, wl, "native", &PerfCell::ns);
        add(c.figures, {variant, "native", wl + " native time", wl, "native", "ms", pub.ms,
                        ns ? std::optional<double>(*ns / 1e6) : std::nullopt, 0});
    }
    for (const auto& pub : published::kL2Mpki) {
        const std::string wl(pub.workload), sc(pub.scenario);
        add(c.figures, {variant, "table4", wl + " L2 MPKI " + sc, wl, sc, "MPKI", pub.mpki,
                        cell(p, wl, sc, &PerfCell::l2_mpki), 0});
    }
}

// "Small inputs suffer more than large" (the paper's conclusion): in every hv
// scenario but solo (published below 1 %, 0.07 % for both qsort sizes: no
// ordering to speak of), the small input's slowdown is on the published side
// of the large's. Only when both sizes ran.
void size_ordering(const PerfSet& p, const std::string& variant, const std::string& bench,
                   CalibrationResult& out) {
    const std::string small = bench + "-small", large = bench + "-large";
    const auto* ps = published::slowdown(small);
    const auto* pl = published::slowdown(large);
    auto ran = [&](const std::string& wl) {
        return std::find(p.workloads.begin(), p.workloads.end(), wl) != p.workloads.end();
    };
    if (!ps || !pl || !ran(small) || !ran(large))
        return;
    std::optional<bool> holds = true;
    std::string which;
    for (size_t i = 0; i < published::kHvScenarios.size(); ++i) {
        if (ps->pct[i] < kRelativeFloorPct && pl->pct[i] < kRelativeFloorPct)
            continue;
        const std::string sc(published::kHvScenarios[i]);
        which += (which.empty() ? "" : ", ") + sc;
        auto s = slowdown(p, small, sc), l = slowdown(p, large, sc);
        if (!s || !l)
            holds = std::nullopt;
        else if (holds && (*s > *l) != (ps->pct[i] > pl->pct[i]))
            holds = false;
    }
    out.orderings.push_back({variant, bench + ": small > large in " + which, holds});
}

// The published orderings (issue 21's targets), as validation.
void orderings(const Results& R, const CalibrationResult& c, CalibrationResult& out) {
    auto lat = [&](const std::string& sc) -> std::optional<double> {
        for (const auto& r : R.t5)
            if (r.scenario == sc)
                return r.mean;
        return std::nullopt;
    };
    auto chain = [](std::vector<std::optional<double>> v) -> std::optional<bool> {
        for (size_t i = 0; i < v.size(); ++i)
            if (!v[i])
                return std::nullopt;
        for (size_t i = 1; i < v.size(); ++i)
            if (!(*v[i - 1] < *v[i]))
                return false;
        return true;
    };
    if (c.bare_run) {
        // native < solo ~ solo-col < interf-col-hypcol < interf-col < interf
        auto solo = lat("solo"), solo_col = lat("solo-col");
        std::optional<double> solo_hi;
        if (solo && solo_col)
            solo_hi = std::max(*solo, *solo_col);
        out.orderings.push_back(
            {"bare", "latency: native < solo ~ solo-col < interf-col-hypcol < interf-col < interf",
             chain({lat("native"), solo_hi, lat("interf-col-hypcol"), lat("interf-col"),
                    lat("interf")})});
    }
    for (const auto& [variant, perf] : {std::pair{"bare", &R.perf}, {"linux", &R.linux_perf}}) {
        for (const auto& wl : perf->workloads) {
            if (!published::slowdown(wl))
                continue;
            out.orderings.push_back(
                {variant, wl + ": solo < solo-col < interf-col < interf",
                 chain({slowdown(*perf, wl, "solo"), slowdown(*perf, wl, "solo-col"),
                        slowdown(*perf, wl, "interf-col"), slowdown(*perf, wl, "interf")})});
        }
        for (const char* bench : {"qsort", "susan-corners"})
            size_ordering(*perf, variant, bench, out);
    }
}

double mean_of(const std::vector<double>& v) {
    double sum = 0;
    for (double x : v)
        sum += x;
    return v.empty() ? std::nan("") : sum / static_cast<double>(v.size());
}

std::string pct(double v, int prec = 1) {
    std::ostringstream s;
    s << std::showpos << std::fixed << std::setprecision(prec) << v * 100.0 << "%";
    return s.str();
}

std::string fixed_pct(double v, int prec) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(prec) << v * 100.0 << "%";
    return s.str();
}

std::string num(double v) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(std::fabs(v) >= 1000 ? 0 : 2) << v;
    return s.str();
}

// The Linux processes' spread: per cell, and each slowdown's standard error,
// so that a setting's effect can be weighed against the noise.
void format_spread(std::ostream& o, const CalibrationResult& c) {
    if (c.spread.empty())
        return;
    o << "\nSpread of the Linux processes (noise, not error; cv = sample std / mean of a "
         "process's cycles):\n";
    std::vector<double> cvs;
    for (const auto& s : c.spread) {
        o << "  " << std::left << std::setw(22) << s.workload << std::setw(12) << s.scenario
          << std::right << std::setw(3) << s.processes << " processes" << std::setw(14)
          << std::fixed << std::setprecision(0) << s.cycles_mean << " cycles  cv "
          << (s.cv ? fixed_pct(*s.cv, 2) : std::string("-")) << "\n";
        if (s.cv)
            cvs.push_back(*s.cv);
    }
    std::vector<double> ses;
    for (const auto& f : c.figures)
        if (f.std_error) {
            o << "  " << std::left << std::setw(50) << (f.name + " standard error") << std::right
              << " +-" << std::fixed << std::setprecision(2) << *f.std_error << " points\n";
            if (f.relative)
                ses.push_back(*f.std_error);
        }
    if (!cvs.empty())
        o << "  mean cv " << fixed_pct(mean_of(cvs), 2) << ", largest "
          << fixed_pct(*std::max_element(cvs.begin(), cvs.end()), 2);
    if (!ses.empty())
        o << "; slowdowns in the mean: standard error " << std::fixed << std::setprecision(2)
          << mean_of(ses) << " points on average, largest "
          << *std::max_element(ses.begin(), ses.end());
    if (!cvs.empty() || !ses.empty())
        o << "\n";
}

} // namespace

std::optional<double> rel_std_error(const PerfCell& c) {
    if (!c.runs || !c.cycles_std || !c.cycles || *c.runs < 2 || *c.cycles <= 0)
        return std::nullopt;
    return *c.cycles_std / std::sqrt(*c.runs - 1.0) / *c.cycles;
}

std::optional<double> slowdown_std_error(const PerfCell& s, const PerfCell& n) {
    auto es = rel_std_error(s), en = rel_std_error(n);
    if (!es || !en || !n.cycles || *n.cycles <= 0)
        return std::nullopt;
    return *s.cycles / *n.cycles * std::hypot(*es, *en) * 100.0;
}

std::optional<double> Figure::error() const {
    if (!simulated)
        return std::nullopt;
    return *simulated - published;
}

std::optional<double> Figure::rel_error() const {
    if (!simulated || published == 0)
        return std::nullopt;
    return (*simulated - published) / published;
}

std::optional<bool> Figure::within_target() const {
    if (target <= 0 || !rel_error() || !relative)
        return std::nullopt;
    return std::fabs(*rel_error()) <= target;
}

CalibrationResult figures_of(const Results& R, bool bare, bool linux, bool small_only) {
    CalibrationResult c;
    c.bare_run = bare;
    c.linux_run = linux;
    if (bare) {
        latency_figures(R, c);
        perf_figures(R.perf, "bare", small_only, c);
    }
    if (linux) {
        perf_figures(R.linux_perf, "linux", small_only, c);
        process_spread(R.linux_perf, c);
    }
    orderings(R, c, c);
    std::map<std::string, std::vector<double>> errs;
    for (const auto& f : c.figures) {
        if (!f.simulated) {
            ++c.missing;
            continue;
        }
        if (f.relative && f.rel_error()) {
            errs[f.variant].push_back(std::fabs(*f.rel_error()));
            errs["all"].push_back(std::fabs(*f.rel_error()));
        }
    }
    for (const auto& [variant, v] : errs)
        c.mare[variant] = {mean_of(v), static_cast<unsigned>(v.size())};
    return c;
}

std::string format_table(const CalibrationResult& c) {
    std::ostringstream o;
    auto rows = [&](const std::vector<Figure>& list) {
        o << std::left << std::setw(6) << "set" << std::setw(44) << "figure" << std::right
          << std::setw(10) << "published" << std::setw(11) << "simulated" << std::setw(10)
          << "error" << std::setw(10) << "rel.err"
          << "  target\n";
        for (const auto& f : list) {
            o << std::left << std::setw(6) << f.variant << std::setw(44)
              << (f.name + " (" + f.unit + ")") << std::right << std::setw(10) << num(f.published)
              << std::setw(11) << (f.simulated ? num(*f.simulated) : "-");
            std::ostringstream e;
            if (f.error())
                e << std::showpos << std::fixed << std::setprecision(2) << *f.error();
            // "(abs)": out of the mean by design; "-": no simulated value.
            const std::string rel = !f.relative     ? "(abs)"
                                    : f.rel_error() ? pct(*f.rel_error())
                                                    : "-";
            o << std::setw(10) << (f.error() ? e.str() : "-") << std::setw(10) << rel;
            if (auto w = f.within_target())
                o << "  " << (*w ? "within " : "outside ") << "+-" << std::noshowpos << std::fixed
                  << std::setprecision(0) << f.target * 100 << "%";
            o << "\n";
        }
    };
    o << "Calibration set (simulated against published):\n";
    rows(c.figures);
    o << "\nMean absolute relative error (figures in the mean):";
    for (const auto& [variant, m] : c.mare)
        o << "  " << variant << " " << std::noshowpos << std::fixed << std::setprecision(1)
          << m.first * 100.0 << "% (" << m.second << ")";
    if (c.missing)
        o << "  [" << c.missing << " figure(s) without a simulated value]";
    o << "\n\nValidation (reported, never fitted):\n";
    rows(c.validation);
    for (const auto& ord : c.orderings)
        o << "  " << ord.variant << " ordering " << ord.what << ": "
          << (!ord.holds   ? "not measured"
              : *ord.holds ? "holds"
                           : "does not hold")
          << "\n";
    format_spread(o, c);
    return o.str();
}

std::string figures_csv(const CalibrationResult& c) {
    std::ostringstream o;
    o << "role,set,group,figure,workload,scenario,unit,published,simulated,error,rel_error,"
         "in_mean,target,within_target,std_error\n";
    auto rows = [&](const std::vector<Figure>& list, const char* role) {
        for (const auto& f : list) {
            o << role << "," << f.variant << "," << f.group << "," << f.name << "," << f.workload
              << "," << f.scenario << "," << f.unit << "," << f.published << ","
              << csv_opt(f.simulated) << "," << csv_opt(f.error()) << ","
              << csv_opt(f.relative ? f.rel_error() : std::nullopt) << ","
              << (std::string(role) == "calibration" && f.relative && f.simulated ? 1 : 0) << ","
              << f.target << ",";
            if (auto w = f.within_target())
                o << (*w ? 1 : 0);
            o << "," << csv_opt(f.std_error) << "\n";
        }
    };
    rows(c.figures, "calibration");
    rows(c.validation, "validation");
    return o.str();
}

void json_figures(JsonWriter& w, const std::string& key, const std::vector<Figure>& list) {
    w.begin_array(key);
    for (const auto& f : list) {
        w.begin_object();
        w.value("set", f.variant);
        w.value("group", f.group);
        w.value("figure", f.name);
        w.value("workload", f.workload);
        w.value("scenario", f.scenario);
        w.value("unit", f.unit);
        w.value("published", f.published);
        opt_value(w, "simulated", f.simulated);
        opt_value(w, "error", f.error());
        opt_value(w, "rel_error", f.relative ? f.rel_error() : std::nullopt);
        w.value("relative", f.relative);
        if (f.target > 0)
            w.value("target", f.target);
        if (auto within = f.within_target())
            w.value("within_target", *within);
        opt_value(w, "std_error", f.std_error);
        w.end_object();
    }
    w.end_array();
}

void json_calibration(JsonWriter& w, const CalibrationResult& c) {
    w.begin_object("mean_abs_rel_error");
    for (const auto& [variant, m] : c.mare) {
        w.begin_object(variant);
        w.value("value", m.first);
        w.value("figures", m.second);
        w.end_object();
    }
    w.end_object();
    w.value("missing", c.missing);
    json_figures(w, "figures", c.figures);
    json_figures(w, "validation", c.validation);
    w.begin_array("process_spread");
    for (const auto& s : c.spread) {
        w.begin_object();
        w.value("workload", s.workload);
        w.value("scenario", s.scenario);
        w.value("processes", s.processes);
        w.value("cycles_mean", s.cycles_mean);
        opt_value(w, "cv", s.cv);
        w.end_object();
    }
    w.end_array();
    w.begin_array("orderings");
    for (const auto& o : c.orderings) {
        w.begin_object();
        w.value("set", o.variant);
        w.value("ordering", o.what);
        if (o.holds)
            w.value("holds", *o.holds);
        w.end_object();
    }
    w.end_array();
}

} // namespace repro::detail

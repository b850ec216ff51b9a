// `bao-sim reproduce`: the paper's conclusions, each judged from the runs'
// results against the published figures (experiments/published.h). One row
// of kFindings per conclusion: its claim, what it needs, and its rule.
#include "experiments/published.h"
#include "experiments/reproduce_internal.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace repro::detail {

namespace {

// What a rule reads: one variant's Figure 2 / Table 4 data, and Table 5.
struct Inputs {
    const Context& ctx;
    const PerfSet& perf;
    const std::vector<LatRow>& t5;
    std::vector<std::string> heavy, light, all; // workloads by memory use
};

struct Finding;
using Rule = Verdict (*)(const Finding&, const Inputs&);

enum class Needs { perf, latency }; // Figure 2 / Table 4, or Table 5 (bare metal only)

struct Finding {
    std::string_view id;
    std::string_view claim;
    Needs needs;
    Rule rule;
};

Verdict make(const Finding& f, std::string verdict, std::string evidence) {
    return {std::string(f.id), std::string(f.claim), std::move(verdict), std::move(evidence)};
}

std::string pct(std::optional<double> v) {
    return v ? fixed(*v, 2) + " %" : "n/a";
}

std::optional<double> mean_slowdown(const Inputs& in, const std::vector<std::string>& wls,
                                    const std::string& sc) {
    double sum = 0;
    int n = 0;
    for (const auto& w : wls)
        if (auto v = slowdown(in.perf, w, sc)) {
            sum += *v;
            ++n;
        }
    return n ? std::optional<double>(sum / n) : std::nullopt;
}

double paper_max_solo() {
    double m = 0;
    for (const auto& s : published::kSlowdown)
        m = std::max(m, s.pct[0]);
    return m;
}

Verdict hosting(const Finding& f, const Inputs& in) {
    double worst = 0;
    std::string worst_w;
    bool any = false;
    for (const auto& w : in.all)
        if (auto v = slowdown(in.perf, w, "solo")) {
            any = true;
            if (std::fabs(*v) >= std::fabs(worst)) {
                worst = *v;
                worst_w = w;
            }
        }
    return make(f, !any ? "n/a" : (std::fabs(worst) < 2.0 ? "yes" : "no"),
                any ? "largest solo slowdown " + fixed(worst, 2) + " % (" + worst_w +
                          "); paper at most " + fixed(paper_max_solo(), 2) + " %"
                    : "no data");
}

Verdict coloring(const Finding& f, const Inputs& in) {
    auto s = mean_slowdown(in, in.heavy, "solo"), c = mean_slowdown(in, in.heavy, "solo-col");
    int above = 0, n = 0;
    for (const auto& w : in.heavy) {
        auto a = slowdown(in.perf, w, "solo"), b = slowdown(in.perf, w, "solo-col");
        if (a && b) {
            ++n;
            above += *b > *a ? 1 : 0;
        }
    }
    std::string v = !s || !c                        ? "n/a"
                    : (*c > *s + 0.5 && above == n) ? "yes"
                    : (*c > *s)                     ? "partly"
                                                    : "no";
    return make(f, v,
                "memory-heavy mean slowdown solo " + pct(s) + ", solo-col " + pct(c) +
                    "; solo-col > solo in " + std::to_string(above) + "/" + std::to_string(n) +
                    " memory-heavy workloads");
}

// Memory-heavy workloads whose interf slowdown tops every other scenario's.
int interf_highest(const Inputs& in, int& n) {
    int highest = 0;
    n = 0;
    for (const auto& w : in.heavy) {
        auto vi = slowdown(in.perf, w, "interf");
        if (!vi)
            continue;
        ++n;
        bool top = true;
        for (const auto& sc : {"solo", "solo-col", "interf-col"})
            if (auto o = slowdown(in.perf, w, sc); o && *o >= *vi)
                top = false;
        highest += top ? 1 : 0;
    }
    return highest;
}

Verdict interference(const Finding& f, const Inputs& in) {
    auto c = mean_slowdown(in, in.heavy, "solo-col"), i = mean_slowdown(in, in.heavy, "interf"),
         ic = mean_slowdown(in, in.heavy, "interf-col");
    int n = 0;
    int highest = interf_highest(in, n);
    std::string v = !c || !i                                       ? "n/a"
                    : (*i > 2 * std::max(*c, 0.5) && highest == n) ? "yes"
                    : (*i > *c)                                    ? "partly"
                                                                   : "no";
    return make(f, v,
                "memory-heavy mean slowdown solo-col " + pct(c) + ", interf " + pct(i) +
                    ", interf-col " + pct(ic) + "; interf highest in " + std::to_string(highest) +
                    "/" + std::to_string(n) + " memory-heavy workloads");
}

Verdict l2_restored(const Finding& f, const Inputs& in) {
    const std::string wl = "qsort-small";
    std::map<std::string, PerfCell> none;
    auto cells = in.perf.cells.find(wl);
    const auto& q = cells == in.perf.cells.end() ? none : cells->second;
    auto get = [&](const char* sc) -> std::optional<double> {
        auto it = q.find(sc);
        return it == q.end() ? std::nullopt : it->second.l2_mpki;
    };
    auto m_sc = get("solo-col"), m_ic = get("interf-col"), m_i = get("interf");
    auto s_sc = slowdown(in.perf, wl, "solo-col"), s_ic = slowdown(in.perf, wl, "interf-col");
    if (!m_sc || !m_ic || !s_sc || !s_ic)
        return make(f, "n/a", "no data");
    bool restored = *m_sc > 0 ? std::fabs(*m_ic - *m_sc) <= 0.10 * *m_sc : *m_ic < 0.01;
    bool residual = *s_ic > *s_sc + 1.0;
    const auto* paper = published::slowdown(wl);
    std::string ev = "qsort-small L2 MPKI solo-col " + fixed(*m_sc, 2) + ", interf " +
                     (m_i ? fixed(*m_i, 2) : "n/a") + ", interf-col " + fixed(*m_ic, 2) +
                     " (restored: within 10 % of solo-col: " + (restored ? "yes" : "no") +
                     "); slowdown solo-col " + fixed(*s_sc, 2) + " %, interf-col " +
                     fixed(*s_ic, 2) + " % (residual contention: " + (residual ? "yes" : "no") +
                     "); paper " + fixed(*published::l2_mpki(wl, "solo-col"), 2) + " -> " +
                     fixed(*published::l2_mpki(wl, "interf-col"), 2) + " MPKI, " +
                     fixed(paper->pct[1], 1) + " % -> " + fixed(paper->pct[3], 1) + " %";
    return make(f, restored && residual ? "yes" : (restored || residual) ? "partly" : "no", ev);
}

Verdict memory_light(const Finding& f, const Inputs& in) {
    double worst = 0;
    std::string worst_w;
    bool any = false;
    for (const auto& w : in.light)
        for (const auto& sc : kHvScenarios)
            if (auto v = slowdown(in.perf, w, sc)) {
                any = true;
                if (*v >= worst) {
                    worst = *v;
                    worst_w = w + " " + sc;
                }
            }
    auto hi = mean_slowdown(in, in.heavy, "interf");
    std::string v = !any ? "n/a" : worst < 5.0 ? "yes" : (hi && worst < *hi / 2) ? "partly" : "no";
    return make(f, v,
                any ? "largest slowdown " + fixed(worst, 2) + " % (" + worst_w +
                          "); memory-heavy interf mean " + pct(hi)
                    : "no data");
}

Verdict small_vs_large(const Finding& f, const Inputs& in) {
    int more = 0, n = 0;
    for (const auto& b : kBenches) {
        if (b == "basicmath" || b == "bitcount")
            continue;
        for (const auto& sc : {"interf", "interf-col"}) {
            auto s = slowdown(in.perf, b + "-small", sc), l = slowdown(in.perf, b + "-large", sc);
            if (!s || !l)
                continue;
            ++n;
            more += *s > *l ? 1 : 0;
        }
    }
    if (in.ctx.quick || n == 0)
        return make(f, "n/a", "needs large inputs (not run with --quick)");
    return make(f,
                more == n      ? "yes"
                : more * 2 > n ? "partly"
                               : "no",
                "small slowdown > large in " + std::to_string(more) + "/" + std::to_string(n) +
                    " (memory-heavy benchmark, interf / interf-col) pairs");
}

std::string paper_latency_means() {
    std::string s;
    for (const auto& l : published::kLatency)
        s += (s.empty() ? "" : " / ") + fixed(l.mean, 0);
    return s;
}

Verdict latency(const Finding& f, const Inputs& in) {
    std::map<std::string, double> m;
    for (const auto& r : in.t5)
        if (r.mean)
            m[r.scenario] = *r.mean;
    if (m.size() != kLatScenarios.size())
        return make(f, "n/a", "no data");
    bool base = m["native"] < m["solo"];
    bool order = m["solo"] < m["interf-col"] && m["interf-col"] < m["interf"];
    bool hypcol = m["interf-col-hypcol"] < m["interf-col"];
    bool much = m["interf"] > 2.0 * m["solo"];
    std::string ev =
        "mean ns native " + fixed(m["native"], 0) + ", solo " + fixed(m["solo"], 0) +
        ", solo-col " + fixed(m["solo-col"], 0) + ", interf " + fixed(m["interf"], 0) +
        ", interf-col " + fixed(m["interf-col"], 0) + ", interf-col-hypcol " +
        fixed(m["interf-col-hypcol"], 0) + "; native < solo: " + (base ? "yes" : "no") +
        ", solo < interf-col < interf: " + (order ? "yes" : "no") +
        ", coloring hv lowers it further: " + (hypcol ? "yes" : "no") +
        ", interf > 2x solo: " + (much ? "yes" : "no") + " (paper " + paper_latency_means() + ")";
    return make(f, base && order && hypcol && much ? "yes" : (base && order) ? "partly" : "no", ev);
}

// The paper's conclusions, in the report's order.
constexpr std::array<Finding, 7> kFindings = {{
    {"hosting", "Hosting alone costs almost nothing (solo within 2 % of native)", Needs::perf,
     hosting},
    {"coloring", "Coloring costs some (solo-col above solo)", Needs::perf, coloring},
    {"interference", "Interference costs much more (interf the highest, well above solo-col)",
     Needs::perf, interference},
    {"l2-restored",
     "Coloring brings the L2 miss rate back to the solo-col level, but not all of the slowdown",
     Needs::perf, l2_restored},
    {"memory-light",
     "Memory-light benchmarks (basicmath, bitcount) barely notice (< 5 % in every scenario)",
     Needs::perf, memory_light},
    {"small-vs-large", "Small inputs suffer more than large ones", Needs::perf, small_vs_large},
    {"latency",
     "Interrupt latency under interference is dominated by the hypervisor's own memory "
     "accesses (coloring hv fixes it)",
     Needs::latency, latency},
}};

Inputs inputs(const Context& ctx, const PerfSet& perf, const std::vector<LatRow>& t5) {
    Inputs in{ctx, perf, t5, {}, {}, {}};
    for (const auto& w : perf.workloads) {
        in.all.push_back(w);
        bool light = w.rfind("basicmath", 0) == 0 || w.rfind("bitcount", 0) == 0;
        (light ? in.light : in.heavy).push_back(w);
    }
    return in;
}

} // namespace

void judge(const Context& ctx, Results& R) {
    Inputs bare = inputs(ctx, R.perf, R.t5);
    for (const auto& f : kFindings)
        R.verdicts.push_back(f.rule(f, bare));
    if (R.linux_perf.workloads.empty())
        return;
    Inputs linux_vm = inputs(ctx, R.linux_perf, R.t5);
    for (const auto& f : kFindings)
        if (f.needs == Needs::perf) {
            Verdict v = f.rule(f, linux_vm);
            v.id = "linux-" + v.id;
            R.linux_verdicts.push_back(std::move(v));
        }
}

} // namespace repro::detail

// `bao-sim calibrate --quick` end to end: the calibration set runs, the table,
// calibration.csv and calibration.json are written and well-formed, and every
// figure's error is computed. It does not assert closeness to the paper (the
// model is approximate; docs/results.md reports how far). Bad --set / --fit
// arguments are refused with exit code 2 before anything runs.
#include "experiments/calibrate_internal.h"
#include "experiments/reproduce.h"

#include "run_binary.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using repro::JsonValue;

using sim::test::run_bao_sim;
using sim::test::slurp;

fs::path scratch(const std::string& what) {
    return sim::test::scratch("bao-calibrate", what);
}

TEST(Calibrate, QuickRunWritesTheTableAndEveryError) {
    const fs::path out = scratch("quick");
    std::string log;
    ASSERT_EQ(run_bao_sim("calibrate --quick --jobs 2 --out '" + out.string() + "'", out, log), 0)
        << log;
    EXPECT_NE(log.find("Mean absolute relative error"), std::string::npos) << log;
    EXPECT_NE(log.find("irq latency mean interf-col-hypcol"), std::string::npos) << log;
    for (const char* f : {"calibration.csv", "calibration.json", "calibration.txt"})
        ASSERT_TRUE(fs::exists(out / f)) << f;

    const JsonValue doc = repro::parse_json(slurp(out / "calibration.json"));
    const JsonValue* figures = doc.get("figures");
    ASSERT_TRUE(figures && figures->kind == JsonValue::Kind::array);
    // Quick: 6 latencies, 2 small workloads x 4 hv scenarios, qsort-small's
    // native time and its two Table 4 counters.
    EXPECT_EQ(figures->a.size(), 6u + 8u + 1u + 2u);
    unsigned relative = 0;
    for (const JsonValue& f : figures->a) {
        const std::string name = f.get("figure") ? f.get("figure")->s : "?";
        ASSERT_TRUE(f.num("published")) << name;
        ASSERT_TRUE(f.num("simulated")) << name << " has no simulated value";
        ASSERT_TRUE(f.num("error")) << name;
        // The JSON holds 6 significant digits.
        const double sim = *f.num("simulated"), pub = *f.num("published");
        EXPECT_NEAR(*f.num("error"), sim - pub, 1e-5 * (std::fabs(sim) + std::fabs(pub) + 1))
            << name;
        if (f.num("relative").value_or(0) != 0) {
            ++relative;
            ASSERT_TRUE(f.num("rel_error")) << name;
            const double rel = *f.num("error") / *f.num("published");
            EXPECT_NEAR(*f.num("rel_error"), rel, 1e-5 * std::max(1.0, std::fabs(rel))) << name;
        }
    }
    EXPECT_GE(relative, 6u + 6u + 1u + 2u) << "only the solo slowdowns are absolute";
    const auto mare = doc.num("mean_abs_rel_error.all.value");
    ASSERT_TRUE(mare.has_value());
    EXPECT_TRUE(std::isfinite(*mare) && *mare >= 0);
    EXPECT_EQ(doc.num("mean_abs_rel_error.all.figures").value_or(0), relative);
    EXPECT_EQ(doc.num("failed_runs").value_or(-1), 0);
    const JsonValue* validation = doc.get("validation");
    ASSERT_TRUE(validation && !validation->a.empty());

    // The CSV: a header and one row per calibration and validation figure.
    std::istringstream csv(slurp(out / "calibration.csv"));
    std::string line;
    std::getline(csv, line);
    EXPECT_EQ(line.rfind("role,set,group,figure,", 0), 0u) << line;
    size_t rows = 0;
    while (std::getline(csv, line))
        ++rows;
    EXPECT_EQ(rows, figures->a.size() + validation->a.size());
    fs::remove_all(out);
    fs::remove(out.string() + ".log");
}

// A Linux perf set with every calibration workload in every scenario:
// slowdown `pct[wl][i]` over kHvScenarios, native 1e6 cycles, 7 L2 MPKI.
repro::detail::PerfSet linux_set(const std::map<std::string, std::array<double, 4>>& pct) {
    repro::detail::PerfSet p;
    for (const auto& [wl, row] : pct) {
        p.workloads.push_back(wl);
        auto& cells = p.cells[wl];
        cells["native"].cycles = 1e6;
        cells["native"].ns = 1e6 / 1.2;
        const char* sc[] = {"solo", "solo-col", "interf", "interf-col"};
        for (size_t i = 0; i < 4; ++i) {
            cells[sc[i]].cycles = 1e6 * (1 + row[i] / 100.0);
            cells[sc[i]].l2_mpki = 7.0;
        }
    }
    return p;
}

std::string ordering_line(const std::string& table, const std::string& what) {
    const size_t at = table.find(what);
    return at == std::string::npos ? "" : table.substr(at, table.find('\n', at) - at);
}

// What the table says of a figure whose run failed, and the published
// "small inputs suffer more than large" per benchmark (no simulation: the
// figures are computed from a hand-made result set).
TEST(Calibrate, TableMarksMissingFiguresAndChecksSmallAgainstLarge) {
    repro::detail::Results R;
    R.linux_perf = linux_set({{"qsort-small", {0.5, 12, 60, 40}},
                              {"qsort-large", {0.3, 3, 30, 20}},
                              {"susan-corners-small", {0.1, 20, 80, 50}},
                              {"susan-corners-large", {0.1, 5, 90, 20}}});
    // qsort-small's interf-col run failed.
    R.linux_perf.cells["qsort-small"].erase("interf-col");
    const auto c = repro::detail::figures_of(R, false, true, false);
    // Its slowdown and its Table 4 counter.
    EXPECT_EQ(c.missing, 2u);
    const std::string table = repro::detail::format_table(c);
    // A relative figure without a value is "-", not "(abs)" (which says it
    // is out of the mean by design, as the solo slowdowns are).
    const std::string missing = ordering_line(table, "qsort-small slowdown interf-col");
    ASSERT_FALSE(missing.empty()) << table;
    EXPECT_EQ(missing.find("(abs)"), std::string::npos) << missing;
    EXPECT_NE(ordering_line(table, "qsort-small slowdown solo (%)").find("(abs)"),
              std::string::npos)
        << table;
    // 20 figures, 4 of them solo (absolute), 2 missing: 14 in the mean.
    EXPECT_EQ(c.mare.at("linux").second, 14u);

    // qsort: small above large where both ran, but interf-col is missing.
    EXPECT_NE(ordering_line(table, "qsort: small > large in solo-col, interf, interf-col")
                  .find("not measured"),
              std::string::npos)
        << table;
    // susan-corners: small 80 % under interf, large 90 %: the wrong side.
    EXPECT_NE(ordering_line(table, "susan-corners: small > large in solo-col, interf, interf-col")
                  .find("does not hold"),
              std::string::npos)
        << table;

    R.linux_perf.cells["susan-corners-large"]["interf"].cycles = 1e6 * 1.7;
    R.linux_perf.cells["qsort-small"]["interf-col"].cycles = 1e6 * 1.4;
    const std::string fixed =
        repro::detail::format_table(repro::detail::figures_of(R, false, true, false));
    EXPECT_NE(ordering_line(fixed, "qsort: small > large").find("holds"), std::string::npos)
        << fixed;
    EXPECT_NE(ordering_line(fixed, "susan-corners: small > large").find("holds"), std::string::npos)
        << fixed;
    EXPECT_EQ(ordering_line(fixed, "susan-corners: small > large").find("does not"),
              std::string::npos)
        << fixed;
}

// The bare-metal qsort-large figure (Figure 2, Table 4, calibrate) is
// MiBench's qsort_large, the guest qsort-vertices-large; `--bare-qsort-large
// strings` (Context::bare_qsort_strings) gives the string records' guest
// qsort-large. Planning runs no simulation.
repro::detail::Context plan_context(const fs::path& out, bool strings) {
    repro::detail::Context ctx;
    ctx.out = out;
    ctx.lat_workload = "irqlat";
    ctx.linux_missing = "not planned here"; // bare metal only: no Linux configs written
    ctx.bare_qsort_strings = strings;
    return ctx;
}

// The guest (`--workload`) of each run of figure workload `wl`.
std::map<std::string, std::string> guests_of(const std::vector<repro::detail::Run>& runs,
                                             const std::string& wl) {
    std::map<std::string, std::string> guests;
    for (const auto& r : runs) {
        if (r.group != "perf" || r.workload != wl)
            continue;
        auto at = std::find(r.args.begin(), r.args.end(), "--workload");
        guests[r.id] = at != r.args.end() && at + 1 != r.args.end() ? *(at + 1) : "";
    }
    return guests;
}

TEST(Calibrate, BareQsortLargeFigureRunsMiBenchsVertices) {
    const fs::path out = scratch("plan");
    for (bool strings : {false, true}) {
        const auto ctx = plan_context(out, strings);
        const std::string want = strings ? "qsort-large" : "qsort-vertices-large";
        for (const auto& runs : {repro::detail::plan_calibration(ctx, true, false, false),
                                 repro::detail::plan_runs(ctx)}) {
            const auto large = guests_of(runs, "qsort-large");
            EXPECT_EQ(large.size(), 5u) << "one run per perf scenario";
            for (const auto& [id, guest] : large)
                EXPECT_EQ(guest, want) << id;
            // Every other figure runs the guest of its name.
            for (const char* wl : {"qsort-small", "susan-corners-large"})
                for (const auto& [id, guest] : guests_of(runs, wl))
                    EXPECT_EQ(guest, wl) << id;
        }
    }
    fs::remove_all(out);
}

// A qsort-large figure whose stats came from the other guest (e.g. runs made
// with one --bare-qsort-large and collected with the other) is a failed run
// naming both guests, not a figure.
TEST(Calibrate, BareQsortLargeStatsOfTheWrongGuestAreRefused) {
    const fs::path out = scratch("guest");
    fs::create_directories(out / "runs");
    const auto ctx = plan_context(out, false);
    const auto runs = repro::detail::plan_calibration(ctx, true, false, false);
    const auto run = std::find_if(runs.begin(), runs.end(), [](const repro::detail::Run& r) {
        return r.id == "perf-qsort-large-solo";
    });
    ASSERT_NE(run, runs.end());
    auto stats = [&](const std::string& guest) {
        std::ofstream(repro::detail::json_path(ctx, *run))
            << "{\"exit_code\": 0, \"workload\": {\"name\": \"" << guest
            << "\", \"checksum_ok\": true}}\n";
        return repro::detail::check_run(ctx, *run, 0);
    };
    const auto right = stats("qsort-vertices-large");
    EXPECT_TRUE(right.ok) << right.reason;
    const auto wrong = stats("qsort-large");
    EXPECT_FALSE(wrong.ok);
    EXPECT_NE(wrong.reason.find("stats of guest qsort-large, the run asked for "
                                "qsort-vertices-large"),
              std::string::npos)
        << wrong.reason;
    fs::remove_all(out);
}

TEST(Calibrate, RefusesBadSettingsBeforeRunning) {
    const fs::path out = scratch("bad");
    std::string log;
    EXPECT_EQ(
        run_bao_sim("calibrate --quick --out '" + out.string() + "' --set no.such.key=1", out, log),
        2)
        << log;
    EXPECT_NE(log.find("refused"), std::string::npos) << log;
    EXPECT_EQ(run_bao_sim("calibrate --quick --out '" + out.string() + "' --fit l2.ways", out, log),
              2)
        << log;
    EXPECT_NE(log.find("KEY=a,b,c"), std::string::npos) << log;
    EXPECT_EQ(run_bao_sim("calibrate --quick --out '" + out.string() + "' --bare-qsort-large words",
                          out, log),
              2)
        << log;
    EXPECT_NE(log.find("--bare-qsort-large 'words' is not vertices or strings"), std::string::npos)
        << log;
    EXPECT_FALSE(fs::exists(out / "calibration.json"));
    fs::remove_all(out);
    fs::remove(out.string() + ".log");
}

TEST(Calibrate, HelpSaysTheModelIsApproximate) {
    const fs::path out = scratch("help");
    std::string log;
    EXPECT_EQ(run_bao_sim("calibrate --help", out, log), 0);
    EXPECT_NE(log.find("approximate"), std::string::npos) << log;
    EXPECT_NE(log.find("--fit"), std::string::npos) << log;
    fs::remove(out.string() + ".log");
}

} // namespace

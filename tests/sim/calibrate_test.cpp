// `bao-sim calibrate --quick` end to end: the calibration set runs, the table,
// calibration.csv and calibration.json are written and well-formed, and every
// figure's error is computed. It does not assert closeness to the paper (the
// model is approximate; docs/results.md reports how far). Bad --set / --fit
// arguments are refused with exit code 2 before anything runs.
#include "experiments/calibrate_internal.h"
#include "experiments/reproduce.h"

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

std::string slurp(const fs::path& p) {
    std::ifstream f(p);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

fs::path scratch(const std::string& what) {
    fs::path out =
        fs::temp_directory_path() / ("bao-calibrate-" + what + "-" + std::to_string(::getpid()));
    fs::remove_all(out);
    return out;
}

// Runs bao-sim with `args`; returns its exit status, output in `log`.
int run(const std::string& args, const fs::path& out, std::string& log) {
    const std::string log_file = out.string() + ".log";
    const int rc = std::system(
        (std::string(BAO_SIM_BINARY) + " " + args + " > '" + log_file + "' 2>&1").c_str());
    log = slurp(log_file);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

TEST(Calibrate, QuickRunWritesTheTableAndEveryError) {
    const fs::path out = scratch("quick");
    std::string log;
    ASSERT_EQ(run("calibrate --quick --jobs 2 --out '" + out.string() + "'", out, log), 0) << log;
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

TEST(Calibrate, RefusesBadSettingsBeforeRunning) {
    const fs::path out = scratch("bad");
    std::string log;
    EXPECT_EQ(run("calibrate --quick --out '" + out.string() + "' --set no.such.key=1", out, log),
              2)
        << log;
    EXPECT_NE(log.find("refused"), std::string::npos) << log;
    EXPECT_EQ(run("calibrate --quick --out '" + out.string() + "' --fit l2.ways", out, log), 2)
        << log;
    EXPECT_NE(log.find("KEY=a,b,c"), std::string::npos) << log;
    EXPECT_FALSE(fs::exists(out / "calibration.json"));
    fs::remove_all(out);
    fs::remove(out.string() + ".log");
}

TEST(Calibrate, HelpSaysTheModelIsApproximate) {
    const fs::path out = scratch("help");
    std::string log;
    EXPECT_EQ(run("calibrate --help", out, log), 0);
    EXPECT_NE(log.find("approximate"), std::string::npos) << log;
    EXPECT_NE(log.find("--fit"), std::string::npos) << log;
    fs::remove(out.string() + ".log");
}

} // namespace

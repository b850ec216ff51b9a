// Internals of `bao-sim calibrate` (calibrate.cpp, calibrate_figures.cpp):
// the calibration set's figures and their errors. Built on reproduce's runs
// and results (reproduce_internal.h). Not an API: experiments/reproduce.h is.
#pragma once

#include "experiments/reproduce_internal.h"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace repro::detail {

// One published figure and the simulator's value for it.
struct Figure {
    std::string variant; // bare | linux
    std::string group;   // latency | slowdown | native | table4
    std::string name, workload, scenario, unit;
    double published = 0;
    std::optional<double> simulated;
    double target = 0;    // issue 21's tolerance on the relative error (0: none)
    bool relative = true; // false: compared in absolute units, out of the mean
    // A Linux slowdown's standard error, in the figure's unit (points), from
    // its two cells' process-to-process spread; nullopt with one process.
    std::optional<double> std_error = std::nullopt;

    std::optional<double> error() const;     // simulated - published
    std::optional<double> rel_error() const; // error / published
    std::optional<bool> within_target() const;
};

// How much a Linux cell's measured processes differ (calibrate's noise).
struct ProcessSpread {
    std::string workload, scenario;
    unsigned processes = 0;
    double cycles_mean = 0;
    std::optional<double> cv; // sample standard deviation / mean (nullopt: 1 process)
};

struct Ordering {
    std::string variant, what;
    std::optional<bool> holds; // nullopt: a figure is missing
};

struct CalibrationResult {
    bool bare_run = false, linux_run = false;
    std::vector<Figure> figures;    // the calibration set (--fit minimises their mean)
    std::vector<Figure> validation; // reported, never fitted
    std::vector<Ordering> orderings;
    std::vector<ProcessSpread> spread; // the Linux cells, when the Linux variant ran
    // Mean absolute relative error and the number of figures in it, per set
    // ("bare", "linux") and over both ("all").
    std::map<std::string, std::pair<double, unsigned>> mare;
    unsigned missing = 0; // calibration figures without a simulated value
};

// The standard error of a process's mean cycles, relative to that mean:
// sample std / sqrt(n) / mean from the population std the stats give
// (std * sqrt(n / (n - 1)) / sqrt(n) = std / sqrt(n - 1)). nullopt for n < 2.
std::optional<double> rel_std_error(const PerfCell& c);

// The standard error, in points, of slowdown (s / n - 1) * 100 of cells s
// against n (first-order propagation of both means' relative errors).
std::optional<double> slowdown_std_error(const PerfCell& s, const PerfCell& n);

CalibrationResult figures_of(const Results& R, bool bare, bool linux, bool small_only);

std::string format_table(const CalibrationResult& c);
std::string figures_csv(const CalibrationResult& c);
void json_calibration(JsonWriter& w, const CalibrationResult& c);

} // namespace repro::detail

// The published figures `bao-sim reproduce` compares with: Bao's evaluation
// on a ZCU104 (Cortex-A53 at 1.2 GHz), as ../shared/docs/bao-reference.md
// records them. Data only: the verdicts (reproduce_verdicts.cpp) and the
// report read them from here, so a figure is written once.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace repro::published {

// The scenarios of Figure 2's bars under hv, in the order of the slowdown
// rows below.
inline constexpr std::array<std::string_view, 4> kHvScenarios = {"solo", "solo-col", "interf",
                                                                 "interf-col"};

// Figure 2: slowdown against native, %, per hv scenario (kHvScenarios' order).
struct Slowdown {
    std::string_view workload;
    std::array<double, 4> pct;
};

inline constexpr std::array<Slowdown, 4> kSlowdown = {{
    {"qsort-small", {0.07, 15.7, 85.9, 58.4}},
    {"qsort-large", {0.07, 1.15, 10.3, 5.33}},
    {"susan-corners-small", {0.56, 24.1, 109.1, 78.3}},
    {"susan-corners-large", {0.15, 6.45, 37.6, 26.7}},
}};

// Table 5: interrupt latency, ns.
struct Latency {
    std::string_view scenario;
    double mean, std, min, max;
};

inline constexpr std::array<Latency, 6> kLatency = {{
    {"native", 222, 8, 190, 250},
    {"solo", 906, 13, 840, 930},
    {"solo-col", 905, 12, 850, 930},
    {"interf", 7322, 616, 6010, 9420},
    {"interf-col", 2179, 384, 1400, 3660},
    {"interf-col-hypcol", 1001, 194, 890, 2100},
}};

// Table 4: qsort-small's L2 refills per 1000 instructions.
struct L2Mpki {
    std::string_view workload, scenario;
    double mpki;
};

inline constexpr std::array<L2Mpki, 2> kL2Mpki = {{
    {"qsort-small", "solo-col", 7.84},
    {"qsort-small", "interf-col", 7.15},
}};

// Figure 2's native runtimes, ms (read off the figure: approximate).
struct NativeRuntime {
    std::string_view workload;
    double ms;
};

inline constexpr std::array<NativeRuntime, 2> kNativeMs = {{
    {"qsort-small", 21.4},
    {"qsort-large", 218},
}};

// Table 1: Bao's size (approximate).
inline constexpr std::string_view kSloc = "~5.6 K";
inline constexpr std::string_view kLoadedImage = "~43 KiB";

inline const Slowdown* slowdown(std::string_view workload) {
    for (const auto& s : kSlowdown)
        if (s.workload == workload)
            return &s;
    return nullptr;
}

inline const Latency* latency(std::string_view scenario) {
    for (const auto& l : kLatency)
        if (l.scenario == scenario)
            return &l;
    return nullptr;
}

inline std::optional<double> l2_mpki(std::string_view workload, std::string_view scenario) {
    for (const auto& m : kL2Mpki)
        if (m.workload == workload && m.scenario == scenario)
            return m.mpki;
    return std::nullopt;
}

} // namespace repro::published

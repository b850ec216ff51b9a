// Statistics of one run with the host-dependent parts cut (host time, MIPS,
// meta.*): what must not change with the number of host threads.
#pragma once

#include "sim/simulation.h"

#include "guest_files.h"
#include "stats_text.h"

#include <string>
#include <vector>

namespace sim::test {

// Drops the top-level "meta" object (brace matching: it nests).
inline std::string without_meta(std::string json) {
    const size_t key = json.find("\"meta\": {");
    if (key == std::string::npos)
        return json;
    size_t i = json.find('{', key), depth = 0;
    for (; i < json.size(); ++i) {
        depth += json[i] == '{';
        depth -= json[i] == '}';
        if (depth == 0)
            break;
    }
    json.erase(key, i + 1 - key);
    return json;
}

// `threads` 0: the serial scheduler; `max_insns` 0: the run's own limit.
inline std::string comparable_stats(const std::string& config, const std::string& workload,
                                    unsigned threads, RunOutcome* outcome = nullptr,
                                    const std::vector<std::string>& guest_params = {},
                                    uint64_t max_insns = 0) {
    RunOptions o;
    o.config = config;
    o.workload = workload;
    o.guest_params = guest_params;
    o.workloads_dir = workloads_dir();
    o.threads = threads;
    if (max_insns)
        o.max_insns = max_insns;
    Simulation s(o, nullptr);
    const RunOutcome r = s.run();
    if (outcome)
        *outcome = r;
    return without_host_figures(without_meta(s.stats_json()));
}

} // namespace sim::test

#include "sim/cache/stats.hpp"

namespace sim::cache {

namespace {

void add_counters(std::vector<StatEntry>& out, const std::string& prefix,
                  const CacheCounters& counters) {
    out.push_back({prefix + ".accesses", counters.accesses});
    out.push_back({prefix + ".misses", counters.misses});
}

} // namespace

std::vector<StatEntry> flatten(const MemoryStats& stats) {
    std::vector<StatEntry> out;
    add_counters(out, "l2", stats.l2);
    out.push_back({"l2.writebacks", stats.l2_writebacks});
    out.push_back({"l2.victim_fills", stats.l2_victim_fills});
    out.push_back({"l2.queue_cycles", stats.l2_queue_cycles});
    out.push_back({"mem.reads", stats.mem_reads});
    out.push_back({"mem.writebacks", stats.mem_writebacks});
    out.push_back({"mem.bytes", stats.mem_bytes});
    out.push_back({"mem.queue_cycles", stats.mem_queue_cycles});
    if (stats.bank_conflicts) {
        out.push_back({"mem.bank_conflict_cycles", stats.mem_bank_conflict_cycles});
    }
    for (std::size_t i = 0; i < stats.cores.size(); ++i) {
        const CoreMemoryStats& core = stats.cores[i];
        const std::string prefix = "cores[" + std::to_string(i) + "].";
        add_counters(out, prefix + "l1i", core.l1i);
        add_counters(out, prefix + "l1d", core.l1d);
        out.push_back({prefix + "l1d.prefetches", core.prefetches});
        out.push_back({prefix + "l1d.prefetch_hits", core.prefetch_hits});
        out.push_back({prefix + "l1d.streamed_lines", core.streamed_lines});
        add_counters(out, prefix + "l2", core.l2);
        // Beside the other l2 keys: the stats writer nests consecutive keys.
        out.push_back({prefix + "l2.queue_cycles", core.l2_queue_cycles});
        add_counters(out, prefix + "itlb", core.itlb);
        add_counters(out, prefix + "dtlb", core.dtlb);
        add_counters(out, prefix + "l2tlb", core.l2tlb);
        out.push_back({prefix + "walks", core.walks});
        out.push_back({prefix + "walk_reads", core.walk_reads});
        out.push_back({prefix + "walk_cache_hits", core.walk_cache_hits});
        out.push_back({prefix + "walk_cycles", core.walk_cycles});
        if (stats.ipa_cache) {
            out.push_back({prefix + "ipa_cache_hits", core.ipa_cache_hits});
        }
        out.push_back({prefix + "mem.reads", core.mem_reads});
        out.push_back({prefix + "mem.queue_cycles", core.mem_queue_cycles});
        out.push_back({prefix + "mshr_stall_cycles", core.mshr_stall_cycles});
        out.push_back({prefix + "stall_cycles_mem", core.stall_cycles_mem});
    }
    return out;
}

} // namespace sim::cache

// Counters of the memory hierarchy, per core and shared, and their flattening to
// documented key/value pairs for the stats writer. Keys (docs/timing-model.md):
//   l2.accesses l2.misses l2.writebacks l2.victim_fills l2.queue_cycles
//   mem.reads mem.writebacks mem.bytes mem.queue_cycles
//   mem.bank_conflict_cycles (unless mem.bank_conflict_cycles = 0)
//   cores[i].l1i.accesses cores[i].l1i.misses cores[i].l1d.accesses cores[i].l1d.misses
//   cores[i].l1d.prefetches cores[i].l1d.prefetch_hits cores[i].l1d.streamed_lines
//   cores[i].l2.accesses cores[i].l2.misses
//   cores[i].itlb.accesses cores[i].itlb.misses cores[i].dtlb.accesses cores[i].dtlb.misses
//   cores[i].l2tlb.accesses cores[i].l2tlb.misses
//   cores[i].walks cores[i].walk_reads cores[i].walk_cache_hits cores[i].walk_cycles
//   cores[i].ipa_cache_hits (only with tlb.ipa_cache on)
//   cores[i].mem.reads cores[i].mem.queue_cycles cores[i].l2.queue_cycles
//   cores[i].mshr_stall_cycles
//   cores[i].stall_cycles_mem
// All values are counts of events or of core cycles.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sim::cache {

struct CacheCounters {
    std::uint64_t accesses = 0;
    std::uint64_t misses = 0;

    CacheCounters& operator+=(const CacheCounters& o) {
        accesses += o.accesses;
        misses += o.misses;
        return *this;
    }
};

struct CoreMemoryStats {
    CacheCounters l1i;
    CacheCounters l1d;                // guest loads/stores, hv accounted accesses and walk reads
    std::uint64_t prefetches = 0;     // L1 D prefetcher linefills issued
    std::uint64_t prefetch_hits = 0;  // demand accesses that reached a prefetched line
    std::uint64_t streamed_lines = 0; // store misses written without an L1 D linefill
    CacheCounters l2;                 // this core's demand lookups in the shared L2
    CacheCounters itlb;
    CacheCounters dtlb;
    CacheCounters l2tlb;
    std::uint64_t walks = 0;
    std::uint64_t walk_reads = 0;      // descriptor reads issued by walks
    std::uint64_t walk_cache_hits = 0; // of which served by the walk cache
    std::uint64_t walk_cycles = 0;     // cycles spent in main-TLB misses (part of stall)
    std::uint64_t ipa_cache_hits = 0;  // nested walks' stage-2 translations the IPA cache answered
    std::uint64_t mem_reads = 0;       // refills from memory this core asked for
    std::uint64_t mem_queue_cycles = 0;
    std::uint64_t l2_queue_cycles = 0;   // waiting for the shared L2 port (l2.bandwidth)
    std::uint64_t mshr_stall_cycles = 0; // waiting for a free miss register
    std::uint64_t stall_cycles_mem = 0;  // every cycle the hierarchy returned, + contention

    // Several cores' counters as one (a measured region over a VM's cores).
    CoreMemoryStats& operator+=(const CoreMemoryStats& o) {
        l1i += o.l1i;
        l1d += o.l1d;
        prefetches += o.prefetches;
        prefetch_hits += o.prefetch_hits;
        streamed_lines += o.streamed_lines;
        l2 += o.l2;
        itlb += o.itlb;
        dtlb += o.dtlb;
        l2tlb += o.l2tlb;
        walks += o.walks;
        walk_reads += o.walk_reads;
        walk_cache_hits += o.walk_cache_hits;
        walk_cycles += o.walk_cycles;
        ipa_cache_hits += o.ipa_cache_hits;
        mem_reads += o.mem_reads;
        mem_queue_cycles += o.mem_queue_cycles;
        l2_queue_cycles += o.l2_queue_cycles;
        mshr_stall_cycles += o.mshr_stall_cycles;
        stall_cycles_mem += o.stall_cycles_mem;
        return *this;
    }
};

struct MemoryStats {
    std::vector<CoreMemoryStats> cores;
    CacheCounters l2;                  // demand lookups (L1 refills), all cores
    std::uint64_t l2_writebacks = 0;   // dirty L2 victims written to memory
    std::uint64_t l2_victim_fills = 0; // L1 victims written into the L2
    std::uint64_t mem_reads = 0;
    std::uint64_t mem_writebacks = 0;
    std::uint64_t mem_bytes = 0;
    std::uint64_t mem_queue_cycles = 0;
    std::uint64_t l2_queue_cycles = 0; // queueing at the shared L2 port, all cores
    bool ipa_cache = false;            // tlb.ipa_cache is on: its hits are reported
    // mem.bank_conflict_cycles is not 0: the cycles it added to reads are reported.
    bool bank_conflicts = false;
    std::uint64_t mem_bank_conflict_cycles = 0;
};

struct StatEntry {
    std::string key;
    std::uint64_t value;
};

// Every counter under its documented key, shared keys first, then core by core.
std::vector<StatEntry> flatten(const MemoryStats& stats);

} // namespace sim::cache

// Interval statistics (--stats-interval CYCLES, docs/observability.md): a
// time series of each core's and each VM's counters, one row per interval
// and scope, as CSV and as JSON lines. Intervals end on quantum boundaries
// (the machine's quantum observer): an interval closes at the first quantum
// end at least CYCLES after the previous one closed, so its length is CYCLES
// rounded up to whole quanta (longer where the machine skipped idle time).
// The last interval closes when the run ends. Every count is the difference
// of the run's counters at the interval's two ends, so the series sums to
// the whole-run totals.
#pragma once

#include "sim/machine.h"
#include "sim/trace.h"

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace sim {

class HvHostBase;

struct IntervalOptions {
    uint64_t cycles = 0;  // --stats-interval; 0: off
    std::string csv_path; // both set when on
    std::string jsonl_path;
    bool enabled() const { return cycles != 0; }
};

// The counters of one core (or the sum of a VM's cores) at an instant, or
// over an interval.
struct IntervalCounters {
    uint64_t instructions = 0;
    uint64_t cycles = 0; // active (not idle), stalls included
    uint64_t idle_cycles = 0;
    uint64_t stall_cycles = 0;
    uint64_t l1i_misses = 0;
    uint64_t l1d_accesses = 0, l1d_misses = 0;
    uint64_t l2_accesses = 0, l2_misses = 0;
    uint64_t dtlb_accesses = 0, dtlb_misses = 0;
    uint64_t mem_queue_cycles = 0; // waiting in the memory controller's queue
    uint64_t l2_queue_cycles = 0;  // waiting for the shared L2 port
    uint64_t interrupts = 0;       // the guest's interrupt line rose
    uint64_t hv_traps = 0;         // synchronous entries into hv
    uint64_t hv_irqs = 0;          // physical IRQs hv took
    // Where the stall cycles went (docs/observability.md, "cycle breakdown").
    uint64_t itlb_misses = 0;
    uint64_t walks = 0;             // main-TLB misses (page-table walks)
    uint64_t walk_reads = 0;        // descriptor reads of those walks
    uint64_t walk_cache_hits = 0;   // of which served by the walk cache
    uint64_t walk_cycles = 0;       // cycles in main-TLB misses
    uint64_t mem_reads = 0;         // refills from memory this core asked for
    uint64_t mshr_stall_cycles = 0; // waiting for a free miss register
    uint64_t stall_cycles_mem = 0;  // every stall the memory hierarchy returned
    uint64_t charged_cycles = 0;    // charged by hv and the interrupt controller
    uint64_t hv_memory_cycles = 0;  // of which hv's own memory accesses stalled

    IntervalCounters& operator+=(const IntervalCounters& o);
    IntervalCounters operator-(const IntervalCounters& o) const;
};

class IntervalStats {
  public:
    // Registers itself as a quantum observer of `machine` (which must
    // outlive it); `hv` is null in native mode. Throws InputError when an
    // output cannot be written.
    IntervalStats(Machine& machine, const HvHostBase* hv, std::vector<VmCores> vms,
                  const IntervalOptions& options);
    // Closes the last interval (call once the run ended).
    void finish();
    uint64_t intervals() const { return index_; }

  private:
    void on_quantum(uint64_t quantum_end);
    void close(uint64_t end);
    IntervalCounters read(unsigned core) const;

    Machine& machine_;
    const HvHostBase* hv_;
    std::vector<VmCores> vms_;
    uint64_t length_;
    std::ofstream csv_, jsonl_;
    std::vector<IntervalCounters> last_; // per core, at the last close
    uint64_t last_end_ = 0;
    uint64_t index_ = 0;
    bool finished_ = false;
};

} // namespace sim

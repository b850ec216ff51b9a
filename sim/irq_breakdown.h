// Where each interrupt's latency goes (--irq-breakdown, docs/observability.md).
//
// For every physical IRQ hv takes on the measured VM's first core, four
// snapshots of that core's clock and memory counters: when the IRQ reaches
// EL2 (after the signal), after hv's code fetches, at hv's return to the
// guest, and at the guest's next trap (irqlat's sample hypercall). The
// differences split the latency into hv's code, hv's data and GIC accesses,
// and the guest's vector and handler, each with its L1 and L2 misses and
// what its DRAM reads waited in the memory controller's queue. Reading the
// counters charges nothing, so a run with the option gives the same figures.
#pragma once

#include "sim/cache/stats.hpp"

#include <cstdint>
#include <vector>

namespace sim {

class JsonWriter;

struct IrqPathCounts {
    uint64_t cycle = 0;
    uint64_t l1i_misses = 0, l1d_misses = 0, l2_misses = 0;
    uint64_t mem_reads = 0, mem_queue_cycles = 0;
};

struct IrqBreakdown {
    IrqPathCounts at_irq, after_code, at_eret, at_guest_trap;
    uint64_t sample = 0;     // index of the sample the closing trap reported (if it did)
    uint64_t extra_irqs = 0; // IRQs taken before the guest's trap, after this one
    bool code_done = false, returned = false;
};

enum class IrqPhase { arrived, code_fetched, returned, guest_trapped };

class IrqBreakdownLog {
  public:
    // Records the IRQs of `core` from now on.
    void enable(unsigned core) {
        on_ = true;
        core_ = core;
    }
    bool on() const { return on_; }
    // A snapshot of `core` at `phase`; ignored for other cores, and for a
    // guest trap with no IRQ open (traps between interrupts).
    void note(unsigned core, IrqPhase phase, uint64_t cycle, const cache::CoreMemoryStats& s,
              uint64_t samples_so_far);
    const std::vector<IrqBreakdown>& records() const { return records_; }
    // Per-record arrays of the phases' differences (docs/observability.md).
    void write(JsonWriter& j) const;

  private:
    bool on_ = false;
    unsigned core_ = 0;
    bool open_ = false; // an IRQ whose guest trap has not come yet
    std::vector<IrqBreakdown> records_;
};

} // namespace sim

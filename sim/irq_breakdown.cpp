#include "sim/irq_breakdown.h"

#include "sim/json.h"

#include <utility>

namespace sim {

void IrqBreakdownLog::note(unsigned core, IrqPhase phase, uint64_t cycle,
                           const cache::CoreMemoryStats& s, uint64_t samples_so_far) {
    if (!on_ || core != core_)
        return;
    const IrqPathCounts c{cycle,       s.l1i.misses, s.l1d.misses,
                          s.l2.misses, s.mem_reads,  s.mem_queue_cycles};
    // A second IRQ before the guest's trap (none in irqlat) is counted, and its
    // cost falls into the guest phase of the open record.
    IrqBreakdown* r = open_ ? &records_.back() : nullptr;
    switch (phase) {
    case IrqPhase::arrived:
        if (r) {
            ++r->extra_irqs;
            break;
        }
        records_.push_back({});
        records_.back().at_irq = c;
        open_ = true;
        break;
    case IrqPhase::code_fetched:
        if (r && !r->code_done) {
            r->after_code = c;
            r->code_done = true;
        }
        break;
    case IrqPhase::returned:
        if (r && !r->returned) {
            r->at_eret = c;
            r->returned = true;
        }
        break;
    case IrqPhase::guest_trapped:
        if (r) {
            r->at_guest_trap = c;
            r->sample = samples_so_far;
            open_ = false;
        }
        break;
    }
}

namespace {

// Signed: the queueing counter can fall (the memory controller's
// corrections at a window's close credit earlier overcharges).
int64_t delta(uint64_t IrqPathCounts::*field, const IrqPathCounts& from, const IrqPathCounts& to) {
    return static_cast<int64_t>(to.*field - from.*field);
}

} // namespace

void IrqBreakdownLog::write(JsonWriter& j) const {
    // Only records the guest closed (the last IRQ of a run may be open).
    std::vector<const IrqBreakdown*> done;
    for (size_t k = 0; k < records_.size(); ++k)
        if (k + 1 < records_.size() || !open_)
            done.push_back(&records_[k]);
    struct Phase {
        const char* name;
        const IrqPathCounts IrqBreakdown::*from;
        const IrqPathCounts IrqBreakdown::*to;
    };
    // hv's code: the IRQ path's instructions and code fetches; hv's rest: its
    // data, GIC accesses and the virtual interrupt; guest: vector and handler
    // up to its next trap.
    const Phase phases[] = {{"hv_code", &IrqBreakdown::at_irq, &IrqBreakdown::after_code},
                            {"hv_rest", &IrqBreakdown::after_code, &IrqBreakdown::at_eret},
                            {"guest", &IrqBreakdown::at_eret, &IrqBreakdown::at_guest_trap}};
    const std::pair<const char*, uint64_t IrqPathCounts::*> counters[] = {
        {"cycles", &IrqPathCounts::cycle},
        {"l1i_misses", &IrqPathCounts::l1i_misses},
        {"l1d_misses", &IrqPathCounts::l1d_misses},
        {"l2_misses", &IrqPathCounts::l2_misses},
        {"mem_reads", &IrqPathCounts::mem_reads},
        {"mem_queue_cycles", &IrqPathCounts::mem_queue_cycles}};
    j.begin_object("irq_breakdown");
    j.value("irqs", static_cast<uint64_t>(done.size()));
    j.begin_array("sample");
    for (const IrqBreakdown* r : done)
        j.value("", r->sample);
    j.end_array();
    j.begin_array("extra_irqs");
    for (const IrqBreakdown* r : done)
        j.value("", r->extra_irqs);
    j.end_array();
    for (const Phase& p : phases) {
        j.begin_object(p.name);
        for (const auto& [name, field] : counters) {
            j.begin_array(name);
            for (const IrqBreakdown* r : done)
                j.value("", delta(field, r->*p.from, r->*p.to));
            j.end_array();
        }
        j.end_object();
    }
    j.end_object();
}

} // namespace sim

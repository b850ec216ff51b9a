// GICv2 CPU interface (GICC) of one core: priority mask, binary point,
// acknowledge / end of interrupt, running priority and preemption. Its output
// is the core's physical IRQ line.
#pragma once

#include "sim/gic/diagnostics.h"
#include "sim/gic/distributor.h"
#include "sim/gic/priority.h"

#include <cstdint>

namespace sim::gic {

class CpuInterface {
  public:
    CpuInterface(unsigned core, Distributor& distributor);

    // Register access: 32-bit, aligned. Reading IAR acknowledges.
    uint32_t read(uint32_t offset, unsigned size);
    void write(uint32_t offset, uint32_t value, unsigned size);

    // The physical IRQ line: the highest-priority interrupt the distributor
    // forwards is above the priority mask and preempts the running priority.
    bool irq_line() const;

    unsigned core() const { return core_; }
    bool enabled() const { return (ctlr_ & (gicc::kCtlrEnableGrp0 | gicc::kCtlrEnableGrp1)) != 0; }
    bool split_eoi() const { return (ctlr_ & gicc::kCtlrEoiMode) != 0; }
    uint8_t priority_mask() const { return pmr_; }
    uint8_t running_priority() const { return active_.running(); }
    unsigned binary_point() const { return bpr_; }
    const Diagnostics& diagnostics() const { return diag_; }

    // Checkpoints (sim/checkpoint.h).
    template <class Archive> void checkpoint(Archive& a) {
        a.value(ctlr_);
        a.value(pmr_);
        a.value(bpr_);
        a.value(active_);
        a.value(diag_);
    }

  private:
    bool deliverable(const Candidate& candidate) const;
    uint32_t acknowledge();
    void end_of_interrupt(uint32_t value);
    void deactivate(uint32_t value);

    unsigned core_;
    Distributor* distributor_;
    unsigned min_bpr_; // as many preemption levels as priority levels
    uint32_t ctlr_ = 0;
    uint8_t pmr_ = 0; // reset value masks everything
    unsigned bpr_;
    ActivePriorities active_;
    Diagnostics diag_;
};

} // namespace sim::gic

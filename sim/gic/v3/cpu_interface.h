// GICv3 CPU interface of one core as system registers (ICC_*_EL1): priority
// mask, binary points, group 1 acknowledge, priority drop and deactivation
// (split by ICC_CTLR_EL1.EOImode), running priority, and SGIs by affinity
// (ICC_SGI1R_EL1). The highest pending interrupt comes from the common
// distributor through this core's redistributor; priority arithmetic is the
// GICv2 interface's (sim/gic/priority.h). Its output is the core's IRQ line;
// group 0 (FIQ with one security state) is not signalled.
#pragma once

#include "sim/gic/diagnostics.h"
#include "sim/gic/distributor.h"
#include "sim/gic/priority.h"
#include "sim/gic/v3/redistributor.h"
#include "sim/gic/v3/regs.h"

#include <cstdint>

namespace sim::gic::v3 {

class CpuInterface {
  public:
    CpuInterface(unsigned core, gic::Distributor& common, const Redistributor& redistributor);

    // MRS. Reading ICC_IAR1_EL1 acknowledges. Registers of the virtual
    // interface (ICH_*) are not this class's: they read 0 and are counted.
    uint64_t read(CpuRegister reg);
    // MSR. ICC_SGI1R_EL1 makes SGIs pending on its targets.
    void write(CpuRegister reg, uint64_t value);

    bool irq_line() const;
    bool group1_enabled() const { return igrpen1_; }
    bool split_eoi() const { return (ctlr_ & icc::kCtlrEoiMode) != 0; }
    uint8_t priority_mask() const { return pmr_; }
    uint8_t running_priority() const { return active_.running(); }
    const Diagnostics& diagnostics() const { return diag_; }

    // Checkpoints (sim/checkpoint.h).
    template <class Archive> void checkpoint(Archive& a) {
        a.value(ctlr_);
        a.value(pmr_);
        a.value(bpr0_);
        a.value(bpr1_);
        a.value(igrpen0_);
        a.value(igrpen1_);
        a.value(active_);
        a.value(diag_);
    }

  private:
    Candidate candidate() const;
    uint8_t group_priority_of(uint8_t priority) const;
    bool deliverable(const Candidate& c) const;
    uint64_t acknowledge();
    void end_of_interrupt(uint64_t value);
    void deactivate(uint64_t value);
    void send_sgi(uint64_t value);

    unsigned core_;
    gic::Distributor& common_;
    const Redistributor& redistributor_;
    uint64_t ctlr_ = 0;
    uint8_t pmr_ = 0; // reset value masks everything
    unsigned bpr0_ = icc::kMinBpr0;
    unsigned bpr1_ = icc::kMinBpr1;
    bool igrpen0_ = false;
    bool igrpen1_ = false;
    ActivePriorities active_{3}; // ICC_AP1R0_EL1: 5 preemption bits
    Diagnostics diag_;
};

} // namespace sim::gic::v3

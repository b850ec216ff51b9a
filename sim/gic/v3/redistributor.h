// GICv3 redistributor of one core: its RD_base frame (GICR_CTLR, TYPER with
// the core's affinity and Last, WAKER's sleep handshake) and its SGI_base
// frame, whose SGI and PPI registers are the common distributor's banked
// word 0 for this core. While GICR_WAKER.ProcessorSleep is set (the reset
// state) it forwards no interrupt to the CPU interface.
#pragma once

#include "sim/gic/distributor.h"
#include "sim/gic/v3/regs.h"

#include <cstdint>

namespace sim::gic::v3 {

class Redistributor {
  public:
    Redistributor(unsigned core, gic::Distributor& common);

    // `offset` within the frame pair (SGI_base from gicr::kSgiBase); size 1, 4
    // or (GICR_TYPER) 8 bytes.
    uint64_t read(uint32_t offset, unsigned size);
    void write(uint32_t offset, uint64_t value, unsigned size);

    bool awake() const { return (waker_ & gicr::kWakerProcessorSleep) == 0; }
    uint64_t typer() const;
    unsigned core() const { return core_; }
    const Diagnostics& diagnostics() const { return diag_; }

    // Checkpoints (sim/checkpoint.h).
    template <class Archive> void checkpoint(Archive& a) {
        a.value(waker_);
        a.value(diag_);
    }

  private:
    uint64_t read_rd(uint32_t offset, unsigned size);
    void write_rd(uint32_t offset, uint64_t value, unsigned size);
    bool sgi_register(uint32_t offset, unsigned size) const;

    unsigned core_;
    gic::Distributor& common_;
    uint32_t waker_ = gicr::kWakerProcessorSleep | gicr::kWakerChildrenAsleep;
    Diagnostics diag_;
};

} // namespace sim::gic::v3

// The GIC as the machine sees it: the distributor, each core's CPU interface
// and virtualization extension, and the generic timers, behind one register
// interface per frame. After every operation the output lines are recomputed
// (maintenance interrupt first), and changes are reported through a listener
// and a queryable mask (sim/gic/gic_common.h, shared with the GICv3), so the
// machine knows when to assert or drop a core's IRQ or virtual IRQ.
#pragma once

#include "sim/gic/cpu_interface.h"
#include "sim/gic/gic_common.h"
#include "sim/gic/gic_regs.h"
#include "sim/gic/virtual_interface.h"

#include <cstdint>

namespace sim::gic {

class Gic : public GicCommon<CpuInterface, VirtualInterface> {
  public:
    explicit Gic(const GicConfig& config = {});

    // Register access by frame; core is the accessing core (the banked copy it
    // reaches). size in bytes. Never fails: bad accesses read 0 and are counted.
    uint32_t mmio_read(Frame frame, unsigned core, uint32_t offset, unsigned size);
    void mmio_write(Frame frame, unsigned core, uint32_t offset, uint32_t value, unsigned size);

    // Edges from devices (levels: set_level, set_ppi_level).
    void raise(uint32_t intid); // SPI edge
    void raise_ppi(unsigned core, uint32_t intid);

    bool irq_line(unsigned core) const { return lines(core).irq; }
    bool virq_line(unsigned core) const { return lines(core).virtual_irq; }
    bool vfiq_line(unsigned core) const { return lines(core).virtual_fiq; }

    const Distributor& distributor() const { return common_; }
    Diagnostics diagnostics() const { return common_diagnostics(); } // summed over all parts
};

} // namespace sim::gic

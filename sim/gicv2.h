// The GICv2 model (sim/gic: distributor, CPU interfaces, virtualization
// extension, generic timers) as the machine's interrupt controller: its four
// register frames as bus devices, each access charged model.gic.reg_cycles
// to the accessing core; the generic timers' system registers; each core's
// IRQ and virtual IRQ as cpu::InterruptLines.
#pragma once

#include "sim/bus.h"
#include "sim/gic/gic.h"
#include "sim/gic_controller.h"

#include <memory>
#include <vector>

namespace sim {

class Machine;

class GicV2 final : public GicController<gic::Gic> {
  public:
    explicit GicV2(Machine& machine);
    ~GicV2() override;

    // A frame as an MMIO device (for mapping into a core's address space).
    MmioDevice& frame(gic::Frame frame);
    // Registers the four frames on `bus` at `at` (GICH and GICV for a hypervisor only).
    void add_frames(Bus& bus, const gic::AddressMap& at);

    void send_ipi(unsigned from, unsigned to, uint32_t id) override;

  private:
    class Frame;
    std::vector<std::unique_ptr<Frame>> frames_;
};

// The machine's GICv2, for what virtualizes one (hv's Arm port); throws
// std::logic_error if the platform built another interrupt controller.
GicV2& gicv2_of(Machine& machine);

} // namespace sim

// The GICv3 model (sim/gic/v3: distributor with affinity routing,
// redistributors, CPU and virtual interfaces as system registers, generic
// timers) as the machine's interrupt controller: GICD and the redistributor
// frames as bus devices, each access charged model.gic.reg_cycles to the
// accessing core, as are the ICC_*/ICH_* system registers the cores reach
// with MRS/MSR; each core's IRQ and virtual IRQ as cpu::InterruptLines.
#pragma once

#include "sim/bus.h"
#include "sim/gic/v3/gic.h"
#include "sim/gic_controller.h"

#include <memory>
#include <optional>

namespace sim {

class Machine;

class GicV3 final : public GicController<gic::v3::Gic> {
  public:
    explicit GicV3(Machine& machine);
    ~GicV3() override;

    // Registers GICD and every core's redistributor frames on `bus` at `at`.
    void add_frames(Bus& bus, const gic::v3::AddressMap& at);
    MmioDevice& distributor_frame();
    MmioDevice& redistributor_frames(); // all cores' pairs, kRedistributorStride apart

    // A CPU-interface register as hv (at EL2) reaches it: the physical ICC_*
    // and the ICH_* control; nullopt/false if `encoding` is none of them.
    std::optional<uint64_t> read_cpu_register(unsigned core, uint32_t encoding);
    bool write_cpu_register(unsigned core, uint32_t encoding, uint64_t value);

    void send_ipi(unsigned from, unsigned to, uint32_t id) override;
    std::optional<uint64_t> read_sysreg(unsigned core, uint32_t encoding, uint64_t now_cycles,
                                        bool hypervisor_owns_irq) override;
    TimerWrite write_sysreg(unsigned core, uint32_t encoding, uint64_t value, uint64_t now_cycles,
                            bool hypervisor_owns_irq) override;

  private:
    class DistributorFrame;
    class RedistributorFrames;
    Machine& machine_;
    std::unique_ptr<DistributorFrame> gicd_;
    std::unique_ptr<RedistributorFrames> gicr_;
};

// The machine's GICv3, or null if the platform built another controller.
GicV3* gicv3_of(Machine& machine);

} // namespace sim

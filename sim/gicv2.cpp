#include "sim/gicv2.h"

#include "sim/cpu/arm64_sysregs.h"
#include "sim/machine.h"

#include <stdexcept>

namespace sim {

gic::GicConfig gic_config(const MachineParams& p, bool affinity_routing) {
    gic::GicConfig gc;
    gc.distributor.num_cores = p.cores;
    gc.distributor.affinity_routing = affinity_routing;
    gc.timer.core_hz = p.core_hz;
    gc.timer.counter_hz = p.cntfrq;
    return gc;
}

// The generic timers' registers a guest reaches with MRS/MSR at EL0/EL1.
std::optional<gic::TimerRegister> timer_register(uint32_t encoding) {
    using R = gic::TimerRegister;
    switch (encoding) {
    case cpu::sysreg::cntfrq_el0:
        return R::CntfrqEl0;
    case cpu::sysreg::cntpct_el0:
        return R::CntpctEl0;
    case cpu::sysreg::cntvct_el0:
        return R::CntvctEl0;
    case cpu::sysreg::cntp_tval_el0:
        return R::CntpTvalEl0;
    case cpu::sysreg::cntp_ctl_el0:
        return R::CntpCtlEl0;
    case cpu::sysreg::cntp_cval_el0:
        return R::CntpCvalEl0;
    case cpu::sysreg::cntv_tval_el0:
        return R::CntvTvalEl0;
    case cpu::sysreg::cntv_ctl_el0:
        return R::CntvCtlEl0;
    case cpu::sysreg::cntv_cval_el0:
        return R::CntvCvalEl0;
    default:
        return std::nullopt;
    }
}

// One frame seen through the MMIO interface (accesses carry the core).
class GicV2::Frame : public MmioDevice {
  public:
    Frame(Machine& m, gic::Gic& gic, gic::Frame frame) : machine_(m), gic_(gic), frame_(frame) {}
    uint64_t read(unsigned core, uint64_t offset, unsigned size) override {
        machine_.charge(core, machine_.params().gic_reg_cycles);
        return gic_.mmio_read(frame_, core, static_cast<uint32_t>(offset), size);
    }
    void write(unsigned core, uint64_t offset, unsigned size, uint64_t value) override {
        machine_.charge(core, machine_.params().gic_reg_cycles);
        gic_.mmio_write(frame_, core, static_cast<uint32_t>(offset), static_cast<uint32_t>(value),
                        size);
    }

  private:
    Machine& machine_;
    gic::Gic& gic_;
    gic::Frame frame_;
};

GicV2::GicV2(Machine& machine) : GicController(gic_config(machine.params(), false)) {
    for (auto f : {gic::Frame::Distributor, gic::Frame::CpuInterface, gic::Frame::VirtualControl,
                   gic::Frame::VirtualCpuInterface})
        frames_.push_back(std::make_unique<Frame>(machine, gic_, f));
}

GicV2::~GicV2() = default;

MmioDevice& GicV2::frame(gic::Frame frame) {
    return *frames_.at(static_cast<size_t>(frame));
}

void GicV2::add_frames(Bus& bus, const gic::AddressMap& at) {
    using F = gic::Frame;
    bus.add({"the GIC distributor", at.gicd, gic::frame_size(F::Distributor),
             &frame(F::Distributor), false});
    bus.add({"the GIC CPU interface", at.gicc, gic::frame_size(F::CpuInterface),
             &frame(F::CpuInterface), false});
    bus.add({"the GIC virtual interface control", at.gich, gic::frame_size(F::VirtualControl),
             &frame(F::VirtualControl), true});
    bus.add({"the GIC virtual CPU interface", at.gicv, gic::frame_size(F::VirtualCpuInterface),
             &frame(F::VirtualCpuInterface), true});
}

// As GICD_SGIR with the target list naming `to`, written by `from`.
void GicV2::send_ipi(unsigned from, unsigned to, uint32_t id) {
    const uint32_t sgir = ((1u << to) << 16) | (id & 0xf);
    gic_.mmio_write(gic::Frame::Distributor, from, 0xf00, sgir, 4);
}

GicV2& gicv2_of(Machine& machine) {
    auto* g = dynamic_cast<GicV2*>(&machine.interrupts());
    if (!g)
        throw std::logic_error("hv's Arm port needs a GICv2; this platform has another controller");
    return *g;
}

} // namespace sim

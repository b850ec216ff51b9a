// The GICv2 model (sim/gic: distributor, CPU interfaces, virtualization
// extension, generic timers) as the machine's interrupt controller: its four
// register frames as bus devices, each access charged model.gic.reg_cycles
// to the accessing core; the generic timers' system registers; each core's
// IRQ and virtual IRQ as cpu::InterruptLines.
#pragma once

#include "sim/bus.h"
#include "sim/gic/gic.h"
#include "sim/interrupt_controller.h"

#include <memory>
#include <optional>
#include <vector>

namespace sim {

class Machine;

class GicV2 final : public InterruptController {
  public:
    explicit GicV2(Machine& machine);
    ~GicV2() override;

    gic::Gic& gic() { return gic_; }
    const gic::Gic& gic() const { return gic_; }
    // A frame as an MMIO device (for mapping into a core's address space).
    MmioDevice& frame(gic::Frame frame);
    // Registers the four frames on `bus` at `at` (GICH and GICV for a hypervisor only).
    void add_frames(Bus& bus, const gic::AddressMap& at);

    void set_line_listener(LineListener listener) override { listener_ = std::move(listener); }
    void checkpoint(Archive& a) override;
    cpu::InterruptLines lines(unsigned core) const override;
    void set_level(uint32_t intid, bool level) override { gic_.set_level(intid, level); }
    void send_ipi(unsigned from, unsigned to, uint32_t id) override;
    void update_timers(unsigned core, uint64_t now_cycles) override {
        gic_.update_timers(core, now_cycles);
    }
    uint64_t next_event_cycle(unsigned core) const override { return gic_.next_event_cycle(core); }
    std::optional<uint64_t> read_timer(unsigned core, uint32_t encoding,
                                       uint64_t now_cycles) override;
    TimerWrite write_timer(unsigned core, uint32_t encoding, uint64_t value,
                           uint64_t now_cycles) override;

  private:
    class Frame;
    gic::Gic gic_;
    std::vector<std::unique_ptr<Frame>> frames_;
    LineListener listener_;
};

// The generic timer register an MRS/MSR encoding names (the GICv3 platform's too).
std::optional<gic::TimerRegister> timer_register(uint32_t encoding);

// A guest's MRS/MSR of a generic timer register on either GIC model (gic::Gic,
// gic::v3::Gic: the same timers), as InterruptController::read_timer and
// write_timer answer it.
template <class Gic>
std::optional<uint64_t> read_generic_timer(Gic& gic, unsigned core, uint32_t encoding,
                                           uint64_t now_cycles) {
    if (auto reg = timer_register(encoding))
        return gic.timer_read(core, *reg, now_cycles);
    return std::nullopt;
}
template <class Gic>
InterruptController::TimerWrite write_generic_timer(Gic& gic, unsigned core, uint32_t encoding,
                                                    uint64_t value, uint64_t now_cycles) {
    using R = gic::TimerRegister;
    using TimerWrite = InterruptController::TimerWrite;
    const auto reg = timer_register(encoding);
    if (!reg)
        return TimerWrite::not_a_timer;
    // Counters and frequency are read-only: the write is ignored.
    if (*reg == R::CntvctEl0 || *reg == R::CntpctEl0 || *reg == R::CntfrqEl0)
        return TimerWrite::ignored;
    gic.timer_write(core, *reg, value, now_cycles);
    return TimerWrite::written;
}

// The machine's GICv2, for what virtualizes one (hv's Arm port); throws
// std::logic_error if the platform built another interrupt controller.
GicV2& gicv2_of(Machine& machine);

} // namespace sim

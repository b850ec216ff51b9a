// What the machine's GICv2 (sim/gicv2.h) and GICv3 (sim/gicv3.h) do alike
// as its InterruptController: they own the model (gic::Gic, gic::v3::Gic:
// the same gic::GicCommon lines and generic timers), report its lines to the
// machine's listener, and answer the line, timer and timer-register calls
// from it. Each adds its register interface and its IPI.
#pragma once

#include "sim/checkpoint.h"
#include "sim/gic/gic_common.h"
#include "sim/interrupt_controller.h"

#include <cstdint>
#include <optional>
#include <utility>

namespace sim {

struct MachineParams;

// The GIC model's configuration for a machine: its cores and clocks, with
// affinity routing (GICv3) or without (GICv2).
gic::GicConfig gic_config(const MachineParams& p, bool affinity_routing);

// The generic timer register an MRS/MSR encoding names.
std::optional<gic::TimerRegister> timer_register(uint32_t encoding);

// A guest's MRS/MSR of a generic timer register on either GIC model, as
// InterruptController::read_timer and write_timer answer it.
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

template <class Gic> class GicController : public InterruptController {
  public:
    Gic& gic() { return gic_; }
    const Gic& gic() const { return gic_; }

    void set_line_listener(LineListener listener) override { listener_ = std::move(listener); }
    cpu::InterruptLines lines(unsigned core) const override {
        const gic::CoreLines l = gic_.lines(core);
        return cpu::InterruptLines{l.irq, l.virtual_irq};
    }
    void set_level(uint32_t intid, bool level) override { gic_.set_level(intid, level); }
    void update_timers(unsigned core, uint64_t now_cycles) override {
        gic_.update_timers(core, now_cycles);
    }
    uint64_t next_event_cycle(unsigned core) const override { return gic_.next_event_cycle(core); }
    void checkpoint(Archive& a) override { gic_.checkpoint(a); }
    std::optional<uint64_t> read_timer(unsigned core, uint32_t encoding,
                                       uint64_t now_cycles) override {
        return read_generic_timer(gic_, core, encoding, now_cycles);
    }
    TimerWrite write_timer(unsigned core, uint32_t encoding, uint64_t value,
                           uint64_t now_cycles) override {
        return write_generic_timer(gic_, core, encoding, value, now_cycles);
    }

  protected:
    explicit GicController(const gic::GicConfig& config) : gic_(config) {
        gic_.set_line_listener([this](unsigned core, const gic::CoreLines& l) {
            if (listener_)
                listener_(core, cpu::InterruptLines{l.irq, l.virtual_irq});
        });
    }

    Gic gic_;

  private:
    LineListener listener_;
};

} // namespace sim

// The simulator's abstract interrupt controller: device lines in, each
// core's interrupt request lines out (reported to a listener as they
// change), and the core-local timers whose events the scheduler waits for.
// The GICv2 model with the Arm generic timers (sim/gicv2.h over sim/gic) is
// the first, the GICv3 (sim/gicv3.h over sim/gic/v3) the second; a RISC-V
// PLIC/ACLINT pair would be another.
#pragma once

#include "sim/cpu/core.h"

#include <cstdint>
#include <functional>
#include <optional>

namespace sim {

class Archive;

class InterruptController {
  public:
    // Called with the core whose lines changed, after the change.
    using LineListener = std::function<void(unsigned core, const cpu::InterruptLines& lines)>;
    static constexpr uint64_t kNever = UINT64_MAX; // no timer event pending

    virtual ~InterruptController() = default;

    virtual void set_line_listener(LineListener listener) = 0;
    // Checkpoints (sim/checkpoint.h): a controller without it refuses them.
    virtual void checkpoint(Archive& a);
    // A core's lines as last computed.
    virtual cpu::InterruptLines lines(unsigned core) const = 0;
    // A device's (level-sensitive) interrupt input.
    virtual void set_level(uint32_t intid, bool level) = 0;
    // An inter-processor interrupt `id` from core `from` to core `to`.
    virtual void send_ipi(unsigned from, unsigned to, uint32_t id) = 0;

    // The core-local timers: brought up to `now_cycles`, and the first cycle
    // at which one fires (kNever if none will).
    virtual void update_timers(unsigned core, uint64_t now_cycles) = 0;
    virtual uint64_t next_event_cycle(unsigned core) const = 0;
    // A timer system register the guest reads (the architecture's encoding);
    // nullopt if `encoding` is none of them.
    virtual std::optional<uint64_t> read_timer(unsigned core, uint32_t encoding,
                                               uint64_t now_cycles) = 0;
    // not_a_timer: none of the controller's registers; handled: another of
    // its registers took the write (it cannot move a timer event).
    enum class TimerWrite { not_a_timer, ignored, written, handled };
    // A write the guest makes; a written one may move the next event.
    virtual TimerWrite write_timer(unsigned core, uint32_t encoding, uint64_t value,
                                   uint64_t now_cycles) = 0;

    // Every system register of the controller: the timers', and the CPU
    // interface's of a controller that has one (a GICv3's ICC_*/ICH_*).
    // `hypervisor_owns_irq`: the core's physical IRQ is a hypervisor's
    // (HCR_EL2.IMO), so the guest's CPU-interface accesses reach the virtual
    // interface. The defaults are the timers only.
    virtual std::optional<uint64_t> read_sysreg(unsigned core, uint32_t encoding,
                                                uint64_t now_cycles, bool hypervisor_owns_irq) {
        (void)hypervisor_owns_irq;
        return read_timer(core, encoding, now_cycles);
    }
    virtual TimerWrite write_sysreg(unsigned core, uint32_t encoding, uint64_t value,
                                    uint64_t now_cycles, bool hypervisor_owns_irq) {
        (void)hypervisor_owns_irq;
        return write_timer(core, encoding, value, now_cycles);
    }
};

} // namespace sim

// The interrupt controller of the RISC-V platform: the PLIC for device
// interrupts (each hart's S-mode context drives its SEIP) and the ACLINT for
// time (STIP from the supervisor timer the firmware sets) and inter-hart
// software interrupts (SSIP, which SBI send_ipi raises). Register accesses
// cost model.gic.reg_cycles to the accessing core, as the GIC's do; a rising
// line costs model.gic.signal_cycles (Machine). The timer "register" the
// harts reach is the `time` CSR (rdtime, emulated by the core) and Sstc's
// stimecmp (what SBI set_timer writes).
#pragma once

#include "sim/aclint.h"
#include "sim/bus.h"
#include "sim/interrupt_controller.h"
#include "sim/plic.h"

#include <memory>
#include <vector>

namespace sim {

class Machine;

inline constexpr uint64_t plic_base = 0x0c000000;
inline constexpr uint64_t aclint_base = 0x02000000;

class RiscvInterrupts final : public InterruptController {
  public:
    explicit RiscvInterrupts(Machine& machine);
    ~RiscvInterrupts() override;

    Plic& plic() { return plic_; }
    Aclint& aclint() { return aclint_; }
    // Registers the PLIC and the ACLINT on `bus` at virt's addresses.
    void add_devices(Bus& bus);

    void set_line_listener(LineListener listener) override { listener_ = std::move(listener); }
    cpu::InterruptLines lines(unsigned hart) const override;
    void set_level(uint32_t source, bool level) override { plic_.set_level(source, level); }
    // SSIP on `to` (SBI send_ipi); the hart latches it until it takes it.
    // With hold_ipis (a hypervisor owns the supervisor interrupts) SSIP stays
    // up until clear_ipi, as sip.SSIP does until hv's entry clears it.
    void send_ipi(unsigned from, unsigned to, uint32_t id) override;
    void hold_ipis(bool hold) { hold_ipis_ = hold; }
    void clear_ipi(unsigned hart);
    // The VS interrupts a hypervisor injects into `hart`'s guest
    // (InterruptLines::vsip, at sip's bit positions).
    void set_virtual_pending(unsigned hart, uint64_t vsip);
    void update_timers(unsigned hart, uint64_t now_cycles) override;
    uint64_t next_event_cycle(unsigned hart) const override;
    std::optional<uint64_t> read_timer(unsigned hart, uint32_t csr, uint64_t now_cycles) override;
    TimerWrite write_timer(unsigned hart, uint32_t csr, uint64_t value,
                           uint64_t now_cycles) override;
    void checkpoint(Archive& a) override;

  private:
    class Frame;
    void notify(unsigned hart);

    Machine& machine_;
    Plic plic_;
    Aclint aclint_;
    std::vector<bool> stip_, ssip_;
    std::vector<uint64_t> vsip_;
    bool hold_ipis_ = false;
    std::vector<std::unique_ptr<Frame>> frames_;
    LineListener listener_;
};

} // namespace sim

#include "sim/riscv_intc.h"
#include "sim/checkpoint.h"

#include "sim/cpu/rv64_syndrome.h"
#include "sim/machine.h"

namespace sim {

// The PLIC or the ACLINT as a bus device, each access charged to its core.
class RiscvInterrupts::Frame : public MmioDevice {
  public:
    Frame(RiscvInterrupts& owner, bool is_plic) : owner_(owner), is_plic_(is_plic) {}
    uint64_t read(unsigned core, uint64_t offset, unsigned size) override {
        Machine& m = owner_.machine_;
        m.charge(core, m.params().gic_reg_cycles);
        if (is_plic_)
            return owner_.plic_.read(offset);
        return owner_.aclint_.read(offset, size, m.now(core));
    }
    void write(unsigned core, uint64_t offset, unsigned size, uint64_t value) override {
        Machine& m = owner_.machine_;
        m.charge(core, m.params().gic_reg_cycles);
        if (is_plic_)
            owner_.plic_.write(offset, static_cast<uint32_t>(value));
        else
            owner_.aclint_.write(offset, size, value);
    }

  private:
    RiscvInterrupts& owner_;
    bool is_plic_;
};

RiscvInterrupts::RiscvInterrupts(Machine& machine)
    : machine_(machine), plic_(2 * machine.params().cores),
      aclint_(machine.params().cores, machine.params().core_hz, machine.params().cntfrq),
      stip_(machine.params().cores, false), ssip_(machine.params().cores, false),
      vsip_(machine.params().cores, 0) {
    frames_.push_back(std::make_unique<Frame>(*this, true));
    frames_.push_back(std::make_unique<Frame>(*this, false));
    // Context 2h + 1 is hart h's S-mode: its output is SEIP.
    plic_.set_listener([this](unsigned context, bool) {
        if (context % 2 == 1)
            notify(context / 2);
    });
}

RiscvInterrupts::~RiscvInterrupts() = default;

void RiscvInterrupts::add_devices(Bus& bus) {
    bus.add({"the PLIC", plic_base, Plic::kSize, frames_[0].get(), false});
    bus.add({"the ACLINT", aclint_base, Aclint::kSize, frames_[1].get(), false});
}

cpu::InterruptLines RiscvInterrupts::lines(unsigned hart) const {
    cpu::InterruptLines l;
    if (hart >= stip_.size())
        return l;
    l.sip = (plic_.output(2 * hart + 1) ? cpu::rv64::seip : 0) |
            (stip_[hart] ? cpu::rv64::stip : 0) | (ssip_[hart] ? cpu::rv64::ssip : 0);
    l.irq = l.sip != 0;
    l.vsip = vsip_[hart];
    l.virtual_irq = l.vsip != 0;
    return l;
}

void RiscvInterrupts::notify(unsigned hart) {
    if (listener_)
        listener_(hart, lines(hart));
}

// A pulse: the hart latches SSIP on the rising edge (Rv64Core).
void RiscvInterrupts::send_ipi(unsigned, unsigned to, uint32_t) {
    if (to >= ssip_.size())
        return;
    ssip_[to] = true;
    notify(to);
    if (hold_ipis_)
        return;
    ssip_[to] = false;
    notify(to);
}

void RiscvInterrupts::clear_ipi(unsigned hart) {
    if (hart >= ssip_.size() || !ssip_[hart])
        return;
    ssip_[hart] = false;
    notify(hart);
}

void RiscvInterrupts::set_virtual_pending(unsigned hart, uint64_t vsip) {
    if (hart >= vsip_.size() || vsip_[hart] == vsip)
        return;
    vsip_[hart] = vsip;
    notify(hart);
}

void RiscvInterrupts::update_timers(unsigned hart, uint64_t now_cycles) {
    const bool level = aclint_.stip(hart, now_cycles);
    if (level == stip_.at(hart))
        return;
    stip_[hart] = level;
    notify(hart);
}

uint64_t RiscvInterrupts::next_event_cycle(unsigned hart) const {
    if (stip_.at(hart))
        return kNever; // already raised: nothing more until a new compare value
    return aclint_.cycle_of(aclint_.stimecmp(hart));
}

std::optional<uint64_t> RiscvInterrupts::read_timer(unsigned hart, uint32_t csr,
                                                    uint64_t now_cycles) {
    switch (csr) {
    case cpu::rv64::csr::time:
        return aclint_.mtime(now_cycles);
    case cpu::rv64::csr::stimecmp:
        return aclint_.stimecmp(hart);
    default:
        return std::nullopt;
    }
}

InterruptController::TimerWrite RiscvInterrupts::write_timer(unsigned hart, uint32_t csr,
                                                             uint64_t value, uint64_t now_cycles) {
    if (csr == cpu::rv64::csr::time)
        return TimerWrite::ignored;
    if (csr != cpu::rv64::csr::stimecmp || hart >= stip_.size())
        return TimerWrite::not_a_timer;
    aclint_.set_stimecmp(hart, value);
    const bool level = aclint_.stip(hart, now_cycles);
    if (level != stip_[hart]) {
        stip_[hart] = level;
        notify(hart);
    }
    return TimerWrite::written;
}

// The lines as last driven: each hart's core keeps what it saw (Rv64Core).
void RiscvInterrupts::checkpoint(Archive& a) {
    a.tag("plic");
    plic_.checkpoint(a);
    a.tag("aclint");
    aclint_.checkpoint(a);
    a.fixed(stip_, "harts");
    a.fixed(ssip_, "harts");
    a.fixed(vsip_, "harts");
}

} // namespace sim

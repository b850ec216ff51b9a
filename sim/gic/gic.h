// The GIC as the machine sees it: the distributor, each core's CPU interface
// and virtualization extension, and the generic timers, behind one register
// interface per frame. After every operation the output lines are recomputed
// (maintenance interrupt first), and changes are reported through a listener
// and a queryable mask, so the machine knows when to assert or drop a core's
// IRQ or virtual IRQ.
#pragma once

#include "sim/gic/cpu_interface.h"
#include "sim/gic/diagnostics.h"
#include "sim/gic/distributor.h"
#include "sim/gic/gic_regs.h"
#include "sim/gic/timer.h"
#include "sim/gic/virtual_interface.h"

#include <array>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

namespace sim::gic {

struct GicConfig {
    DistributorConfig distributor; // num_cores, num_interrupts, priority_bits
    TimerConfig timer;
};

// The lines of one core, as last computed.
struct CoreLines {
    bool irq = false;         // physical IRQ (GICC)
    bool virtual_irq = false; // virtual IRQ (GICV): HCR_EL2.VI
    bool virtual_fiq = false; // virtual FIQ (GICV group 0 with FIQEn): HCR_EL2.VF
    bool operator==(const CoreLines&) const = default;
};

class Gic {
  public:
    // Called with the core whose lines changed, after the change.
    using LineListener = std::function<void(unsigned core, const CoreLines& lines)>;

    explicit Gic(const GicConfig& config = {});
    Gic(const Gic&) = delete;
    Gic& operator=(const Gic&) = delete;

    unsigned num_cores() const { return distributor_.config().num_cores; }

    // Register access by frame; core is the accessing core (the banked copy it
    // reaches). size in bytes. Never fails: bad accesses read 0 and are counted.
    uint32_t mmio_read(Frame frame, unsigned core, uint32_t offset, unsigned size);
    void mmio_write(Frame frame, unsigned core, uint32_t offset, uint32_t value, unsigned size);

    // Interrupt inputs from devices.
    void set_level(uint32_t intid, bool level); // SPI line
    void set_ppi_level(unsigned core, uint32_t intid, bool level);
    void raise(uint32_t intid); // SPI edge
    void raise_ppi(unsigned core, uint32_t intid);

    // Generic timer system registers (MRS/MSR hooks) and time.
    uint64_t timer_read(unsigned core, TimerRegister reg, uint64_t now_cycles);
    void timer_write(unsigned core, TimerRegister reg, uint64_t value, uint64_t now_cycles);
    void update_timers(uint64_t now_cycles);
    void update_timers(unsigned core, uint64_t now_cycles);
    uint64_t next_event_cycle(unsigned core) const { return timer_.next_event_cycle(core); }
    uint64_t next_event_cycle() const { return timer_.next_event_cycle(); }

    // Output lines.
    CoreLines lines(unsigned core) const { return core < num_cores() ? lines_[core] : CoreLines{}; }
    bool irq_line(unsigned core) const { return lines(core).irq; }
    bool virq_line(unsigned core) const { return lines(core).virtual_irq; }
    bool vfiq_line(unsigned core) const { return lines(core).virtual_fiq; }
    bool maintenance(unsigned core) const;

    // Bit n set: core n's lines changed since the last call. Clears the mask.
    uint32_t take_changed_cores();
    void set_line_listener(LineListener listener) { listener_ = std::move(listener); }

    // Read-only views for hv-independent inspection, tests and stats.
    const Distributor& distributor() const { return distributor_; }
    const CpuInterface& cpu_interface(unsigned core) const;
    const VirtualInterface& virtual_interface(unsigned core) const;
    const GenericTimer& timer() const { return timer_; }
    Diagnostics diagnostics() const; // summed over all parts

    // Checkpoints (sim/checkpoint.h): the distributor, every CPU and
    // virtual interface, the timers and the lines as last driven.
    template <class Archive> void checkpoint(Archive& a) {
        distributor_.checkpoint(a);
        for (auto& c : cpu_)
            c.checkpoint(a);
        for (auto& v : virtual_)
            v.checkpoint(a);
        timer_.checkpoint(a);
        a.value(lines_);
        a.value(changed_);
        a.value(diag_);
    }

  private:
    bool valid_core(unsigned core) const { return core < num_cores(); }
    void refresh();

    Distributor distributor_;
    std::vector<CpuInterface> cpu_;
    std::vector<VirtualInterface> virtual_;
    GenericTimer timer_;
    std::array<CoreLines, kMaxCores> lines_{};
    uint32_t changed_ = 0;
    bool refreshing_ = false;
    bool refresh_again_ = false;
    LineListener listener_;
    Diagnostics diag_; // accesses rejected before reaching a part
};

} // namespace sim::gic

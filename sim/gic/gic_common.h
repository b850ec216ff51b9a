// What the GICv2 (sim/gic/gic.h) and the GICv3 (sim/gic/v3/gic.h) models
// share as the machine sees them: the common distributor state, a CPU and a
// virtual interface per core, the generic timers, and the output lines,
// recomputed after every operation (maintenance interrupt first) and
// reported through a listener and a queryable mask. Each version adds its
// register interface (GICv2's frames, GICv3's GICD, redistributors and
// system registers) and builds the per-core interfaces.
#pragma once

#include "sim/gic/diagnostics.h"
#include "sim/gic/distributor.h"
#include "sim/gic/gic_regs.h"
#include "sim/gic/timer.h"

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

template <class CpuInterface, class VirtualInterface> class GicCommon {
  public:
    // Called with the core whose lines changed, after the change.
    using LineListener = std::function<void(unsigned core, const CoreLines& lines)>;

    GicCommon(const GicCommon&) = delete;
    GicCommon& operator=(const GicCommon&) = delete;

    unsigned num_cores() const { return common_.config().num_cores; }

    // Interrupt inputs from devices.
    void set_level(uint32_t intid, bool level) { // SPI line
        common_.set_level(intid, level);
        refresh();
    }
    void set_ppi_level(unsigned core, uint32_t intid, bool level) {
        common_.set_ppi_level(core, intid, level);
        refresh();
    }

    // Generic timer system registers (MRS/MSR hooks) and time.
    uint64_t timer_read(unsigned core, TimerRegister reg, uint64_t now_cycles) {
        // Guests poll the counter: bring the timer to now_cycles first, so the
        // lines are recomputed only when an output moved.
        const bool changed = valid_core(core) && timer_.update(core, now_cycles);
        const uint64_t value = timer_.read(core, reg, now_cycles);
        if (changed) {
            refresh();
        }
        return value;
    }
    void timer_write(unsigned core, TimerRegister reg, uint64_t value, uint64_t now_cycles) {
        timer_.write(core, reg, value, now_cycles);
        refresh();
    }
    // Called every quantum: recompute the lines only when a timer output moved.
    void update_timers(uint64_t now_cycles) {
        if (timer_.update(now_cycles)) {
            refresh();
        }
    }
    void update_timers(unsigned core, uint64_t now_cycles) {
        if (timer_.update(core, now_cycles)) {
            refresh();
        }
    }
    uint64_t next_event_cycle(unsigned core) const { return timer_.next_event_cycle(core); }
    uint64_t next_event_cycle() const { return timer_.next_event_cycle(); }

    // Output lines.
    CoreLines lines(unsigned core) const { return valid_core(core) ? lines_[core] : CoreLines{}; }
    bool maintenance(unsigned core) const {
        return valid_core(core) && virtual_[core].maintenance();
    }
    // Bit n set: core n's lines changed since the last call. Clears the mask.
    uint32_t take_changed_cores() { return std::exchange(changed_, 0); }
    void set_line_listener(LineListener listener) { listener_ = std::move(listener); }

    // Read-only views for hv-independent inspection, tests and stats.
    const CpuInterface& cpu_interface(unsigned core) const {
        return cpu_[valid_core(core) ? core : 0];
    }
    const VirtualInterface& virtual_interface(unsigned core) const {
        return virtual_[valid_core(core) ? core : 0];
    }
    const GenericTimer& timer() const { return timer_; }

    // Checkpoints (sim/checkpoint.h): the distributor, every CPU and
    // virtual interface, the timers and the lines as last driven. A version
    // with more state (GICv3) visits it after this.
    template <class Archive> void checkpoint(Archive& a) {
        common_.checkpoint(a);
        for (auto& c : cpu_)
            c.checkpoint(a);
        for (auto& v : virtual_)
            v.checkpoint(a);
        timer_.checkpoint(a);
        a.value(lines_);
        a.value(changed_);
        a.value(diag_);
    }

  protected:
    // The version's constructor builds one CPU and one virtual interface per core.
    explicit GicCommon(const GicConfig& config)
        : common_(config.distributor), timer_(common_.config().num_cores, config.timer, &common_) {
        // Sized once here; the register access path never allocates.
        cpu_.reserve(num_cores());
        virtual_.reserve(num_cores());
    }

    bool valid_core(unsigned core) const { return core < num_cores(); }
    // The diagnostics of the parts held here, summed.
    Diagnostics common_diagnostics() const;
    void refresh();

    Distributor common_;
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

template <class CpuInterface, class VirtualInterface>
Diagnostics GicCommon<CpuInterface, VirtualInterface>::common_diagnostics() const {
    Diagnostics sum = diag_;
    sum += common_.diagnostics();
    sum += timer_.diagnostics();
    for (unsigned core = 0; core < num_cores(); ++core) {
        sum += cpu_[core].diagnostics();
        sum += virtual_[core].diagnostics();
    }
    return sum;
}

template <class CpuInterface, class VirtualInterface>
void GicCommon<CpuInterface, VirtualInterface>::refresh() {
    // A listener may call back into the GIC; the outer call then loops instead
    // of recursing.
    if (refreshing_) {
        refresh_again_ = true;
        return;
    }
    refreshing_ = true;
    do {
        refresh_again_ = false;
        // Maintenance first: it is an input to the physical IRQ line.
        for (unsigned core = 0; core < num_cores(); ++core) {
            common_.set_ppi_level(core, kMaintenancePpi, virtual_[core].maintenance());
        }
        for (unsigned core = 0; core < num_cores(); ++core) {
            const CoreLines now{cpu_[core].irq_line(), virtual_[core].virq_line(),
                                virtual_[core].vfiq_line()};
            if (now == lines_[core]) {
                continue;
            }
            lines_[core] = now;
            changed_ |= 1u << core;
            if (listener_) {
                listener_(core, now);
            }
        }
    } while (refresh_again_);
    refreshing_ = false;
}

} // namespace sim::gic

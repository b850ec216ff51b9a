// Arm generic timers of each core: the system counter, and the EL1 physical,
// EL1 virtual and EL2 (hyp) physical timers, driven deterministically by the
// simulated cycle clock (never the host clock). Registers are read and written
// the way the simulator's MRS/MSR hooks see them.
#pragma once

#include "sim/gic/diagnostics.h"
#include "sim/gic/distributor.h"

#include <array>
#include <cstdint>

namespace sim::gic {

enum class TimerRegister : uint8_t {
    CntfrqEl0, // read-only here: the frequency is a model parameter
    CntpctEl0,
    CntvctEl0,
    CntvoffEl2,
    CntkctlEl1, // stored only; EL0 access is decided from Unicorn's copy (cpu/arm64_el0_access.h)
    CnthctlEl2, // stored only: EL1 access traps are not enforced
    CntpCtlEl0,
    CntpCvalEl0,
    CntpTvalEl0,
    CntvCtlEl0,
    CntvCvalEl0,
    CntvTvalEl0,
    CnthpCtlEl2,
    CnthpCvalEl2,
    CnthpTvalEl2,
};

enum class TimerKind : uint8_t { Physical, Virtual, Hypervisor };
inline constexpr unsigned kNumTimerKinds = 3;

// The PPI each timer drives on QEMU virt.
constexpr uint32_t timer_ppi(TimerKind kind) {
    switch (kind) {
    case TimerKind::Physical:
        return kPhysicalTimerPpi;
    case TimerKind::Virtual:
        return kVirtualTimerPpi;
    default:
        return kHypTimerPpi;
    }
}

struct TimerConfig {
    uint64_t core_hz = 1'200'000'000;  // Cortex-A53 on the ZCU104
    uint64_t counter_hz = 100'000'000; // CNTFRQ (docs/design.md#timer-frequency)
};

class GenericTimer {
  public:
    static constexpr uint64_t kNever = UINT64_MAX;
    static constexpr uint64_t kCtlEnable = 1u << 0;
    static constexpr uint64_t kCtlImask = 1u << 1;
    static constexpr uint64_t kCtlIstatus = 1u << 2;

    // distributor may be null: the outputs are then only queryable.
    // A zero frequency is replaced by the default (docs/gic.md).
    GenericTimer(unsigned num_cores, const TimerConfig& config, Distributor* distributor);

    const TimerConfig& config() const { return config_; }
    unsigned num_cores() const { return num_cores_; }

    // System counter value at a cycle: floor(cycle * counter_hz / core_hz).
    uint64_t ticks_at(uint64_t cycle) const;
    // First cycle at which the counter has reached tick, or kNever.
    uint64_t first_cycle_at_tick(uint64_t tick) const;

    // MRS / MSR. now_cycles is the accessing core's simulated time; the
    // outputs are re-evaluated at that time (so the PPI may change).
    uint64_t read(unsigned core, TimerRegister reg, uint64_t now_cycles);
    void write(unsigned core, TimerRegister reg, uint64_t value, uint64_t now_cycles);

    // Re-evaluates the outputs at now_cycles and drives the PPIs. Returns
    // whether any output changed (called every quantum: callers skip work).
    bool update(uint64_t now_cycles);
    bool update(unsigned core, uint64_t now_cycles);

    // The earliest cycle, not before the core's last evaluated time, at which
    // an enabled and unmasked timer of the core raises its interrupt; kNever
    // if none will. A timer whose output is asserted already is no event:
    // only a register write (evaluated then) changes its level, and counting
    // it would end every slice after one cycle while a guest leaves the
    // interrupt pending (masked in PSTATE, at the CPU interface or behind a
    // higher priority).
    uint64_t next_event_cycle(unsigned core) const;
    uint64_t next_event_cycle() const; // over all cores

    // Level of a timer's interrupt output: ENABLE && !IMASK && ISTATUS.
    bool output(unsigned core, TimerKind kind) const;
    uint64_t last_cycle(unsigned core) const { return core < num_cores_ ? cores_[core].now : 0; }
    const Diagnostics& diagnostics() const { return diag_; }

    // Checkpoints (sim/checkpoint.h): each core's comparators and offsets.
    template <class Archive> void checkpoint(Archive& a) {
        a.value(cores_);
        a.value(diag_);
    }

  private:
    struct Comparator {
        uint64_t ctl = 0; // ENABLE and IMASK; ISTATUS is computed
        uint64_t cval = 0;
    };
    struct CoreTimers {
        std::array<Comparator, kNumTimerKinds> timers{};
        std::array<bool, kNumTimerKinds> output{};
        uint64_t cntvoff = 0;
        uint64_t cntkctl = 0;
        uint64_t cnthctl = 0;
        uint64_t now = 0;
    };

    uint64_t offset(const CoreTimers& core, TimerKind kind) const;
    bool condition(const CoreTimers& core, TimerKind kind, uint64_t ticks) const;
    uint64_t first_tick_meeting(const CoreTimers& core, TimerKind kind, uint64_t from) const;
    uint64_t read_timer(const CoreTimers& core, TimerKind kind, unsigned field,
                        uint64_t ticks) const;
    void write_timer(CoreTimers& core, TimerKind kind, unsigned field, uint64_t value,
                     uint64_t ticks);
    bool evaluate(unsigned core);

    TimerConfig config_;
    unsigned num_cores_;
    Distributor* distributor_;
    std::array<CoreTimers, kMaxCores> cores_{};
    Diagnostics diag_;
};

} // namespace sim::gic

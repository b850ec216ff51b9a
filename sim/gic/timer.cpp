#include "sim/gic/timer.h"

#include <algorithm>

namespace sim::gic {

namespace {

using u128 = unsigned __int128;
constexpr u128 kTwo64 = u128{1} << 64;

// Register fields of one timer, in the order of the TimerRegister enum.
enum Field : unsigned { kCtl = 0, kCval = 1, kTval = 2 };

struct Decoded {
    TimerKind kind;
    unsigned field;
};

// decode_timer relies on the enum listing CTL, CVAL, TVAL per timer, in TimerKind order.
static_assert(static_cast<unsigned>(TimerRegister::CntvCtlEl0) -
                  static_cast<unsigned>(TimerRegister::CntpCtlEl0) ==
              3 * static_cast<unsigned>(TimerKind::Virtual));
static_assert(static_cast<unsigned>(TimerRegister::CnthpTvalEl2) -
                  static_cast<unsigned>(TimerRegister::CntpCtlEl0) ==
              3 * static_cast<unsigned>(TimerKind::Hypervisor) + kTval);

// Maps a timer register to (timer, field); false for the counter registers.
bool decode_timer(TimerRegister reg, Decoded& out) {
    const auto r = static_cast<unsigned>(reg);
    const auto first = static_cast<unsigned>(TimerRegister::CntpCtlEl0);
    const auto last = static_cast<unsigned>(TimerRegister::CnthpTvalEl2);
    if (r < first || r > last) {
        return false;
    }
    out.kind = static_cast<TimerKind>((r - first) / 3);
    out.field = (r - first) % 3;
    return true;
}

} // namespace

GenericTimer::GenericTimer(unsigned num_cores, const TimerConfig& config, Distributor* distributor)
    : config_(config), num_cores_(std::clamp(num_cores, 1u, kMaxCores)), distributor_(distributor) {
    const TimerConfig defaults;
    if (config_.core_hz == 0) {
        config_.core_hz = defaults.core_hz;
    }
    if (config_.counter_hz == 0) {
        config_.counter_hz = defaults.counter_hz;
    }
}

uint64_t GenericTimer::ticks_at(uint64_t cycle) const {
    const u128 ticks = u128{cycle} * config_.counter_hz / config_.core_hz;
    return ticks >= kTwo64 ? UINT64_MAX : static_cast<uint64_t>(ticks);
}

uint64_t GenericTimer::first_cycle_at_tick(uint64_t tick) const {
    // Smallest c with c * counter_hz >= tick * core_hz.
    const u128 product = u128{tick} * config_.core_hz;
    const u128 cycle = (product + config_.counter_hz - 1) / config_.counter_hz;
    return cycle >= kTwo64 ? kNever : static_cast<uint64_t>(cycle);
}

uint64_t GenericTimer::offset(const CoreTimers& core, TimerKind kind) const {
    return kind == TimerKind::Virtual ? core.cntvoff : 0;
}

// The architecture's condition: (counter - offset) mod 2^64 >= CVAL, unsigned.
bool GenericTimer::condition(const CoreTimers& core, TimerKind kind, uint64_t ticks) const {
    return ticks - offset(core, kind) >= core.timers[static_cast<unsigned>(kind)].cval;
}

// First physical count >= from at which the condition holds, or kNever.
uint64_t GenericTimer::first_tick_meeting(const CoreTimers& core, TimerKind kind,
                                          uint64_t from) const {
    if (condition(core, kind, from)) {
        return from;
    }
    const uint64_t off = offset(core, kind);
    const uint64_t cval = core.timers[static_cast<unsigned>(kind)].cval;
    if (from < off) {
        // The virtual count is about to wrap; the condition being false now
        // means off + cval wrapped past 2^64, and it holds from the wrapped sum.
        return off + cval;
    }
    const u128 target = u128{off} + cval;
    return target >= kTwo64 ? kNever : static_cast<uint64_t>(target);
}

uint64_t GenericTimer::read_timer(const CoreTimers& core, TimerKind kind, unsigned field,
                                  uint64_t ticks) const {
    const Comparator& t = core.timers[static_cast<unsigned>(kind)];
    switch (field) {
    case kCtl: {
        const bool enabled = (t.ctl & kCtlEnable) != 0;
        return t.ctl | (enabled && condition(core, kind, ticks) ? kCtlIstatus : 0);
    }
    case kCval:
        return t.cval;
    default:
        // TVAL is CVAL - count as a signed 32-bit value; bits [63:32] read as zero.
        return static_cast<uint32_t>(t.cval - (ticks - offset(core, kind)));
    }
}

void GenericTimer::write_timer(CoreTimers& core, TimerKind kind, unsigned field, uint64_t value,
                               uint64_t ticks) {
    Comparator& t = core.timers[static_cast<unsigned>(kind)];
    switch (field) {
    case kCtl:
        t.ctl = value & (kCtlEnable | kCtlImask);
        break;
    case kCval:
        t.cval = value;
        break;
    default: {
        const auto tval = static_cast<int64_t>(static_cast<int32_t>(static_cast<uint32_t>(value)));
        t.cval = ticks - offset(core, kind) + static_cast<uint64_t>(tval);
        break;
    }
    }
}

uint64_t GenericTimer::read(unsigned core, TimerRegister reg, uint64_t now_cycles) {
    if (core >= num_cores_) {
        ++diag_.bad_inputs;
        return 0;
    }
    CoreTimers& c = cores_[core];
    c.now = now_cycles;
    evaluate(core);
    const uint64_t ticks = ticks_at(now_cycles);
    Decoded d{};
    if (decode_timer(reg, d)) {
        return read_timer(c, d.kind, d.field, ticks);
    }
    switch (reg) {
    case TimerRegister::CntfrqEl0:
        return config_.counter_hz;
    case TimerRegister::CntpctEl0:
        return ticks;
    case TimerRegister::CntvctEl0:
        return ticks - c.cntvoff;
    case TimerRegister::CntvoffEl2:
        return c.cntvoff;
    case TimerRegister::CntkctlEl1:
        return c.cntkctl;
    case TimerRegister::CnthctlEl2:
        return c.cnthctl;
    default:
        ++diag_.bad_inputs;
        return 0;
    }
}

void GenericTimer::write(unsigned core, TimerRegister reg, uint64_t value, uint64_t now_cycles) {
    if (core >= num_cores_) {
        ++diag_.bad_inputs;
        return;
    }
    CoreTimers& c = cores_[core];
    c.now = now_cycles;
    Decoded d{};
    if (decode_timer(reg, d)) {
        write_timer(c, d.kind, d.field, value, ticks_at(now_cycles));
    } else {
        switch (reg) {
        case TimerRegister::CntvoffEl2:
            c.cntvoff = value;
            break;
        case TimerRegister::CntkctlEl1:
            c.cntkctl = value;
            break;
        case TimerRegister::CnthctlEl2:
            c.cnthctl = value;
            break;
        case TimerRegister::CntfrqEl0:
        case TimerRegister::CntpctEl0:
        case TimerRegister::CntvctEl0:
            ++diag_.reserved_writes; // read-only, or a model parameter
            break;
        default:
            ++diag_.bad_inputs;
            break;
        }
    }
    evaluate(core);
}

bool GenericTimer::evaluate(unsigned core) {
    CoreTimers& c = cores_[core];
    const uint64_t ticks = ticks_at(c.now);
    bool changed = false;
    for (unsigned k = 0; k < kNumTimerKinds; ++k) {
        const auto kind = static_cast<TimerKind>(k);
        const uint64_t ctl = c.timers[k].ctl;
        const bool level =
            (ctl & kCtlEnable) != 0 && (ctl & kCtlImask) == 0 && condition(c, kind, ticks);
        if (level == c.output[k]) {
            continue;
        }
        changed = true;
        c.output[k] = level;
        if (distributor_ != nullptr) {
            distributor_->set_ppi_level(core, timer_ppi(kind), level);
        }
    }
    return changed;
}

bool GenericTimer::update(uint64_t now_cycles) {
    bool changed = false;
    for (unsigned core = 0; core < num_cores_; ++core) {
        changed = update(core, now_cycles) || changed;
    }
    return changed;
}

bool GenericTimer::update(unsigned core, uint64_t now_cycles) {
    if (core >= num_cores_) {
        ++diag_.bad_inputs;
        return false;
    }
    cores_[core].now = now_cycles;
    return evaluate(core);
}

uint64_t GenericTimer::next_event_cycle(unsigned core) const {
    if (core >= num_cores_) {
        return kNever;
    }
    const CoreTimers& c = cores_[core];
    const uint64_t now_ticks = ticks_at(c.now);
    uint64_t next = kNever;
    for (unsigned k = 0; k < kNumTimerKinds; ++k) {
        const uint64_t ctl = c.timers[k].ctl;
        if ((ctl & kCtlEnable) == 0 || (ctl & kCtlImask) != 0) {
            continue; // a masked or disabled timer raises no interrupt: not an event
        }
        if (c.output[k]) {
            continue; // asserted already: only a register write (evaluated then) changes it
        }
        const uint64_t tick = first_tick_meeting(c, static_cast<TimerKind>(k), now_ticks);
        if (tick == kNever) {
            continue;
        }
        next = std::min(next, tick == now_ticks ? c.now : first_cycle_at_tick(tick));
    }
    return next;
}

uint64_t GenericTimer::next_event_cycle() const {
    uint64_t next = kNever;
    for (unsigned core = 0; core < num_cores_; ++core) {
        next = std::min(next, next_event_cycle(core));
    }
    return next;
}

bool GenericTimer::output(unsigned core, TimerKind kind) const {
    const auto k = static_cast<unsigned>(kind);
    return core < num_cores_ && k < kNumTimerKinds && cores_[core].output[k];
}

} // namespace sim::gic

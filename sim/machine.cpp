#include "sim/machine.h"

#include "sim/cpu/arm64_core.h"

#include <algorithm>
#include <cassert>

namespace sim {

// One GIC frame seen through the MMIO interface (accesses carry the core).
class Machine::GicFrame : public MmioDevice {
  public:
    GicFrame(Machine& m, gic::Frame frame) : machine_(m), frame_(frame) {}
    uint64_t read(unsigned core, uint64_t offset, unsigned size) override {
        machine_.charge(core, machine_.params().gic_reg_cycles);
        return machine_.gic().mmio_read(frame_, core, static_cast<uint32_t>(offset), size);
    }
    void write(unsigned core, uint64_t offset, unsigned size, uint64_t value) override {
        machine_.charge(core, machine_.params().gic_reg_cycles);
        machine_.gic().mmio_write(frame_, core, static_cast<uint32_t>(offset), static_cast<uint32_t>(value), size);
    }

  private:
    Machine& machine_;
    gic::Frame frame_;
};

Machine::Machine(const MachineParams& params, std::ostream* console_out)
    : params_(params), memory_(params.ram_base, params.ram_size),
      console_(console_out, params.console_keep_bytes) {
    if (params.cores == 0 || params.cores > 8)
        throw InputError("cores: " + std::to_string(params.cores) + " is out of range (1-8)");
    if (params.quantum_cycles == 0 || params.cycles_per_insn == 0)
        throw InputError("model: quantum and cycles per instruction must be positive");
    // Quantum ends are now + quantum: a bound keeps that sum far from wrapping.
    if (params.quantum_cycles > kMaxQuantumCycles)
        throw InputError("model: quantum_cycles = " + std::to_string(params.quantum_cycles) +
                         " is out of range (1 to " + std::to_string(kMaxQuantumCycles) + ")");
    uart_ = std::make_unique<Pl011>(console_, std::vector<unsigned>{});
    gic::GicConfig gc;
    gc.distributor.num_cores = params.cores;
    gc.timer.core_hz = params.core_hz;
    gc.timer.counter_hz = params.cntfrq;
    gic_ = std::make_unique<gic::Gic>(gc);
    for (auto f : {gic::Frame::Distributor, gic::Frame::CpuInterface, gic::Frame::VirtualControl,
                   gic::Frame::VirtualCpuInterface})
        gic_frames_.push_back(std::make_unique<GicFrame>(*this, f));
    gic_->set_line_listener([this](unsigned core, const gic::CoreLines& lines) { on_lines(core, lines); });
    uart_->set_irq_line([this](bool level) { gic_->set_level(pl011_irq, level); });
    if (params.memory_model) {
        cache::HierarchyConfig h = params.hierarchy;
        h.cores = params.cores;
        try {
            hierarchy_ = std::make_unique<cache::Hierarchy>(h);
        } catch (const std::invalid_argument& e) {
            throw InputError(std::string("model: ") + e.what());
        }
    }
    for (unsigned i = 0; i < params.cores; ++i) {
        cores_.push_back(std::make_unique<cpu::Arm64Core>(i, *this));
        if (hierarchy_)
            cores_.back()->attach_memory(cpu::MemoryPath{hierarchy_.get(), nullptr, memory_.base(),
                                                         memory_.base() + memory_.size(),
                                                         (1u << params.cores) - 1});
    }
    // Native mode: one address space, so one set of placeholder windows (hv
    // gives each VM's cores their own).
    std::shared_ptr<cpu::AddressSpace> space = cores_.front()->new_address_space();
    for (auto& core : cores_)
        core->join(space);
    state_.assign(params.cores, CoreState::off);
    clock_.assign(params.cores, 0);
    stats_.assign(params.cores, CoreStats{});
    pmus_.assign(params.cores, Pmu{});
}

Machine::~Machine() = default;

void Machine::map_native_platform() {
    for (auto& core : cores_) {
        core->map_memory(memory_.base(), memory_.size(), memory_.host(memory_.base()));
        core->map_device(pl011_base, pl011_size, *uart_);
        const gic::AddressMap gic_at;
        core->map_device(gic_at.gicd, gic::frame_size(gic::Frame::Distributor), gic_frame(gic::Frame::Distributor));
        core->map_device(gic_at.gicc, gic::frame_size(gic::Frame::CpuInterface),
                         gic_frame(gic::Frame::CpuInterface));
    }
}

void Machine::set_supervisor(Supervisor* supervisor) {
    supervisor_ = supervisor;
    for (auto& core : cores_)
        core->route_irq_to_hypervisor(supervisor_ && supervisor_->guest_sees_virtual_gic());
}

void Machine::on_lines(unsigned core, const gic::CoreLines& lines) {
    if (core >= cores_.size())
        return;
    const bool hv = supervisor_ && supervisor_->guest_sees_virtual_gic();
    if (cores_[core]->set_interrupt_lines(cpu::InterruptLines{lines.irq, lines.virtual_irq}))
        charge(core, params_.gic_signal_cycles);
    const bool guest_line = cores_[core]->guest_interrupt_pending();
    // A physical IRQ for hv, or a new interrupt for the running guest: end the
    // slice so the run loop services it now (within one basic block).
    if ((hv && lines.irq) || guest_line)
        cores_[core]->request_yield();
    if (state_[core] == CoreState::idle && (guest_line || (hv && lines.irq)))
        state_[core] = CoreState::running; // WFI wakes on a pending interrupt, masked or not
}

uint64_t Machine::next_event(unsigned i) const { return gic_->next_event_cycle(i); }

void Machine::service_interrupts(unsigned i, uint64_t limit) {
    gic_->update_timers(i, clock_[i]);
    const bool hv = supervisor_ && supervisor_->guest_sees_virtual_gic();
    // hv's IRQ entry reads IAR once per call. A path starts only before
    // `limit` (the quantum's end), so an interrupt storm or an interrupt the
    // guest never takes costs this core's time and the rest carries over to
    // its next quantum; the count bounds a path configured to cost nothing.
    for (int n = 0;
         hv && gic_->irq_line(i) && clock_[i] < limit && n < 64 && state_[i] != CoreState::stopped;
         ++n)
        supervisor_->on_irq(i);
    const gic::CoreLines lines = gic_->lines(i);
    if (cores_[i]->set_interrupt_lines(cpu::InterruptLines{lines.irq, lines.virtual_irq}))
        charge(i, params_.gic_signal_cycles);
    if (cores_[i]->guest_interrupt_pending() && state_[i] == CoreState::idle)
        state_[i] = CoreState::running;
}

void Machine::idle_until(unsigned i, uint64_t limit) {
    uint64_t next = std::min(limit, std::max(clock_[i], next_event(i)));
    if (next > clock_[i]) {
        stats_[i].idle_cycles += next - clock_[i];
        clock_[i] = next;
    }
    if (clock_[i] < limit || next_event(i) <= clock_[i])
        service_interrupts(i, limit);
}

void Machine::stop_core(unsigned core) {
    state_.at(core) = CoreState::stopped;
    // Stopping the running core takes effect when its trap returns; another
    // core simply is not scheduled any more.
    if (in_run_ && core == running_core_)
        cores_[core]->request_halt();
}

void Machine::set_console_sources(const std::vector<std::string>& names, bool prefixed_upstream) {
    source_of_core_.clear();
    for (auto& n : names)
        source_of_core_.push_back(console_.add_source(n, prefixed_upstream));
    uart_->set_sources(source_of_core_);
}

void Machine::power_on(unsigned core, uint64_t entry, uint64_t context, uint64_t at_cycle) {
    cores_.at(core)->reset(entry, context);
    state_[core] = CoreState::running;
    // A core powered on by another starts at the caller's time, never in the past.
    clock_[core] = std::max(clock_[core], at_cycle);
}

void Machine::finish(ExitCode code, std::string reason, std::string detail) {
    if (!outcome_)
        outcome_ = RunOutcome{code, std::move(reason), std::move(detail)};
}

uint64_t Machine::now(unsigned core) const { return clock_.at(core) + cores_.at(core)->cycles_in_run(); }

void Machine::charge(unsigned core, uint64_t cycles) {
    if (in_run_ && core == running_core_) {
        cores_[core]->add_stall(cycles);
        return;
    }
    clock_.at(core) += cycles;
    stats_.at(core).cycles += cycles;
    stats_.at(core).stall_cycles += cycles;
}

uint64_t Machine::total_instructions() const {
    uint64_t n = 0;
    for (auto& s : stats_)
        n += s.instructions;
    return n;
}

uint64_t Machine::instructions_now() const {
    return total_instructions() + (in_run_ ? cores_[running_core_]->instructions_in_run() : 0);
}

CoreStats Machine::stats(unsigned core) const {
    CoreStats s = stats_.at(core);
    s.loads = cores_.at(core)->loads();
    s.stores = cores_.at(core)->stores();
    return s;
}

void Machine::snapshot_region(unsigned core, bool end) {
    RegionSnapshot snap;
    snap.cycle = now(core);
    snap.instructions = stats_.at(core).instructions + (in_run_ && core == running_core_ ? cores_[core]->instructions_in_run() : 0);
    if (hierarchy_)
        snap.memory = hierarchy_->stats().cores.at(core);
    if (!end) {
        open_start_ = snap;
        if (!region_start_)
            region_start_ = snap;
        return;
    }
    // An end without an open start (or before it) makes no sample.
    if (open_start_ && snap.cycle >= open_start_->cycle)
        region_samples_.push_back(
            {snap.cycle - open_start_->cycle, snap.instructions - open_start_->instructions});
    open_start_.reset();
    region_end_ = snap;
}

RunOutcome Machine::run() {
    if (source_of_core_.empty()) {
        std::vector<std::string> names;
        for (unsigned i = 0; i < cores_.size(); ++i)
            names.push_back("core" + std::to_string(i));
        set_console_sources(names);
    }
    while (!outcome_) {
        // When no core can run, jump to the earliest event instead of
        // stepping through empty quanta (an idle probe waits milliseconds).
        if (std::none_of(state_.begin(), state_.end(), [](CoreState s) { return s == CoreState::running; })) {
            uint64_t next = gic::GenericTimer::kNever;
            for (unsigned i = 0; i < cores_.size(); ++i)
                if (state_[i] == CoreState::idle)
                    next = std::min(next, next_event(i));
            if (next != gic::GenericTimer::kNever && next > now_ + params_.quantum_cycles)
                now_ = next - next % params_.quantum_cycles;
        }
        uint64_t quantum_end = now_ + params_.quantum_cycles;
        assert(quantum_end > now_ && "quantum ends never wrap (kMaxQuantumCycles)");
        for (unsigned i = 0; i < cores_.size() && !outcome_; ++i) {
            if (state_[i] == CoreState::idle)
                idle_until(i, quantum_end);
            if (state_[i] == CoreState::running) {
                run_core(i, quantum_end);
                note_overrun(i, quantum_end);
            }
            if (clock_[i] < quantum_end) {
                if (state_[i] == CoreState::idle)
                    stats_[i].idle_cycles += quantum_end - clock_[i];
                if (state_[i] != CoreState::running)
                    clock_[i] = quantum_end;
            }
        }
        now_ = quantum_end;
        if (hierarchy_) {
            // Every core reached the quantum's end: settle memory contention.
            hierarchy_->end_quantum(quantum_end);
            for (unsigned i = 0; i < cores_.size(); ++i) {
                uint64_t stall = hierarchy_->take_contention_stall(i);
                clock_[i] += stall;
                stats_[i].cycles += stall;
                stats_[i].stall_cycles += stall;
            }
        }
        check_end_conditions();
    }
    console_.flush();
    return *outcome_;
}

void Machine::run_core(unsigned i, uint64_t quantum_end) {
    cpu::Core& core = *cores_[i];
    running_core_ = i;
    const uint64_t cpi = params_.cycles_per_insn;
    while (state_[i] == CoreState::running && clock_[i] < quantum_end && !outcome_) {
        service_interrupts(i, quantum_end);
        // hv's interrupt path may have used the rest of the quantum: the guest
        // runs again next quantum (never with a budget past the quantum's end).
        if (state_[i] != CoreState::running || clock_[i] >= quantum_end)
            break;
        // A slice ends at the quantum's end or at this core's next timer event.
        const uint64_t slice_end = std::min(quantum_end, std::max(clock_[i] + 1, next_event(i)));
        assert(slice_end > clock_[i] && "a slice's budget must not underflow");
        uint64_t budget = slice_end - clock_[i];
        if (params_.max_insns) {
            uint64_t done = total_instructions();
            if (done >= params_.max_insns)
                return;
            budget = std::min(budget, (params_.max_insns - done) * cpi);
        }
        in_run_ = true;
        cpu::RunResult r = core.run(budget, clock_[i], cpi);
        in_run_ = false;
        const uint64_t spent = r.instructions * cpi + r.stall_cycles;
        stats_[i].instructions += r.instructions;
        stats_[i].cycles += spent;
        stats_[i].stall_cycles += r.stall_cycles;
        clock_[i] += spent;
        switch (r.reason) {
        case cpu::StopReason::budget:
            if (r.instructions == 0 && budget > 0)
                return; // nothing ran (the block did not fit): try next quantum
            break;
        case cpu::StopReason::wfi:
            if (!supervisor_ || supervisor_->on_wfi(i)) {
                if (state_[i] == CoreState::running)
                    state_[i] = CoreState::idle;
            }
            // WFI does not sleep with an interrupt already pending.
            if (state_[i] == CoreState::idle && core.guest_interrupt_pending())
                state_[i] = CoreState::running;
            if (state_[i] == CoreState::idle)
                idle_until(i, quantum_end);
            break;
        case cpu::StopReason::halted:
            if (state_[i] == CoreState::running)
                state_[i] = CoreState::stopped;
            break;
        case cpu::StopReason::fault:
            state_[i] = CoreState::stopped;
            if (!supervisor_ || !supervisor_->on_fault(i, core.fault()))
                finish(ExitCode::guest_fault, "guest_fault", core.fault().description);
            break;
        }
    }
}

// A core ends its quantum at most one basic block (its memory stalls and the
// hv work it trapped into included) plus one hv interrupt path past the end.
void Machine::note_overrun(unsigned i, uint64_t quantum_end) {
    if (clock_[i] <= quantum_end)
        return;
    const uint64_t overrun = clock_[i] - quantum_end;
    max_overrun_ = std::max(max_overrun_, overrun);
}

void Machine::check_end_conditions() {
    if (outcome_)
        return;
    if (params_.max_insns && total_instructions() >= params_.max_insns) {
        finish(ExitCode::insn_limit, "insn_limit",
               "instruction limit of " + std::to_string(params_.max_insns) + " reached");
        return;
    }
    bool any_running = std::any_of(state_.begin(), state_.end(),
                                   [](CoreState s) { return s == CoreState::running; });
    if (any_running)
        return;
    bool any_idle = false, any_event = false;
    for (unsigned i = 0; i < cores_.size(); ++i) {
        if (state_[i] != CoreState::idle)
            continue;
        any_idle = true;
        any_event |= next_event(i) != gic::GenericTimer::kNever;
    }
    if (any_event)
        return;
    if (any_idle)
        finish(ExitCode::idle_deadlock, "idle_deadlock",
               "every core is idle (WFI) or off and no event is pending");
    else
        finish(ExitCode::ok, "all_off", "every core is powered off");
}

namespace {
std::optional<gic::TimerRegister> timer_register(uint32_t encoding) {
    using R = gic::TimerRegister;
    switch (encoding) {
    case cpu::sysreg::cntfrq_el0: return R::CntfrqEl0;
    case cpu::sysreg::cntpct_el0: return R::CntpctEl0;
    case cpu::sysreg::cntvct_el0: return R::CntvctEl0;
    case cpu::sysreg::cntp_tval_el0: return R::CntpTvalEl0;
    case cpu::sysreg::cntp_ctl_el0: return R::CntpCtlEl0;
    case cpu::sysreg::cntp_cval_el0: return R::CntpCvalEl0;
    case cpu::sysreg::cntv_tval_el0: return R::CntvTvalEl0;
    case cpu::sysreg::cntv_ctl_el0: return R::CntvCtlEl0;
    case cpu::sysreg::cntv_cval_el0: return R::CntvCvalEl0;
    default: return std::nullopt;
    }
}
} // namespace

cpu::TrapAction Machine::on_exit(cpu::Core& core, cpu::Exit& exit) {
    if (!supervisor_)
        throw std::logic_error("machine has no supervisor");
    return supervisor_->on_trap(core.id(), exit);
}

std::optional<uint64_t> Machine::read_sysreg(cpu::Core& core, uint32_t encoding) {
    switch (encoding) {
    case cpu::sysreg::mpidr_el1:
        return supervisor_ ? supervisor_->mpidr(core.id()) : (1ull << 31) | core.id();
    default:
        break;
    }
    // The generic timers: deterministic, from the simulated clock, never the host's.
    if (auto reg = timer_register(encoding))
        return gic_->timer_read(core.id(), *reg, now(core.id()));
    // The PMU likewise counts the model's events (Unicorn's would read host time).
    return pmus_.at(core.id()).read(encoding, pmu_sources(core.id()));
}

PmuSources Machine::pmu_sources(unsigned core) const {
    const cpu::Core& c = *cores_.at(core);
    const bool running = in_run_ && core == running_core_;
    PmuSources s;
    s.cycles = stats_[core].cycles + (running ? c.cycles_in_run() : 0);
    s.instructions = stats_[core].instructions + (running ? c.instructions_in_run() : 0);
    s.mem_accesses = c.loads() + c.stores();
    if (hierarchy_) {
        const cache::CoreMemoryStats& m = hierarchy_->core_stats(core);
        s.l1i_accesses = m.l1i.accesses;
        s.l1i_refills = m.l1i.misses;
        s.l1d_accesses = m.l1d.accesses;
        s.l1d_refills = m.l1d.misses;
        s.l2_accesses = m.l2.accesses;
        s.l2_refills = m.l2.misses;
        s.itlb_refills = m.itlb.misses;
        s.dtlb_refills = m.dtlb.misses;
    }
    return s;
}

bool Machine::write_sysreg(cpu::Core& core, uint32_t encoding, uint64_t value) {
    if (pmus_.at(core.id()).write(encoding, value, pmu_sources(core.id())))
        return true;
    auto reg = timer_register(encoding);
    if (!reg || *reg == gic::TimerRegister::CntvctEl0 || *reg == gic::TimerRegister::CntpctEl0 ||
        *reg == gic::TimerRegister::CntfrqEl0)
        return reg.has_value(); // counters and frequency are read-only: the write is ignored
    gic_->timer_write(core.id(), *reg, value, now(core.id()));
    core.request_yield(); // the next event may now fall inside this slice
    return true;
}

} // namespace sim

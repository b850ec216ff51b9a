#include "sim/machine.h"
#include "sim/checkpoint.h"
#include "sim/parallel.h"
#include "sim/sim_time.h"

#include "hv/core/config.h"

#include "sim/cpu/arm64_sysregs.h"
#include "sim/platform.h"

#include <algorithm>
#include <cassert>
#include <spdlog/logger.h>

namespace sim {

Machine::Machine(const MachineParams& params, std::ostream* console_out)
    : params_(params), memory_(params.ram_base, params.ram_size),
      console_(console_out, params.console_keep_bytes) {
    if (params.cores == 0 || params.cores > hv::kMaxCpus)
        throw InputError("cores: " + std::to_string(params.cores) + " is out of range (1-" +
                         std::to_string(hv::kMaxCpus) + ")");
    if (params.quantum_cycles == 0 || params.cycles_per_insn == 0)
        throw InputError("model: quantum and cycles per instruction must be positive");
    // Quantum ends are now + quantum: a bound keeps that sum far from wrapping.
    if (params.quantum_cycles > kMaxQuantumCycles)
        throw InputError("model: quantum_cycles = " + std::to_string(params.quantum_cycles) +
                         " is out of range (1 to " + std::to_string(kMaxQuantumCycles) + ")");
    if (params.memory_model) {
        cache::HierarchyConfig h = params.hierarchy;
        h.cores = params.cores;
        try {
            hierarchy_ = std::make_unique<cache::Hierarchy>(h);
        } catch (const std::invalid_argument& e) {
            throw InputError(std::string("model: ") + e.what());
        }
    }
    build_platform(*this);
    if (cores_.size() != params.cores || !intc_)
        throw std::logic_error("the platform built no interrupt controller or not every core");
    for (auto& core : cores_)
        if (!core->set_core_model(params.core_model))
            throw InputError("model.core = a53: this platform's cores have only the flat model");
    for (auto& core : cores_)
        if (!core->set_wfi_through_stage1(params.wfi_through_stage1))
            throw InputError("model.wfi_through_stage1: this platform's cores read a WFI only at "
                             "its physical address (an AArch64 option)");
    for (auto& core : cores_)
        if (hierarchy_)
            core->attach_memory(cpu::MemoryPath{hierarchy_.get(), nullptr, memory_.base(),
                                                memory_.base() + memory_.size(),
                                                (1u << params.cores) - 1});
    // Native mode: one address space, so one set of placeholder windows (hv
    // gives each VM's cores their own).
    std::shared_ptr<cpu::AddressSpace> space = cores_.front()->new_address_space();
    for (auto& core : cores_)
        core->join(space);
    state_.assign(params.cores, CoreState::off);
    clock_.assign(params.cores, 0);
    stats_.assign(params.cores, CoreStats{});
    charged_.assign(params.cores, 0);
    pmus_.assign(params.cores, Pmu{});
    if (params.fast_forward.until != FastForward::Until::none) {
        if (params.fast_forward.until == FastForward::Until::insns &&
            params.fast_forward.insns == 0)
            throw InputError("--fast-forward insns:N: N must be positive");
        set_fast_forward(true);
        phase_ = Phase::fast_forward;
    }
    if (params.fast_forward.uncounted) {
        if (params.fast_forward.until == FastForward::Until::none)
            throw InputError("--fast-forward-uncounted needs --fast-forward");
        for (auto& core : cores_)
            if (!core->set_fast_forward_uncounted(true))
                throw InputError("--fast-forward-uncounted: these cores cannot find an "
                                 "access's instruction without a memory hook (it needs Debian's "
                                 "Unicorn 2.0.1 archive, linked as sim/CMakeLists.txt does)");
    }
}

void Machine::set_fast_forward(bool on) {
    for (auto& core : cores_)
        if (!core->set_fast_forward(on))
            throw InputError("--fast-forward: this platform's cores have no fast-forward mode");
}

void Machine::add_quantum_observer(QuantumObserver observer) {
    quantum_observers_.push_back(std::move(observer));
}

void Machine::reach_fast_forward_point() {
    if (phase_ != Phase::fast_forward)
        return;
    set_fast_forward(false);
    // The running core ends its slice at the next block, so that the rest
    // of it runs with the model on.
    if (in_run_)
        cores_[running_core_]->request_yield();
    ff_record_.switch_instructions = instructions_now();
    ff_record_.switch_cycle = in_run_ ? now(running_core_) : now_;
    phase_ = Phase::warmup;
    end_quantum_phases();
}

// Fast-forward's points that fall on quantum boundaries: an instruction
// count, and the end of the warm-up.
void Machine::end_quantum_phases() {
    const FastForward& ff = params_.fast_forward;
    if (phase_ == Phase::fast_forward && ff.until == FastForward::Until::insns &&
        total_instructions() >= ff.insns)
        reach_fast_forward_point();
    if (phase_ == Phase::warmup &&
        instructions_now() >= ff_record_.switch_instructions + ff.warmup_insns) {
        ff_record_.measure_instructions = instructions_now();
        ff_record_.measure_cycle = in_run_ ? now(running_core_) : now_;
        phase_ = Phase::measuring;
    }
}

Machine::~Machine() = default;

void Machine::add_core(std::unique_ptr<cpu::Core> core) {
    if (core->id() != cores_.size())
        throw std::logic_error("cores are added in id order");
    cores_.push_back(std::move(core));
}

void Machine::set_interrupt_controller(std::unique_ptr<InterruptController> intc) {
    intc_ = std::move(intc);
    intc_->set_line_listener(
        [this](unsigned core, const cpu::InterruptLines& lines) { on_lines(core, lines); });
}

MmioDevice& Machine::add_device(Bus::Entry where, std::unique_ptr<MmioDevice> device) {
    where.device = device.get();
    bus_.add(std::move(where));
    devices_.push_back(std::move(device));
    return *devices_.back();
}

void Machine::map_native_platform() {
    for (auto& core : cores_) {
        core->map_memory(memory_.base(), memory_.size(), memory_.host(memory_.base()));
        for (const Bus::Entry& e : bus_.entries())
            if (!e.hypervisor_only)
                core->map_device(e.base, e.size, *e.device);
    }
}

void Machine::set_supervisor(Supervisor* supervisor) {
    supervisor_ = supervisor;
    for (auto& core : cores_)
        core->route_irq_to_hypervisor(irq_to_hypervisor());
}

void Machine::on_lines(unsigned core, const cpu::InterruptLines& lines) {
    if (core >= cores_.size() || defer(core, [this, core, lines] { on_lines(core, lines); }))
        return;
    const bool hv = irq_to_hypervisor();
    if (cores_[core]->set_interrupt_lines(lines)) {
        charge(core, guest_signal_cycles());
        ++stats_[core].interrupts;
    }
    const bool guest_line = cores_[core]->guest_interrupt_pending();
    // A physical IRQ for hv, or a new interrupt for the running guest: end the
    // slice so the run loop services it now (within one basic block).
    if ((hv && lines.irq) || guest_line)
        cores_[core]->request_yield();
    if (state_[core] == CoreState::idle && (guest_line || (hv && lines.irq)))
        state_[core] = CoreState::running; // WFI wakes on a pending interrupt, masked or not
}

// A line newly asserted to the guest: natively a physical interrupt through
// the distributor; under hv a virtual one, which hv's list-register write
// raised in the core's own CPU interface (gic.virtual_signal_cycles, 0 = the
// same cost as a physical one).
uint64_t Machine::guest_signal_cycles() const {
    return irq_to_hypervisor() && params_.gic_virtual_signal_cycles
               ? params_.gic_virtual_signal_cycles
               : params_.gic_signal_cycles;
}

uint64_t Machine::next_event(unsigned i) const {
    return intc_->next_event_cycle(i);
}

void Machine::service_interrupts(unsigned i, uint64_t limit) {
    intc_->update_timers(i, clock_[i]);
    const bool hv = irq_to_hypervisor();
    // hv's IRQ entry reads IAR once per call. A path starts only before
    // `limit` (the quantum's end), so an interrupt storm or an interrupt the
    // guest never takes costs this core's time and the rest carries over to
    // its next quantum; the count bounds a path configured to cost nothing.
    for (int n = 0; hv && intc_->lines(i).irq && clock_[i] < limit && n < 64 &&
                    state_[i] != CoreState::stopped;
         ++n)
        supervisor_->on_irq(i);
    if (cores_[i]->set_interrupt_lines(intc_->lines(i))) {
        charge(i, guest_signal_cycles());
        ++stats_[i].interrupts;
    }
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

void Machine::log_idle(unsigned core) const {
    log_.cpu().trace("cycle {} core {}: idle (waits for an interrupt)", now(core), core);
}

void Machine::power_off(unsigned core) {
    if (defer(core, [this, core] { power_off(core); }))
        return;
    state_.at(core) = CoreState::off;
    log_.cpu().debug("cycle {} core {}: powered off", now(core), core);
}

void Machine::stop_core(unsigned core) {
    if (defer(core, [this, core] { stop_core(core); }))
        return;
    state_.at(core) = CoreState::stopped;
    log_.cpu().debug("cycle {} core {}: stopped", now(core), core);
    // Stopping the running core takes effect when its trap returns; another
    // core simply is not scheduled any more.
    if (in_run_ && core == running_core_)
        cores_[core]->request_halt();
}

void Machine::set_console_sources(const std::vector<std::string>& names, bool prefixed_upstream) {
    std::vector<unsigned> source_of_core;
    for (auto& n : names)
        source_of_core.push_back(console_.add_source(n, prefixed_upstream));
    console_.set_core_sources(std::move(source_of_core));
    console_sources_set_ = true;
}

void Machine::power_on(unsigned core, uint64_t entry, uint64_t context, uint64_t at_cycle) {
    if (defer(core, [=, this] { power_on(core, entry, context, at_cycle); }))
        return;
    cores_.at(core)->reset(entry, context);
    state_[core] = CoreState::running;
    // A core powered on by another starts at the caller's time, never in the past.
    clock_[core] = std::max(clock_[core], at_cycle);
    log_.cpu().debug("cycle {} core {}: powered on at {:#x} (x0 {:#x})", clock_[core], core, entry,
                     context);
}

void Machine::finish(ExitCode code, std::string reason, std::string detail) {
    if (outcome_)
        return;
    log_.cpu().info("cycle {}: the run ends ({}): {}", now_, reason, detail);
    outcome_ = RunOutcome{code, std::move(reason), std::move(detail)};
}

uint64_t Machine::now(unsigned core) const {
    // Another core's run may be under way on another host thread (parallel
    // scheduler): its clock is what it was at its last booking.
    if (parallel_ && core != running_core_)
        return clock_.at(core);
    return clock_.at(core) + cores_.at(core)->cycles_in_run();
}

void Machine::charge(unsigned core, uint64_t cycles) {
    if (defer(core, [this, core, cycles] { charge(core, cycles); }))
        return;
    charged_.at(core) += cycles;
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

// The marking core's time and counters; with model.region_cores = vm, the
// counters summed over the measured VM's cores. Under the parallel scheduler
// the VM's other cores are in the marking core's group, so none of them runs
// while it holds its turn (docs/parallel.md, "Groups").
RegionSnapshot Machine::region_counters(unsigned core) const {
    const uint64_t own = uint64_t{1} << core;
    const uint64_t mask =
        params_.region_cores == RegionCores::vm && (measured_cores_ & own) ? measured_cores_ : own;
    RegionSnapshot snap;
    snap.cycle = now(core);
    for (unsigned c = 0; c < cores_.size() && c < 64; ++c) {
        if (!(mask >> c & 1))
            continue;
        snap.instructions += stats_[c].instructions +
                             (in_run_ && c == running_core_ ? cores_[c]->instructions_in_run() : 0);
        if (hierarchy_)
            snap.memory += hierarchy_->core_memory_stats(c);
    }
    return snap;
}

void Machine::snapshot_region(unsigned core, bool end) {
    // Fast-forward to the first start mark: the model goes on at it, and the
    // region starts there. Before the warm-up ends no mark is recorded.
    if (!end && phase_ == Phase::fast_forward &&
        params_.fast_forward.until == FastForward::Until::mark)
        reach_fast_forward_point();
    if (phase_ != Phase::measuring)
        return;
    RegionSnapshot snap = region_counters(core);
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
    if (!console_sources_set_) {
        std::vector<std::string> names;
        for (unsigned i = 0; i < cores_.size(); ++i)
            names.push_back("core" + std::to_string(i));
        set_console_sources(names);
    }
    if (params_.scheduler == Scheduler::parallel) {
        parallel_ = std::make_unique<ParallelScheduler>(
            *this, supervisor_ ? supervisor_->memory_groups() : std::vector<uint64_t>{});
        host_round_trip_ns_ = parallel_->host_round_trip_ns();
    }
    while (!outcome_) {
        // When no core can run, jump to the earliest event instead of
        // stepping through empty quanta (an idle probe waits milliseconds).
        if (std::none_of(state_.begin(), state_.end(),
                         [](CoreState s) { return s == CoreState::running; })) {
            uint64_t next = InterruptController::kNever;
            for (unsigned i = 0; i < cores_.size(); ++i)
                if (state_[i] == CoreState::idle)
                    next = std::min(next, next_event(i));
            if (params_.max_ns && next != InterruptController::kNever) // stop at the limit
                next = std::min(next, ns_to_cycles(params_.max_ns, params_.core_hz));
            if (next != InterruptController::kNever && next > now_ + params_.quantum_cycles)
                now_ = next - next % params_.quantum_cycles;
        }
        uint64_t quantum_end = now_ + params_.quantum_cycles;
        assert(quantum_end > now_ && "quantum ends never wrap (kMaxQuantumCycles)");
        if (parallel_)
            parallel_->run_quantum(quantum_end);
        else
            run_quantum_serial(quantum_end);
        settle_quantum(quantum_end);
        end_quantum_phases();
        check_end_conditions();
        for (const QuantumObserver& observer : quantum_observers_)
            observer(quantum_end);
    }
    parallel_.reset();
    console_.flush();
    return *outcome_;
}

void Machine::run_quantum_serial(uint64_t quantum_end) {
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
}

void Machine::settle_quantum(uint64_t quantum_end) {
    now_ = quantum_end;
    if (!hierarchy_ || phase_ == Phase::fast_forward)
        return;
    // Every core reached the quantum's end: settle memory contention.
    if (hierarchy_->in_bound())
        hierarchy_->weave();
    hierarchy_->end_quantum(quantum_end);
    for (unsigned i = 0; i < cores_.size(); ++i) {
        uint64_t stall = hierarchy_->take_contention_stall(i);
        if (parallel_)
            stall += hierarchy_->take_weave_correction(i);
        clock_[i] += stall;
        stats_[i].cycles += stall;
        stats_[i].stall_cycles += stall;
    }
}

void Machine::run_core(unsigned i, uint64_t quantum_end) {
    cpu::Core& core = *cores_[i];
    running_core_ = i;
    while (auto budget = next_slice(i, quantum_end)) {
        in_run_ = true;
        cpu::RunResult r = core.run(*budget, clock_[i], params_.cycles_per_insn);
        in_run_ = false;
        if (!end_slice(i, r, *budget, quantum_end))
            return;
    }
}

std::optional<uint64_t> Machine::next_slice(unsigned i, uint64_t quantum_end) {
    if (state_[i] != CoreState::running || clock_[i] >= quantum_end || outcome_)
        return std::nullopt;
    service_interrupts(i, quantum_end);
    // hv's interrupt path may have used the rest of the quantum: the guest
    // runs again next quantum (never with a budget past the quantum's end).
    if (state_[i] != CoreState::running || clock_[i] >= quantum_end)
        return std::nullopt;
    // A slice ends at the quantum's end or at this core's next timer event.
    const uint64_t slice_end = std::min(quantum_end, std::max(clock_[i] + 1, next_event(i)));
    assert(slice_end > clock_[i] && "a slice's budget must not underflow");
    uint64_t budget = slice_end - clock_[i];
    if (params_.max_insns) {
        uint64_t done = total_instructions();
        if (done >= params_.max_insns)
            return std::nullopt;
        budget = std::min(budget, (params_.max_insns - done) * params_.cycles_per_insn);
    }
    return budget;
}

bool Machine::end_slice(unsigned i, const cpu::RunResult& r, uint64_t budget,
                        uint64_t quantum_end) {
    cpu::Core& core = *cores_[i];
    const uint64_t cpi = params_.cycles_per_insn;
    const uint64_t spent = (r.core_cycles ? *r.core_cycles : r.instructions * cpi) + r.stall_cycles;
    stats_[i].instructions += r.instructions;
    stats_[i].cycles += spent;
    stats_[i].stall_cycles += r.stall_cycles;
    clock_[i] += spent;
    switch (r.reason) {
    case cpu::StopReason::budget:
        if (r.instructions == 0 && budget > 0)
            return false; // nothing ran (the block did not fit): try next quantum
        break;
    case cpu::StopReason::wfi: {
        cpu::Exit exit = r.exit;
        if (wait(i, exit) && state_[i] == CoreState::running)
            state_[i] = CoreState::idle;
        // WFI does not sleep with an interrupt already pending.
        if (state_[i] == CoreState::idle && core.guest_interrupt_pending())
            state_[i] = CoreState::running;
        if (state_[i] == CoreState::idle)
            idle_until(i, quantum_end);
        break;
    }
    case cpu::StopReason::halted:
        if (state_[i] == CoreState::running)
            state_[i] = CoreState::stopped;
        break;
    case cpu::StopReason::fault:
        state_[i] = CoreState::stopped;
        log_.cpu().info("cycle {} core {}: fault: {}", clock_[i], i, core.fault().description);
        if (!contain_fault(i, core.fault()))
            finish(ExitCode::guest_fault, "guest_fault", core.fault().description);
        break;
    }
    return true;
}

bool Machine::wait(unsigned i, cpu::Exit& exit) {
    return !supervisor_ || supervisor_->on_exit(i, exit) == cpu::TrapAction::idle;
}

bool Machine::contain_fault(unsigned i, const cpu::Fault& fault) {
    if (!supervisor_)
        return false;
    if (!fault.exit)
        return supervisor_->on_fault(i, fault);
    cpu::Exit exit = *fault.exit;
    return supervisor_->on_exit(i, exit) != cpu::TrapAction::unhandled;
}

// A core ends its quantum at most one basic block (its memory stalls and the
// hv work it trapped into included) plus one hv interrupt path past the end.
void Machine::note_overrun(unsigned i, uint64_t quantum_end) {
    const uint64_t end = std::max(quantum_end, boot_end_);
    if (clock_[i] <= end)
        return;
    const uint64_t overrun = clock_[i] - end;
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
    if (params_.max_ns && now_ >= ns_to_cycles(params_.max_ns, params_.core_hz)) {
        finish(ExitCode::time_limit, "time_limit",
               "simulated-time limit of " + format_seconds(params_.max_ns) + " s reached");
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
        any_event |= next_event(i) != InterruptController::kNever;
    }
    if (any_event)
        return;
    if (any_idle)
        finish(ExitCode::idle_deadlock, "idle_deadlock",
               "every core is idle (WFI) or off and no event is pending");
    else
        finish(ExitCode::ok, "all_off", "every core is powered off");
}

void Machine::enter_shared(cpu::Core& core) {
    if (parallel_)
        parallel_->enter_shared(core.id());
}

bool Machine::must_defer(unsigned core) const {
    return parallel_->must_defer(core);
}

void Machine::queue_action(unsigned core, std::function<void()> action) {
    parallel_->queue(core, std::move(action));
}

cpu::TrapAction Machine::on_exit(cpu::Core& core, cpu::Exit& exit) {
    enter_shared(core);
    if (!supervisor_)
        throw std::logic_error("machine has no supervisor");
    const cpu::TrapAction a = supervisor_->on_exit(core.id(), exit);
    if (a == cpu::TrapAction::idle && state_.at(core.id()) == CoreState::running)
        state_[core.id()] = CoreState::idle;
    return a;
}

std::optional<uint64_t> Machine::read_sysreg(cpu::Core& core, uint32_t encoding) {
    enter_shared(core);
    switch (encoding) {
    case cpu::sysreg::mpidr_el1:
        return supervisor_ ? supervisor_->mpidr(core.id()) : (1ull << 31) | core.id();
    default:
        break;
    }
    // The generic timers: deterministic, from the simulated clock, never the
    // host's; and the controller's CPU interface, if it has system registers.
    if (auto value = intc_->read_sysreg(core.id(), encoding, now(core.id()), irq_to_hypervisor()))
        return value;
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
    enter_shared(core);
    if (pmus_.at(core.id()).write(encoding, value, pmu_sources(core.id())))
        return true;
    switch (intc_->write_sysreg(core.id(), encoding, value, now(core.id()), irq_to_hypervisor())) {
    case InterruptController::TimerWrite::not_a_timer:
        return false;
    case InterruptController::TimerWrite::ignored:
    case InterruptController::TimerWrite::handled:
        return true;
    case InterruptController::TimerWrite::written:
        core.request_yield(); // the next event may now fall inside this slice
        return true;
    }
    return false;
}

void Machine::checkpoint(Archive& a) {
    if (in_run_ || outcome_)
        throw std::logic_error("the machine's checkpoint is taken between quanta of a live run");
    a.tag("machine");
    a.value(now_);
    a.value(max_overrun_);
    a.same_size(state_, "cores");
    a.values(state_);
    a.values(clock_);
    a.values(stats_);
    a.values(pmus_);
    a.value(region_start_);
    a.value(region_end_);
    a.value(open_start_);
    a.values(region_samples_);
    a.value(phase_);
    a.value(ff_record_);
    a.tag("console");
    console_.checkpoint(a);
    memory_.checkpoint(a);
    a.tag("memory model");
    bool modeled = hierarchy_ != nullptr;
    a.value(modeled);
    if (modeled != (hierarchy_ != nullptr))
        throw CheckpointError("the memory model is on in one of the checkpoint and this run only");
    if (hierarchy_)
        hierarchy_->checkpoint(a);
    a.tag("interrupt controller");
    intc_->checkpoint(a);
    a.tag("devices");
    for (auto& device : devices_)
        device->checkpoint(a);
    for (auto& core : cores_)
        core->checkpoint(a);
}

} // namespace sim

// The simulated machine: cores, physical memory, an interrupt controller,
// devices on a bus, one global clock, and the deterministic round-robin
// scheduler. Cores run one after another in quanta of simulated cycles; each
// has a local clock that its quantum advances. The machine knows its parts
// only through their interfaces (cpu::Core, InterruptController, MmioDevice);
// the platform factory (sim/platform.h) builds them.
#pragma once

#include "sim/bus.h"
#include "sim/cache/hierarchy.hpp"
#include "sim/console.h"
#include "sim/cpu/core.h"
#include "sim/error.h"
#include "sim/interrupt_controller.h"
#include "sim/log.h"
#include "sim/phys_mem.h"
#include "sim/pmu.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sim {

class Archive;

// --fast-forward (docs/checkpoints.md): run without the timing model until a
// point, then with it (after `warmup_insns` more instructions, the measured
// region's marks count again).
struct FastForward {
    enum class Until { none, mark, insns, linux_init };
    Until until = Until::none;
    uint64_t insns = 0;        // Until::insns: all cores' instructions
    uint64_t warmup_insns = 0; // after the point: model on, marks not recorded
    // --fast-forward-uncounted: no memory hook while fast-forwarding, so
    // loads and stores there are not counted (docs/checkpoints.md).
    bool uncounted = false;
};

class ParallelScheduler;

// Serial: cores run one after another in each quantum (the reference model).
// Parallel: bound-weave on host threads, deterministic (docs/parallel.md).
enum class Scheduler { serial, parallel };
// model.region_cores: whose counters a measured region's marks snapshot: the
// core that wrote the mark (the figures before 2026-12-01), or the sum over
// the measured VM's cores (an SMP guest's process may run, or move, on any
// of them; docs/linux.md#smp-measurement).
enum class RegionCores { mark, vm };
// model.hv.code_layout: where hv's trap paths' code lines lie in its text
// (sim/hv_code.h): spread in even runs over hv.text_bytes, or the real
// image's measured lines (docs/timing-model.md, "hv's measured code layout").
// platform_default (not set) is measured on AArch64, whose real image was
// measured, and spread on RISC-V, whose was not; and spread whenever
// hv.*_code_bytes or hv.code_run_bytes were set (hv_code_layout_in_effect).
enum class HvCodeLayoutKind { platform_default, spread, measured };
inline constexpr unsigned kMaxHostThreads = 64;

struct MachineParams {
    std::string platform = "qemu-aarch64-virt"; // sim/platform.h: which board (--platform)
    unsigned cores = 4;
    uint64_t ram_base = 0x40000000;
    uint64_t ram_size = 1ull << 30;
    uint64_t core_hz = 1'200'000'000; // Cortex-A53 on the ZCU104
    uint64_t cntfrq = 100'000'000;    // generic timer, 10 ns ticks (docs/design.md#timer-frequency)
    uint64_t quantum_cycles = 1200;   // 1 us at 1.2 GHz (simulation-notes.md)
    uint64_t cycles_per_insn = 1;     // base cost of an instruction (L1 hits included)
    uint64_t max_insns = 0;           // 0 = no limit
    uint64_t max_ns = 0;              // simulated-time limit in ns (--max-seconds), 0 = none
    // Interrupt and trap path (docs/timing-model.md). gic.signal_cycles is
    // calibrated on the published native latency; hv's instruction counts and
    // code footprints were measured on the real 48 KiB image with its EL2 MMU
    // on (tools/hv-paths, issue 24) and made the defaults by calibration (issue
    // 21): the sync path (WFI, HVC, SMC, aborts) runs 309 instructions (median)
    // over 37 code lines, the IRQ path 616 over 62 lines in 16 sequential runs,
    // 6 lines shared (vector slots, restore); .text is 44540 bytes.
    uint64_t gic_signal_cycles = 266; // an asserted line until the core's vector runs
    uint64_t gic_reg_cycles = 40;     // one GIC register access (device memory)
    // A virtual IRQ hv raised until the guest's vector (0 = signal_cycles): the
    // vCPU interface raises it in the core, an exception entry (issue 21's calibration).
    uint64_t gic_virtual_signal_cycles = 10;
    uint64_t gic_version = 2;           // the platform's GIC: 2 (GIC-400) or 3 (docs/gic.md)
    uint64_t hv_exception_cycles = 0;   // exception entry to EL2 and ERET, beyond hv's instructions
    uint64_t hv_sync_insns = 309;       // hv instructions on a synchronous trap
    uint64_t hv_irq_insns = 616;        // hv instructions on a physical IRQ
    uint64_t hv_text_bytes = 44540;     // hv's .text: the paths' code is spread over it
    uint64_t hv_entry_code_bytes = 384; // shared by both paths
    uint64_t hv_sync_code_bytes = 1984; // the sync path's own code lines
    uint64_t hv_irq_code_bytes = 3584;  // the IRQ path's own code lines
    uint64_t hv_code_run_bytes = 256;   // straight-line code between jumps (62 lines / 16 runs)
    HvCodeLayoutKind hv_code_layout = HvCodeLayoutKind::platform_default;
    // hv.{entry,sync,irq}_code_bytes or hv.code_run_bytes were set: they size
    // the spread layout's paths, so they select it (the measured one has none).
    bool hv_code_bytes_set = false;
    // Options (0 = off, the default; docs/timing-model.md "hv's own data" and
    // "hv's instructions on the core model"): the cycles hv's instructions take
    // on a path, replacing hv.*_insns x cycles_per_insn (measured for the A53
    // model by tools/hv-path-cost), and the bytes of hv's own data a path
    // loads beyond what hv accounts (stack frames, per-CPU and global state;
    // measured by tools/hv-paths/footprint.py), read through the D-side from
    // hv's data pages after its text.
    uint64_t hv_sync_cycles = 0;
    uint64_t hv_irq_cycles = 0;
    uint64_t hv_sync_data_bytes = 0;
    uint64_t hv_irq_data_bytes = 0;
    // Option (0 = off, the default): in hv mode the k-th VM not measured (config
    // order, k = 0, 1, ...) powers on k x this many cycles after boot, so that
    // identical interfering VMs do not run in lockstep (docs/timing-model.md,
    // "The interfering VMs' lockstep").
    uint64_t vm_start_stagger_cycles = 0;
    bool memory_model = true; // caches, TLBs and memory controller (docs/timing-model.md)
    // Option (off, the default until a calibration makes it one): a WFI at a
    // virtual address whose stage-1 translation is elsewhere (Linux's idle
    // loop) idles the vCPU instead of running as a no-op (docs/linux.md#idle).
    bool wfi_through_stage1 = false;
    RegionCores region_cores = RegionCores::mark; // option, off (mark) by default
    uint64_t console_keep_bytes = 256 << 10;      // console transcript kept for the stats file
    cache::HierarchyConfig hierarchy;             // its parameters (cores is set from `cores`)

    // model.core: flat (cycles_per_insn each) or the A53 pipeline (docs/timing-model.md).
    cpu::CoreModel core_model = cpu::CoreModel::flat;
    FastForward fast_forward; // not a model parameter: how this run gets to its point
    // model.scheduler: how a quantum's cores are simulated (docs/parallel.md);
    // `threads` host threads run the parallel one (its figures do not depend on them).
    Scheduler scheduler = Scheduler::serial;
    unsigned threads = 1;
};

enum class CoreState { off, running, idle, stopped };

// The longest quantum accepted: quantum ends (now + quantum) stay far from wrapping.
inline constexpr uint64_t kMaxQuantumCycles = 1ull << 32;

struct CoreStats {
    uint64_t instructions = 0;
    uint64_t cycles = 0;       // active cycles (not idle), stalls included
    uint64_t stall_cycles = 0; // memory-hierarchy, contention and hv stalls
    uint64_t idle_cycles = 0;  // in WFI
    uint64_t loads = 0;
    uint64_t stores = 0;
    uint64_t interrupts = 0; // times the guest's interrupt line rose (not in the stats file)
};

// A core's counters at one instant (the measured region's start or end).
struct RegionSnapshot {
    uint64_t cycle = 0;
    uint64_t instructions = 0;
    cache::CoreMemoryStats memory;
};

// One measured run: a start mark and the end mark after it.
struct RegionSample {
    uint64_t cycles = 0;
    uint64_t instructions = 0;
};

struct RunOutcome {
    ExitCode code = ExitCode::ok;
    std::string reason; // e.g. "system_off", "insn_limit", "guest_fault", "idle_deadlock"
    std::string detail; // one human-readable line
};

// The software that answers a core's exits: the native firmware or hv.
class Supervisor {
  public:
    virtual ~Supervisor() = default;
    // The one entry for a guest's exits, in the architecture's terms: calls,
    // trapped instructions and accesses to trapping pages while the core
    // runs; a wait, or an abort outside the guest's memory, once its run
    // stopped. Returns what the core does next (`idle` for a wait it
    // accepts; `unhandled` makes an abort a fault of the whole run).
    virtual cpu::TrapAction on_exit(unsigned core, cpu::Exit& exit) = 0;
    // MPIDR_EL1 as the guest on `core` sees it.
    virtual uint64_t mpidr(unsigned core) = 0;
    // The physical IRQ line of `core` is asserted. hv mode: hv's IRQ entry
    // runs (and is charged); native mode: the line goes to the guest directly.
    virtual void on_irq(unsigned) {}
    // Whether `core`'s guest sees the virtual CPU interface (hv) or the physical one.
    virtual bool guest_sees_virtual_gic() const { return false; }
    // Sets of cores that share writable guest memory (one mask each): the
    // parallel scheduler runs each set's cores one after another on one host
    // thread (docs/parallel.md). Empty: every core shares with every other.
    virtual std::vector<uint64_t> memory_groups() const { return {}; }
    // A fault no exit describes (an exception the core cannot deliver to
    // the guest). Returns true if the supervisor contained it (stopped the
    // VM) and the run goes on.
    virtual bool on_fault(unsigned, const cpu::Fault&) { return false; }
};

class Machine : public cpu::ExitHandler {
  public:
    Machine(const MachineParams& params, std::ostream* console_out);
    ~Machine() override;

    const MachineParams& params() const { return params_; }
    PhysicalMemory& memory() { return memory_; }
    Console& console() { return console_; }
    const Console& console() const { return console_; }
    unsigned core_count() const { return static_cast<unsigned>(cores_.size()); }
    cpu::Core& core(unsigned i) { return *cores_.at(i); }
    const cpu::Core& core(unsigned i) const { return *cores_.at(i); }
    CoreState state(unsigned i) const { return state_.at(i); }

    // The supervisor also decides where each core's physical IRQ goes: to a
    // hypervisor that gives the guest a virtual one, or to the guest.
    void set_supervisor(Supervisor* supervisor);
    // Native mode: every core sees all RAM at PA = IPA and every device on
    // the bus but a hypervisor's own (the PL011, the GIC distributor and CPU
    // interface on virt).
    void map_native_platform();
    InterruptController& interrupts() { return *intc_; }
    // The devices by physical address.
    Bus& bus() { return bus_; }
    const Bus& bus() const { return bus_; }

    // Platform construction (sim/platform.h): the factory adds the cores in
    // id order, the interrupt controller, and the devices the machine owns.
    void add_core(std::unique_ptr<cpu::Core> core);
    void set_interrupt_controller(std::unique_ptr<InterruptController> intc);
    // Registers `device` on the bus at `where` (its device field is ignored).
    MmioDevice& add_device(Bus::Entry where, std::unique_ptr<MmioDevice> device);
    // Names the console source of each core (default "coreN"); with
    // `prefixed_upstream` hv prints the names itself (Console::add_source).
    void set_console_sources(const std::vector<std::string>& names, bool prefixed_upstream = false);
    // The console source a core's UART output goes to (once the sources are set).
    unsigned console_source(unsigned core) const { return console_.source_of_core(core); }

    // Powers a core on at `entry` with x0 = context, at the caller's current time.
    void power_on(unsigned core, uint64_t entry, uint64_t context, uint64_t at_cycle);
    void power_off(unsigned core);
    // Stops a core for good (its VM stopped); it may be another core than the running one.
    void stop_core(unsigned core);
    void set_idle(unsigned core) {
        if (defer(core, [this, core] { set_idle(core); }))
            return;
        state_.at(core) = CoreState::idle;
        if (log_.enabled(LogSource::cpu, LogLevel::trace))
            log_idle(core);
    }
    // set_idle's trace line, out of line: this header does not include spdlog (sim/log.h).
    void log_idle(unsigned core) const;
    // Ends the whole run after the current quantum step.
    void finish(ExitCode code, std::string reason, std::string detail);
    bool finished() const { return outcome_.has_value(); }
    // The current local time of a core, including the instructions of its running quantum.
    uint64_t now(unsigned core) const;
    // The memory model, or null when model.memory_model is off.
    cache::Hierarchy* hierarchy() { return hierarchy_.get(); }
    const cache::Hierarchy* hierarchy() const { return hierarchy_.get(); }
    // Moves an idle or not yet started core's clock forward to `cycle` (never back).
    void wait_until(unsigned core, uint64_t cycle) {
        if (!defer(core, [this, core, cycle] { wait_until(core, cycle); }))
            clock_.at(core) = std::max(clock_.at(core), cycle);
    }
    // Charges cycles to a core (hv's work on its behalf); the running core's
    // current quantum absorbs them.
    void charge(unsigned core, uint64_t cycles);

    RunOutcome run();
    // Called after every quantum, once every core reached its end (interval statistics, progress).
    using QuantumObserver = std::function<void(uint64_t quantum_end)>;
    void add_quantum_observer(QuantumObserver observer);

    // Fast-forward (params().fast_forward): where the run is.
    enum class Phase { fast_forward, warmup, measuring };
    Phase phase() const { return phase_; }
    // The fast-forward point is reached (Simulation calls it for linux_init):
    // the timing model is on from each core's next slice.
    void reach_fast_forward_point();
    struct FastForwardRecord {
        uint64_t switch_instructions = 0, switch_cycle = 0;   // the timing model went on
        uint64_t measure_instructions = 0, measure_cycle = 0; // warm-up over
    };
    const FastForwardRecord& fast_forward_record() const { return ff_record_; }
    // The memory model while the timing model is on (null while fast-forwarding
    // or without one): what hv's own accesses are charged through.
    // Checkpoints (sim/checkpoint.h), at a quantum boundary: the clocks,
    // states and counters, the measured region, RAM, the console, the memory
    // model, the interrupt controller, the devices and every core.
    void checkpoint(Archive& a);
    cache::Hierarchy* timed_hierarchy() {
        return phase_ == Phase::fast_forward ? nullptr : hierarchy();
    }
    // The run's loggers (sim/log.h; all off unless set), for the machine and its supervisor.
    void set_log(const Loggers& log) { log_ = log; }
    const Loggers& log() const { return log_; }
    // The parallel scheduler's measure of this host (ParallelScheduler::
    // host_round_trip_ns) for the last run; 0 with one host thread.
    double host_round_trip_ns() const { return host_round_trip_ns_; }

    CoreStats stats(unsigned core) const;
    // Cycles charged to `core` through charge() (hv's trap paths, its
    // accounted accesses, interrupt-controller registers) since the run or
    // its restore began: a diagnostic for interval statistics, kept out of
    // checkpoints and of the stats file.
    uint64_t charged_cycles(unsigned core) const { return charged_.at(core); }
    // Records `core`'s counters now, as the measured region's start or end
    // (the first start and the last end are kept); each end closes the
    // latest open start into one run sample.
    void snapshot_region(unsigned core, bool end);
    // The measured VM's cores (a mask), which model.region_cores = vm sums.
    void set_measured_cores(uint64_t mask) { measured_cores_ = mask; }
    const std::optional<RegionSnapshot>& region_start() const { return region_start_; }
    const std::optional<RegionSnapshot>& region_end() const { return region_end_; }
    const std::vector<RegionSample>& region_samples() const { return region_samples_; }
    uint64_t global_cycles() const { return now_; }
    // The most cycles any core's clock was past its quantum's end when the
    // quantum closed (the rest of a block or of an hv path, carried over).
    uint64_t max_overrun_cycles() const { return max_overrun_; }
    // The supervisor's boot ended at `cycle`: one action on one core (hv's
    // recoloring alone is millions of cycles) that every core waits for, so
    // max_overrun_cycles counts only what a quantum ran past it.
    void note_boot_end(uint64_t cycle) { boot_end_ = cycle; }
    uint64_t total_instructions() const;
    // The same, with the running core's current slice (for hooks and observers).
    uint64_t instructions_now() const;

    // cpu::ExitHandler: forwards to the supervisor, answers hardware registers.
    cpu::TrapAction on_exit(cpu::Core& core, cpu::Exit& exit) override;
    std::optional<uint64_t> read_sysreg(cpu::Core& core, uint32_t encoding) override;
    bool write_sysreg(cpu::Core& core, uint32_t encoding, uint64_t value) override;
    void enter_shared(cpu::Core& core) override;

  private:
    friend class ParallelScheduler;
    // Services interrupts and sizes core i's next slice; nullopt when its
    // quantum is over. end_slice books a slice's result; false ends the quantum.
    std::optional<uint64_t> next_slice(unsigned i, uint64_t quantum_end);
    bool end_slice(unsigned i, const cpu::RunResult& r, uint64_t budget, uint64_t quantum_end);
    // One quantum of every core, in core order (the serial scheduler).
    void run_quantum_serial(uint64_t quantum_end);
    // Every core reached the quantum's end: memory contention settles.
    void settle_quantum(uint64_t quantum_end);
    // Parallel scheduler: an action on `core` while another core has the turn
    // waits for `core`'s own turn if that core may be running (true: deferred).
    // Nothing is built on the serial scheduler's path.
    template <typename Action> bool defer(unsigned core, Action&& action) {
        if (!parallel_ || !must_defer(core))
            return false;
        queue_action(core, std::function<void()>(std::forward<Action>(action)));
        return true;
    }
    bool must_defer(unsigned core) const;
    void queue_action(unsigned core, std::function<void()> action);

    void on_lines(unsigned core, const cpu::InterruptLines& lines);
    // The physical IRQ goes to a hypervisor (which gives the guest a virtual one).
    bool irq_to_hypervisor() const { return supervisor_ && supervisor_->guest_sees_virtual_gic(); }
    uint64_t guest_signal_cycles() const;
    // Brings core i's interrupt state up to its clock: timers, hv's IRQ entry, the vIRQ line.
    // hv's IRQ paths start only before `limit`.
    void service_interrupts(unsigned i, uint64_t limit);
    // Skips an idle core's clock to its next event before `limit`.
    void idle_until(unsigned i, uint64_t limit);
    uint64_t next_event(unsigned i) const;
    void run_core(unsigned i, uint64_t quantum_end);
    void check_end_conditions();
    void end_quantum_phases();
    void set_fast_forward(bool on);
    // After a run stopped: the guest's wait (true: the core idles) and a
    // fault (true: the supervisor contained it).
    bool wait(unsigned i, cpu::Exit& exit);
    bool contain_fault(unsigned i, const cpu::Fault& fault);
    RegionSnapshot region_counters(unsigned core) const;
    void note_overrun(unsigned i, uint64_t quantum_end);
    PmuSources pmu_sources(unsigned core) const;

    MachineParams params_;
    PhysicalMemory memory_;
    Console console_;
    bool console_sources_set_ = false;
    unsigned running_core_ = 0;
    bool in_run_ = false; // inside running_core_'s Core::run()
    std::unique_ptr<cache::Hierarchy> hierarchy_;
    std::unique_ptr<InterruptController> intc_;
    Bus bus_;
    std::vector<std::unique_ptr<MmioDevice>> devices_; // the bus's devices the machine owns
    std::vector<std::unique_ptr<cpu::Core>> cores_;
    std::vector<CoreState> state_;
    std::vector<uint64_t> clock_;
    std::vector<CoreStats> stats_;
    std::vector<uint64_t> charged_; // charged_cycles()
    std::vector<Pmu> pmus_;
    Supervisor* supervisor_ = nullptr;
    uint64_t now_ = 0;
    uint64_t max_overrun_ = 0;
    uint64_t boot_end_ = 0; // not in checkpoints: a restored run starts after it
    std::optional<RunOutcome> outcome_;
    std::optional<RegionSnapshot> region_start_, region_end_;
    std::optional<RegionSnapshot> open_start_; // the start mark not yet closed by an end
    std::vector<RegionSample> region_samples_;
    uint64_t measured_cores_ = 0;
    std::vector<QuantumObserver> quantum_observers_;
    Phase phase_ = Phase::measuring;
    FastForwardRecord ff_record_;
    Loggers log_;
    std::unique_ptr<ParallelScheduler> parallel_; // model.scheduler = parallel
    double host_round_trip_ns_ = 0;
};

} // namespace sim

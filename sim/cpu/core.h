// The simulator's abstract core: what the machine and the supervisors need
// from a CPU model, whatever its architecture. A core runs a guest for a
// slice of simulated cycles, exposes its general-purpose registers and PC,
// takes interrupt lines in, and reports exits out in the architecture's own
// terms (the registers a hypervisor's trap entry would read). Arm64Core
// (Unicorn, AArch64) is the first implementation; engine types never leave
// the implementation's files.
#pragma once

#include "sim/cache/hierarchy.hpp"
#include "sim/cpu/trace_port.h"
#include "sim/mmio.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sim {
class Archive;
}

namespace sim::cpu {

class Core;

// What the core does once an exit has been handled.
enum class TrapAction {
    resume,    // return to the guest (registers as the handler left them)
    idle,      // the core waits for an interrupt (a wait exit the handler accepted)
    stop_core, // the core must not run any more (powered off, system off, stopped VM)
    unhandled, // nothing handles this exit: it is a fault of the whole run
};

// The syndrome registers of a trap to the hypervisor, as the architecture
// defines them. AArch64: ESR_EL2.EC, ESR_EL2.ISS, FAR_EL2, HPFAR_EL2
// (RISC-V: scause, htinst, stval, htval; see sim/cpu/rv64_syndrome.h).
struct Syndrome {
    uint32_t cause = 0;      // ESR_EL2.EC
    uint32_t detail = 0;     // ESR_EL2.ISS
    uint64_t address = 0;    // FAR_EL2: the faulting virtual address of an abort
    uint64_t guest_phys = 0; // HPFAR_EL2: FIPA[47:12] in bits [43:4], of a stage-2 abort
};

// Why the guest left: the kind (what the machine acts on) and the
// architectural syndrome (what a hypervisor decodes).
struct Exit {
    enum class Kind {
        call,       // a hypervisor or firmware call (HVC, SMC)
        wait,       // wait for interrupt (WFI)
        system,     // a trapped system instruction (set/way cache maintenance)
        data_abort, // a load or store outside the guest's memory, or to a trapping page
        inst_abort, // an instruction fetch outside the guest's memory
    };
    Kind kind = Kind::call;
    // The preferred return address as the hypervisor's exception link
    // register holds it (ELR_EL2: past an HVC, at any other instruction).
    // The core moves past a handled instruction itself; the handler's PC is
    // not written back.
    uint64_t pc = 0;
    Syndrome syndrome;
    // An access to a trapping page (Core::map_trapping) is completed by the
    // core inside the instruction: `data` holds a store's value on entry and
    // the handler leaves a load's value in it.
    bool in_flight = false;
    uint64_t data = 0;
};

// Receives the exits a core reports while it runs, and the system-register
// accesses the simulator emulates (the architecture's own encoding).
class ExitHandler {
  public:
    virtual ~ExitHandler() = default;
    // Anything but resume ends the core's run.
    virtual TrapAction on_exit(Core& core, Exit& exit) = 0;
    // Value of a system register the guest reads, or nullopt to let the core execute it.
    virtual std::optional<uint64_t> read_sysreg(Core& core, uint32_t encoding) = 0;
    // A system-register write the simulator emulates; false lets the core execute it.
    virtual bool write_sysreg(Core& core, uint32_t encoding, uint64_t value) = 0;
    // Called before a device access (a device is shared by every core): the
    // parallel scheduler makes the core wait there for its turn (docs/parallel.md).
    virtual void enter_shared(Core&) {}
};

enum class StopReason {
    budget, // the cycle budget is spent
    wfi,    // the guest waits for an interrupt: RunResult::exit is the wait exit
    halted, // the exit handler stopped the core
    fault,  // an access outside the (intermediate) physical map, or an exception the core cannot
            // deliver
};

// What the core cannot hand to the guest: a matter for the supervisor.
struct Fault {
    enum class Kind { undefined_instruction, unmapped_read, unmapped_write, unmapped_fetch, other };
    Kind kind = Kind::other;
    uint64_t pc = 0;
    uint64_t address = 0;    // (intermediate) physical address of the access
    uint64_t va = 0;         // the guest's virtual address (= address with its MMU off)
    unsigned size = 0;       // bytes of a data access (0: unknown or a fetch)
    std::string description; // one line naming core, PC, access and address
    // The abort a hypervisor takes for it (an access outside the guest's
    // memory); none for what no hypervisor is entered for.
    std::optional<Exit> exit;
};

// How a core turns instructions into cycles (model.core, docs/timing-model.md).
enum class CoreModel {
    flat, // every instruction costs cycles_per_insn
    a53,  // the Cortex-A53 in-order dual-issue pipeline and branch predictor
};

struct RunResult {
    StopReason reason = StopReason::budget;
    uint64_t instructions = 0; // executed in this call
    // The pipeline's cycles for them (CoreModel::a53); unset: instructions x
    // cycles_per_insn.
    std::optional<uint64_t> core_cycles;
    uint64_t stall_cycles = 0; // memory-hierarchy and hv stalls in this call
    Exit exit;                 // reason == wfi: the wait exit
};

// How the core's instruction fetches and data accesses reach the memory model.
struct MemoryPath {
    cache::Hierarchy* hierarchy = nullptr;    // null: no memory model (1 cycle per instruction)
    const cache::WalkerRef* stage2 = nullptr; // IPA -> PA (hv mode); null: PA = IPA
    uint64_t ram_base = 0, ram_end = 0;       // PAs outside are devices: not cached
    uint32_t tlb_domain = 0; // cores an inner-shareable TLBI reaches (the VM's); 0: this one
};

// The interrupt request lines into one core, as its interrupt controller drives them.
struct InterruptLines {
    bool irq = false;         // the physical IRQ
    bool virtual_irq = false; // the virtual IRQ a hypervisor injects
    // RISC-V: the supervisor interrupts pending (sip's SSIP, STIP and SEIP
    // bits) that `irq` summarizes; the core takes the highest of them.
    uint64_t sip = 0;
    // RISC-V under a hypervisor: the VS interrupts it injects (hvip's VSSIP,
    // VSTIP and VSEIP at sip's SSIP, STIP and SEIP positions), which the
    // guest takes instead of `sip` when the physical ones are the hypervisor's.
    uint64_t vsip = 0;
};

// State the cores of one guest address space (a VM's, or the native
// machine's) share; each core implementation keeps its own kind in it.
class AddressSpace {
  public:
    virtual ~AddressSpace() = default;
};

class Core {
  public:
    virtual ~Core() = default;
    virtual unsigned id() const = 0;

    // The guest's (intermediate) physical address space.
    // Maps host memory at an address; page aligned.
    virtual void map_memory(uint64_t addr, uint64_t size, uint8_t* host) = 0;
    // Maps a device; accesses call it with this core's id.
    virtual void map_device(uint64_t addr, uint64_t size, MmioDevice& device) = 0;
    // Maps a page the hypervisor emulates: each access is a data-abort exit
    // to the exit handler, completed in flight.
    virtual void map_trapping(uint64_t addr, uint64_t size) = 0;
    // Drops translated code of [addr, addr+size) (after the host wrote code there).
    virtual void invalidate_code(uint64_t addr, uint64_t size) = 0;
    virtual void attach_memory(const MemoryPath& path) = 0;
    // Selects how instructions are costed; false if this core has no such
    // model (every core has the flat one).
    virtual bool set_core_model(CoreModel model) { return model == CoreModel::flat; }
    // Fast-forward (docs/checkpoints.md): from the next run() on, the core
    // runs without its timing model (no cache, TLB or pipeline charges: flat
    // cycles) while `on`. False if this core has no fast-forward.
    virtual bool set_fast_forward(bool) { return false; }
    // --fast-forward-uncounted (docs/checkpoints.md): while fast-forwarding,
    // no memory hook (loads and stores not counted). False if this core
    // cannot fast-forward so.
    virtual bool set_fast_forward_uncounted(bool on) { return !on; }
    // model.wfi_through_stage1 (docs/linux.md#idle): the end-of-run WFI check
    // reads the instruction through the guest's stage 1, so a WFI at a
    // virtual address that is not its physical one (Linux's idle loop) idles
    // the vCPU. Off, the check reads the PC as a physical address and such a
    // WFI runs as a no-op (the figures before 2026-12-01). False if this core
    // has no such check to change.
    virtual bool set_wfi_through_stage1(bool on) { return !on; }
    // Checkpoints (sim/checkpoint.h), between runs only: registers, system
    // registers and the core's own bookkeeping. Throws CheckpointError where
    // the core cannot (another architecture, a model without them).
    virtual void checkpoint(Archive& a);
    // A fault report's part of a core's checkpoint (its hypervisor exit is
    // not kept: the report is read only when the run stopped on it).
    static void checkpoint(Archive& a, Fault& fault);
    // A new address space's shared state, of this core's kind; join() makes
    // the core one of that space's cores.
    virtual std::shared_ptr<AddressSpace> new_address_space() const = 0;
    virtual void join(std::shared_ptr<AddressSpace> space) = 0;

    // Architectural reset state (lowest privileged kernel level, interrupts
    // masked, MMU off), at `entry` with the first argument register = context.
    virtual void reset(uint64_t entry, uint64_t context) = 0;
    // Runs for about `budget_cycles` simulated cycles (stopping at a block
    // boundary), starting at core-local cycle `start_cycle`; each instruction
    // costs `cycles_per_insn` (or what the core model says) plus the stalls
    // the memory model returns.
    virtual RunResult run(uint64_t budget_cycles, uint64_t start_cycle,
                          uint64_t cycles_per_insn) = 0;
    // Cycles and instructions of the current run() call (for clocks read by hooks).
    virtual uint64_t cycles_in_run() const = 0;
    virtual uint64_t instructions_in_run() const = 0;
    // Charges host-side work done on this core's behalf (hv's accesses, traps).
    virtual void add_stall(uint64_t cycles) = 0;
    // Ends the current run() at the next opportunity (from a hook or device).
    virtual void request_halt() = 0;
    // Ends the current run() early without stopping the core (an event moved closer).
    virtual void request_yield() = 0;

    // General-purpose registers and the PC.
    virtual uint64_t x(unsigned n) const = 0;
    virtual void set_x(unsigned n, uint64_t value) = 0;
    virtual uint64_t pc() const = 0;
    virtual void set_pc(uint64_t value) = 0;

    // Interrupt lines in. With `to_hypervisor` the physical IRQ is the
    // hypervisor's (Arm: HCR_EL2.IMO) and the guest takes the virtual one;
    // otherwise the guest takes the physical IRQ itself.
    virtual void route_irq_to_hypervisor(bool to_hypervisor) = 0;
    // Returns true if the guest's line rose.
    virtual bool set_interrupt_lines(const InterruptLines& lines) = 0;
    // The guest's interrupt line is asserted.
    virtual bool guest_interrupt_pending() const = 0;

    // Reports and counters.
    virtual const Fault& fault() const = 0;
    virtual uint64_t exceptions_delivered() const = 0; // to the guest's own kernel
    virtual uint64_t loads() const = 0;
    virtual uint64_t stores() const = 0;
    // The core model's own counters, as dotted stats keys under cores[i] (none
    // under the flat model).
    virtual std::vector<std::pair<std::string, uint64_t>> model_counters() const { return {}; }

    // Instruction trace (--trace): attaches `request.sink` (installing the
    // hooks it needs; a core without a trace has none), or detaches with a
    // null sink; before the core first runs (code translated earlier is not
    // traced). False if this core cannot trace.
    virtual bool set_trace(const TraceRequest&) { return false; }
};

} // namespace sim::cpu

// One simulated AArch64 core: a Unicorn instance running a guest at EL1.
// Unicorn types never leave sim/cpu. The core counts instructions per basic
// block (never per instruction), turns HVC/SMC into syndromes for its trap
// handler, stops at WFI, delivers the synchronous exceptions the hardware
// gives the guest's own EL1 (arm64_exception.cpp), and reports what is not
// the guest's to handle (stage-2 faults) naming PC, address and access.
#pragma once

#include "sim/cache/hierarchy.hpp"
#include "sim/cpu/guest_exception.h"
#include "sim/cpu/stage1_walk.h"
#include "sim/cpu/syndrome.h"
#include "sim/mmio.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct uc_struct;

namespace sim::cpu {

class Arm64Core;

enum class TrapAction {
    resume,    // return to the guest (registers as the handler left them)
    stop_core, // the core must not run any more (powered off, system off, stopped VM)
};

// Receives the core's synchronous exits (HVC, SMC) and system-register
// accesses the simulator emulates (MPIDR, the generic counter).
class TrapHandler {
  public:
    virtual ~TrapHandler() = default;
    virtual TrapAction on_trap(Arm64Core& core, const Syndrome& syndrome) = 0;
    // Value of a system register read by MRS, or nullopt to let Unicorn execute it.
    virtual std::optional<uint64_t> read_sysreg(Arm64Core& core, uint32_t encoding) = 0;
    // An MSR the simulator emulates (the generic timers); false lets Unicorn execute it.
    virtual bool write_sysreg(Arm64Core& core, uint32_t encoding, uint64_t value) = 0;
};

// Encodes op0:op1:CRn:CRm:op2 as in the MRS instruction's bits [20:5].
constexpr uint32_t sysreg_encoding(uint32_t op0, uint32_t op1, uint32_t crn, uint32_t crm,
                                   uint32_t op2) {
    return (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}
namespace sysreg {
inline constexpr uint32_t mpidr_el1 = sysreg_encoding(3, 0, 0, 0, 5);
inline constexpr uint32_t cntfrq_el0 = sysreg_encoding(3, 3, 14, 0, 0);
inline constexpr uint32_t cntpct_el0 = sysreg_encoding(3, 3, 14, 0, 1);
inline constexpr uint32_t cntvct_el0 = sysreg_encoding(3, 3, 14, 0, 2);
inline constexpr uint32_t cntp_tval_el0 = sysreg_encoding(3, 3, 14, 2, 0);
inline constexpr uint32_t cntp_ctl_el0 = sysreg_encoding(3, 3, 14, 2, 1);
inline constexpr uint32_t cntp_cval_el0 = sysreg_encoding(3, 3, 14, 2, 2);
inline constexpr uint32_t cntv_tval_el0 = sysreg_encoding(3, 3, 14, 3, 0);
inline constexpr uint32_t cntv_ctl_el0 = sysreg_encoding(3, 3, 14, 3, 1);
inline constexpr uint32_t cntv_cval_el0 = sysreg_encoding(3, 3, 14, 3, 2);
inline constexpr uint32_t dczid_el0 = sysreg_encoding(3, 3, 0, 0, 7);
} // namespace sysreg

// DCZID_EL0 as the core presents it: DZP set (DC ZVA prohibited), 64-byte
// blocks. Unicorn 2.0.1's DC ZVA to a virtual address no region covers
// crashes the host (unicorn-notes.md); with DZP set Linux's memset and
// clear_page never issue it.
inline constexpr uint64_t dczid_el0_prohibited = 0x14;

enum class StopReason {
    budget, // the instruction budget is spent
    wfi,    // the guest executed WFI: idle until an event
    halted, // the trap handler stopped the core
    fault,  // an access outside the (intermediate) physical map, or an exception the core cannot
            // deliver
};

// What the core cannot hand to the guest: a stage-2 matter for the supervisor.
struct Fault {
    enum class Kind { undefined_instruction, unmapped_read, unmapped_write, unmapped_fetch, other };
    Kind kind = Kind::other;
    uint64_t pc = 0;
    uint64_t address = 0;    // (intermediate) physical address of the access
    uint64_t va = 0;         // the guest's virtual address (= address with its MMU off)
    unsigned size = 0;       // bytes of a data access (0: unknown or a fetch)
    std::string description; // one line naming core, PC, access and address
};

struct RunResult {
    StopReason reason = StopReason::budget;
    uint64_t instructions = 0; // executed in this call
    uint64_t stall_cycles = 0; // memory-hierarchy and hv stalls in this call
};

// How the core's instruction fetches and data accesses reach the memory model.
struct MemoryPath {
    cache::Hierarchy* hierarchy = nullptr;    // null: no memory model (1 cycle per instruction)
    const cache::WalkerRef* stage2 = nullptr; // IPA -> PA (hv mode); null: PA = IPA
    uint64_t ram_base = 0, ram_end = 0;       // PAs outside are devices: not cached
    uint32_t tlb_domain = 0; // cores an inner-shareable TLBI reaches (the VM's); 0: this one
};

class Arm64Core {
  public:
    Arm64Core(unsigned id, TrapHandler& traps);
    ~Arm64Core();
    Arm64Core(const Arm64Core&) = delete;
    Arm64Core& operator=(const Arm64Core&) = delete;

    unsigned id() const { return id_; }

    // Maps host memory at a guest (intermediate) physical address; page aligned.
    void map_memory(uint64_t addr, uint64_t size, uint8_t* host);
    // Maps a device; accesses call it with this core's id.
    void map_device(uint64_t addr, uint64_t size, MmioDevice& device);
    // Drops translated code of [addr, addr+size) (after the host wrote code there).
    void invalidate_code(uint64_t addr, uint64_t size);

    // Architectural reset state at EL1h, interrupts masked, MMU off; x0 = context.
    void reset(uint64_t entry, uint64_t context);
    void attach_memory(const MemoryPath& path);
    // Runs for about `budget_cycles` simulated cycles (it stops at a block
    // boundary), starting at core-local cycle `start_cycle`; each instruction
    // costs `cycles_per_insn` plus the stalls the memory model returns.
    RunResult run(uint64_t budget_cycles, uint64_t start_cycle, uint64_t cycles_per_insn);
    // Cycles elapsed in the current run() call (for clocks read by hooks).
    uint64_t cycles_in_run() const { return executed_ * cpi_ + stall_; }
    uint64_t instructions_in_run() const { return executed_; }
    // Charges host-side work done on this core's behalf (hv's accesses, traps).
    void add_stall(uint64_t cycles) { stall_ += cycles; }
    uint64_t now() const { return start_cycle_ + cycles_in_run(); }

    uint64_t x(unsigned n) const;
    void set_x(unsigned n, uint64_t value);
    uint64_t pc() const;
    void set_pc(uint64_t value);

    // Ends the current run() at the next opportunity (from a hook or device).
    void request_halt();
    // Ends the current run() early without stopping the core (an event moved closer).
    void request_yield();
    // The virtual IRQ line (HCR_EL2.VI): Unicorn's core takes it architecturally.
    // Returns true if the line rose.
    bool set_virtual_irq(bool asserted);
    bool virtual_irq() const { return virq_; }

    // Takes `e` at the guest's EL1 as the hardware would (ESR/FAR/ELR/SPSR,
    // PSTATE, PC = VBAR_EL1 + slot). Usable from hooks and between runs.
    void deliver(const GuestException& e);
    uint64_t exceptions_delivered() const { return delivered_; }
    // The guest's stage-1 walk of `va` as its registers now define it.
    Stage1Walk walk_stage1(uint64_t va, Stage1Access access, bool el0) const;

    const Fault& fault() const { return fault_; }
    // Placeholder regions mapped so far (virtual-address windows, see
    // map_placeholder); at most kMaxPlaceholders.
    size_t placeholders() const { return placeholders_; }
    // What the cores of one address space (a VM, or the native machine)
    // share. The placeholder windows: each core maps the others' windows
    // before it runs, so a CPU brought up later fetches through the
    // kernel's windows too (Unicorn 2.0.1 crashes on a fetch from a
    // virtual address no region covers, instead of calling the hook). The
    // cores: each is its own Unicorn instance, so code one core modifies
    // stays stale in the others' translations until the modifying core's
    // IC IVAU / IC IALLUIS reaches them (arm64_code_sync.cpp).
    struct SharedAddressSpace {
        std::vector<std::pair<uint64_t, uint64_t>> windows;
        std::vector<Arm64Core*> cores;
    };
    using PlaceholderWindows = SharedAddressSpace;
    void share_placeholders(std::shared_ptr<PlaceholderWindows> windows);
    // Code ranges this core dropped on the others' IC broadcasts.
    uint64_t code_invalidations() const { return code_invalidations_; }
    uint64_t loads() const { return loads_; }
    uint64_t stores() const { return stores_; }

  private:
    static void on_block(uc_struct* uc, uint64_t address, uint32_t size, void* self);
    static void on_interrupt(uc_struct* uc, uint32_t intno, void* self);
    static bool on_unmapped(uc_struct* uc, int type, uint64_t address, int size, int64_t value,
                            void* self);
    static void on_memory(uc_struct* uc, int type, uint64_t address, int size, int64_t value,
                          void* self);
    static uint32_t on_mrs(uc_struct* uc, int reg, const void* cp_reg, void* self);
    static uint32_t on_msr(uc_struct* uc, int reg, const void* cp_reg, void* self);
    static uint32_t on_sys(uc_struct* uc, int reg, const void* cp_reg, void* self);
    static bool on_fetch_prot(uc_struct* uc, int type, uint64_t address, int size, int64_t value,
                              void* self);
    static void on_vector(uc_struct* uc, uint64_t address, uint32_t size, void* self);
    static uint64_t on_mmio_read(uc_struct* uc, uint64_t offset, unsigned size, void* binding);
    static void on_mmio_write(uc_struct* uc, uint64_t offset, unsigned size, uint64_t value,
                              void* binding);

    void raise_fault(Fault::Kind kind, uint64_t pc, uint64_t address, const std::string& what);
    // Covers a translated VA with a placeholder region (arm64_placeholder.cpp).
    bool map_placeholder(uint64_t va);
    void adopt_shared_placeholders();
    // arm64_code_sync.cpp: a TLBI ...IS or IC instruction broadcast to the
    // address space's other cores, which drop their stale translations
    // (Unicorn's TLB, translated code) before they next run.
    void tlbi_broadcast();
    void instruction_cache_op(bool all, uint64_t va);
    void note_code_change(uint64_t ipa_page, bool all);
    void apply_broadcasts();
    void flush_unicorn_tlb();
    void leave_address_space();
    void note_mapped(uint64_t addr, uint64_t size);
    bool ipa_mapped(uint64_t ipa) const;
    void handle_call(uint32_t ec_value);
    uint32_t read_word(uint64_t addr) const;
    uint64_t pstate() const;
    bool at_el0() const { return ((pstate() >> 2) & 3) == 0; }
    uint64_t read_cp(uint32_t op0, uint32_t op1, uint32_t crn, uint32_t crm, uint32_t op2) const;
    // arm64_exception.cpp: Unicorn's exception numbers as the architecture's exceptions.
    void take_exception(uint32_t intno);
    bool take_stage1_fault(uint64_t va, Stage1Access access, unsigned size);
    GuestException data_abort(uint64_t pc);
    GuestException inst_abort(uint64_t pc);
    uint64_t fault_address(uint32_t insn, uint64_t hook_address) const;
    void enter_from_el0(uint64_t vbar);
    void install_vector_hook(uint64_t vbar);
    // After uc_emu_start returned (`failed`: with an error): finishes what
    // hooks left (deliveries, the EL0 entry's redirect). True to run on;
    // clears `failed` when the error was the guest's own exception.
    bool resume_after_stop(bool& failed);
    void enter_from_el1(const GuestException& e, uint64_t pstate, uint64_t vector);
    uint64_t vector_fetch(uint64_t address);

    struct DeviceBinding {
        Arm64Core* core;
        MmioDevice* device;
    };

    unsigned id_;
    TrapHandler& traps_;
    uc_struct* uc_ = nullptr;
    std::vector<std::unique_ptr<DeviceBinding>> devices_;
    void model_data(uint64_t address, int size, bool is_write);
    void model_fetch(uint64_t address, uint32_t size);
    // stage1_timing.cpp: the guest's stage 1 in the timing model (tlb.guest_stage1).
    static void walk_nested(void* self, uint64_t va, cache::AccessKind kind,
                            cache::WalkResult& out);
    static bool read_nested_descriptor(void* walk, uint64_t ipa, uint64_t& desc);
    // An MSR to SCTLR/TCR/TTBR0/TTBR1_EL1 (before Unicorn executes it).
    void stage1_register_write(uint32_t encoding, uint64_t value);
    // A TLBI at EL1 (op1 = 0, CRn = 8) with its operand; Unicorn executes it too.
    void guest_tlbi(uint32_t crm, uint32_t op2, uint64_t operand);
    void refuse_granule(uint64_t va);

    MemoryPath memory_;
    // The guest's stage-1 registers as its MSRs wrote them (only the timing
    // model reads these; the exception path reads Unicorn's own).
    Stage1Regs stage1_{};
    bool stage1_model_ = false; // tlb.guest_stage1 with a memory model attached
    bool stage1_on_ = false;    // ... and SCTLR_EL1.M set: hooks report VAs to walk
    bool granule_refused_ = false;
    cache::WalkerRef nested_walker_{&Arm64Core::walk_nested, this};
    uint64_t budget_ = 0; // cycles
    uint64_t executed_ = 0;
    uint64_t stall_ = 0;
    uint64_t cpi_ = 1;
    uint64_t start_cycle_ = 0;
    bool virq_ = false;
    bool running_ = false;
    std::optional<uint64_t> stopped_at_block_; // on_block stopped before this block ran
    std::optional<StopReason> stop_;
    Fault fault_;
    // Exception delivery: what hooks found waits until uc_emu_start returns
    // (writing PC or flushing code from inside a hook misbehaves in 2.0.1);
    // the EL0 entry's one-shot redirect hook (unicorn-notes.md).
    std::optional<GuestException> pending_;
    struct LastAccess {
        uint64_t address = 0;
        unsigned size = 0;
        bool is_write = false;
    } last_access_;
    size_t vector_hook_ = 0;
    uint64_t vector_hook_vbar_ = 0;
    bool vector_redirect_ = false;
    bool vector_hit_ = false; // the EL0 entry reached VBAR_EL1 + 0x480: redirect it
    uint64_t delivered_ = 0;
    uint64_t last_vector_ = 0; // where the last delivery went, and what it was (for reports)
    std::string last_what_;
    uint64_t loads_ = 0;
    uint64_t stores_ = 0;
    // What is mapped into Unicorn ([first, second) address ranges, sorted):
    // the VM's memory and devices, then placeholders.
    std::vector<std::pair<uint64_t, uint64_t>> mapped_;
    std::vector<std::pair<uint64_t, uint64_t>> backed_; // memory and devices only
    size_t placeholders_ = 0;
    std::shared_ptr<PlaceholderWindows> shared_windows_ = std::make_shared<PlaceholderWindows>();
    size_t adopted_ = 0;                     // shared windows this core has mapped
    std::vector<uint64_t> stale_code_pages_; // IPA pages other cores invalidated
    bool stale_code_all_ = false;            // ... or all of them (IC IALLUIS)
    bool stale_tlb_ = false;                 // another core's TLBI ...IS
    uint64_t code_invalidations_ = 0;
};

} // namespace sim::cpu

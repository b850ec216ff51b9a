// One simulated AArch64 core (the first cpu::Core): a Unicorn instance
// running a guest at EL1. Unicorn types never leave sim/cpu. The core counts
// instructions per basic block (never per instruction), reports HVC/SMC,
// trapped set/way maintenance and WFI as exits with ESR_EL2-shaped
// syndromes, delivers the synchronous exceptions the hardware gives the
// guest's own EL1 (arm64_exception.cpp), and reports what is not the
// guest's to handle as stage-2 aborts (arm64_trap.cpp): accesses to
// trapping pages in flight, accesses outside its memory as a fault naming
// PC, address and access.
#pragma once

#include "sim/cpu/address_ranges.h"
#include "sim/cpu/arm64_syndrome.h"
#include "sim/cpu/arm64_sysregs.h"
#include "sim/cpu/core.h"
#include "sim/cpu/guest_exception.h"
#include "sim/cpu/memory_hook_switch.h"
#include "sim/cpu/stage1_walk.h"
#include "sim/cpu/unicorn_code_buffer.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

struct uc_struct;

namespace sim::cpu {
namespace a53 {
class Model;
struct ModelStats;
} // namespace a53
struct Arm64Trace;

class Arm64Core final : public Core {
  public:
    Arm64Core(unsigned id, ExitHandler& exits);
    ~Arm64Core() override;
    Arm64Core(const Arm64Core&) = delete;
    Arm64Core& operator=(const Arm64Core&) = delete;

    unsigned id() const override { return id_; }

    void map_memory(uint64_t addr, uint64_t size, uint8_t* host) override;
    void map_device(uint64_t addr, uint64_t size, MmioDevice& device) override;
    void map_trapping(uint64_t addr, uint64_t size) override;
    void invalidate_code(uint64_t addr, uint64_t size) override;
    void attach_memory(const MemoryPath& path) override;
    bool set_core_model(CoreModel model) override;
    bool set_fast_forward(bool on) override {
        fast_forward_next_ = on;
        return true;
    }
    bool set_fast_forward_uncounted(bool on) override; // arm64_uncounted.cpp
    bool set_wfi_through_stage1(bool on) override {
        wfi_through_stage1_ = on;
        return true;
    }
    void checkpoint(Archive& a) override; // arm64_checkpoint.cpp
    // The A53 model's counters (nullopt under the flat model).
    std::optional<a53::ModelStats> core_model_stats() const;
    std::vector<std::pair<std::string, uint64_t>> model_counters() const override;
    bool set_trace(const TraceRequest& request) override; // arm64_trace.cpp
    // The address space's placeholder windows (see PlaceholderWindows).
    std::shared_ptr<AddressSpace> new_address_space() const override;
    void join(std::shared_ptr<AddressSpace> space) override;

    // Architectural reset state at EL1h, interrupts masked, MMU off; x0 = context.
    void reset(uint64_t entry, uint64_t context) override;
    RunResult run(uint64_t budget_cycles, uint64_t start_cycle, uint64_t cycles_per_insn) override;
    uint64_t cycles_in_run() const override {
        return (a53_ && !fast_forward_ ? core_cycles_ : executed_ * cpi_) + stall_;
    }
    uint64_t instructions_in_run() const override { return executed_; }
    void add_stall(uint64_t cycles) override { stall_ += cycles; }
    uint64_t now() const { return start_cycle_ + cycles_in_run(); }
    void request_halt() override;
    void request_yield() override;

    uint64_t x(unsigned n) const override;
    void set_x(unsigned n, uint64_t value) override;
    uint64_t pc() const override;
    void set_pc(uint64_t value) override;

    // The guest at EL1 takes its interrupt as the virtual IRQ (HCR_EL2.VI):
    // Unicorn's core takes it architecturally; natively the physical line
    // drives it, under hv the virtual one.
    void route_irq_to_hypervisor(bool to_hypervisor) override { irq_to_hv_ = to_hypervisor; }
    bool set_interrupt_lines(const InterruptLines& lines) override;
    bool guest_interrupt_pending() const override { return virq_; }

    // Takes `e` at the guest's EL1 as the hardware would (ESR/FAR/ELR/SPSR,
    // PSTATE, PC = VBAR_EL1 + slot). Usable from hooks and between runs.
    void deliver(const GuestException& e);
    uint64_t exceptions_delivered() const override { return delivered_; }
    // The guest's stage-1 walk of `va` as its registers now define it.
    Stage1Walk walk_stage1(uint64_t va, Stage1Access access, bool el0) const;

    const Fault& fault() const override { return fault_; }
    // Placeholder regions mapped so far (virtual-address windows, see
    // map_placeholder); at most kMaxPlaceholders.
    size_t placeholders() const { return placeholders_; }
    // What the cores of one address space (a VM, or the native machine)
    // share. The placeholder windows: each core maps the others' windows
    // before it runs, so a CPU brought up later fetches through the
    // kernel's windows at once (a fetch from a virtual address no region
    // covers stops uc_emu_start to map one, on_unmapped). The
    // cores: each is its own Unicorn instance, so code one core modifies
    // stays stale in the others' translations until the modifying core's
    // IC IVAU / IC IALLUIS reaches them (arm64_code_sync.cpp).
    struct SharedAddressSpace {
        std::vector<std::pair<uint64_t, uint64_t>> windows;
        std::vector<Arm64Core*> cores;
    };
    using PlaceholderWindows = SharedAddressSpace;
    // Code ranges this core dropped on the others' IC broadcasts.
    uint64_t code_invalidations() const { return code_invalidations_; }
    uint64_t loads() const override { return loads_; }
    uint64_t stores() const override { return stores_; }

    // The watch over Unicorn's translated-code buffer (tests shrink its limit).
    CodeBufferWatch& code_buffer() { return code_buffer_; }

  private:
    static void on_block(uc_struct* uc, uint64_t address, uint32_t size, void* self);
    // The block hook under model.core = a53 (set_core_model installs it).
    static void on_a53_block(uc_struct* uc, uint64_t address, uint32_t size, void* self);
    using BlockHook = void (*)(uc_struct*, uint64_t, uint32_t, void*);
    void set_block_hook(BlockHook hook);
    bool block_needs_checks(uint64_t address) const;
    // The same, the run's cycles given by `cycles()` (the caller knows the model).
    template <typename Cycles> bool block_needs_checks(uint64_t address, Cycles&& cycles) const {
        return yield_at_block_ || cycles() >= budget_ || (address & 3) ||
               (stage1_.sctlr & sctlr_sp_alignment_checks) || trace_;
    }
    [[gnu::noinline]] void on_checked_block(uc_struct* uc, uint64_t address, uint32_t size);
    void model_block(uint64_t address, uint32_t size); // the timing model's share of a block
    static void on_interrupt(uc_struct* uc, uint32_t intno, void* self);
    static bool on_unmapped(uc_struct* uc, int type, uint64_t address, int size, int64_t value,
                            void* self);
    static void on_memory(uc_struct* uc, int type, uint64_t address, int size, int64_t value,
                          void* self);
    // arm64_uncounted.cpp: the memory hook, present unless fast-forwarding
    // uncounted; without it, an access's PC and last_access_ come from the
    // softmmu helper it went through.
    void update_memory_hook();
    bool recover_access(uint64_t address);
    void raise_unplaced_access(const char* what, uint64_t address);
    void recover_last_access();
    void forget_access();
    static uint32_t on_mrs(uc_struct* uc, int reg, const void* cp_reg, void* self);
    static uint32_t on_msr(uc_struct* uc, int reg, const void* cp_reg, void* self);
    // arm64_el0_access.cpp: whether an access at EL0 may reach the machine's
    // registers, as CNTKCTL_EL1 (Unicorn's) and PMUSERENR_EL0 (the PMU's) say.
    bool el0_may_reach(uint32_t op1, uint32_t crn, uint32_t crm, uint32_t op2, bool write);
    // An UNDEFINED `insn` at EL0 that is an access to a timer or PMU register:
    // Unicorn refused it; the architecture reports a trapped MRS/MSR (EC 0x18).
    static void classify_el0_sysreg_trap(uint32_t insn, GuestException& e);
    static uint32_t on_sys(uc_struct* uc, int reg, const void* cp_reg, void* self);
    static bool on_fetch_prot(uc_struct* uc, int type, uint64_t address, int size, int64_t value,
                              void* self);
    static void on_vector(uc_struct* uc, uint64_t address, uint32_t size, void* self);
    static uint64_t on_mmio_read(uc_struct* uc, uint64_t offset, unsigned size, void* binding);
    static uint64_t on_trap_read(uc_struct* uc, uint64_t offset, unsigned size, void* binding);
    static void on_trap_write(uc_struct* uc, uint64_t offset, unsigned size, uint64_t value,
                              void* binding);
    static void on_mmio_write(uc_struct* uc, uint64_t offset, unsigned size, uint64_t value,
                              void* binding);

    void raise_fault(Fault::Kind kind, uint64_t pc, uint64_t address, const std::string& what);
    // arm64_trap.cpp: aborts reported to EL2.
    uint32_t insn_at(uint64_t pc) const;
    Exit data_abort_exit(uint64_t pc, uint64_t va, uint64_t ipa, bool is_write) const;
    static Exit inst_abort_exit(uint64_t va, uint64_t ipa);
    uint64_t trapped_access(uint64_t ipa, unsigned size, bool is_write, uint64_t value);
    void note_abort(Fault::Kind kind, uint64_t pc, uint64_t ipa);
    void raise_stage2_abort(uint64_t va, uint64_t ipa, Stage1Access access, unsigned bytes,
                            bool walk = false);
    void raise_translate_walk_abort(uint64_t table_ipa);
    void raise_maintenance_abort(uint64_t va, uint64_t ipa, bool walk, const char* what);
    // arm64_exception.cpp: the translation a DC by VA makes, which Unicorn skips.
    void check_cache_op_translation(uint64_t va, bool invalidate);
    // Unicorn's TLB fill asks these (unicorn_stage2.c, arm64_trap.cpp).
    bool backs(uint64_t ipa) const;    // the VM's memory, a device or a trapping page
    bool region_at(uint64_t va) const; // some Unicorn region holds the address
    static int may_enter_page(void* self, uint64_t va, uint64_t pa);
    static int backs_table(void* self, uint64_t pa);
    static bool read_descriptor(void* self, uint64_t ipa, uint64_t& desc);
    static void on_unbacked_translation(void* self, uint64_t va, uint64_t pa, int access,
                                        unsigned size, int walk);
    // Covers a translated VA with a placeholder region (arm64_placeholder.cpp).
    bool map_placeholder(uint64_t va);
    void adopt_shared_placeholders();
    // arm64_code_sync.cpp: a TLBI ...IS or IC instruction broadcast to the
    // address space's other cores, which drop their stale translations
    // (Unicorn's TLB, translated code) before they next run.
    void tlbi_broadcast();
    void instruction_cache_op(bool all, uint64_t va);
    void note_code_change(uint64_t ipa_page, bool all);
    // arm64_a53.cpp: the A53 model's hooks (model.core = a53).
    uint64_t charge_a53(uint64_t address, uint32_t size);
    uint64_t code_ipa(uint64_t va);
    void code_changed(uint64_t ipa_page, bool all);
    void code_translation_changed();
    void apply_broadcasts();
    void flush_unicorn_tlb();
    void leave_address_space();
    void note_mapped(uint64_t addr, uint64_t size);
    bool ipa_mapped(uint64_t ipa) const;
    void handle_call(uint32_t ec_value);
    // Reports a synchronous exit to the handler; ends the run unless it resumes.
    TrapAction report(Exit& exit);
    Exit wait_exit() const;
    bool set_virtual_irq(bool asserted);
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
    // QEMU took an IRQ between the exception's raise and its delivery: the
    // IRQ slot (VBAR_EL1 offset) the core stands at, if so.
    std::optional<uint64_t> irq_entry_since(const GuestException& e, uint64_t vbar) const;
    uint64_t vector_fetch(uint64_t address);
    // arm64_sp_alignment.cpp: SCTLR_EL1.SA/SA0, checked from the block hook.
    static constexpr uint64_t sctlr_sp_alignment_checks = (1ull << 3) | (1ull << 4);
    uint64_t sp() const;
    uint64_t sp_from_unicorn() const;
    bool sp_misaligned_at_block() const;
    bool sp_checked_here() const;
    std::optional<uint64_t> first_sp_access(uint64_t block, uint32_t size) const;
    uint8_t sp_use_of(uint32_t word) const; // sp_use (access_decode.h), remembered
    void raise_sp_alignment(uint64_t at);
    bool check_sp_alignment(uint64_t block, uint32_t size);
    bool update_sp_watch();
    void clear_sp_watch();
    static void on_sp_watch(uc_struct* uc, uint64_t address, uint32_t size, void* self);

    struct DeviceBinding {
        Arm64Core* core;
        MmioDevice* device;
    };

    unsigned id_;
    ExitHandler& exits_;
    uc_struct* uc_ = nullptr;
    std::vector<std::unique_ptr<DeviceBinding>> devices_;
    struct TrapBinding {
        Arm64Core* core;
        uint64_t base; // of the trapping mapping
    };
    std::vector<std::unique_ptr<TrapBinding>> traps_;
    // Unicorn's MMIO regions take at most 4 bytes a call (QEMU's default
    // impl.max_access_size), so a 64-bit load or store to a trapping page
    // comes as two calls from one instruction, low half first. EL2 must see
    // one 8-byte abort: the first call reports a load (and keeps its high
    // half here) or keeps a store's low half; the second completes it.
    struct SplitAccess {
        bool pending = false;
        bool is_write = false;
        uint64_t pc = 0;
        uint64_t second_ipa = 0; // the high half's
        uint64_t va = 0;         // the access's (a store's, reported at the second call)
        uint64_t value = 0;      // a load's high half, or a store's low half
    } split_;
    // The timing model's share of a load or store (on_memory) and of a block's
    // fetch (model_block, on_a53_block). model_data and fetch_timing are inline
    // in arm64_core.cpp, so that a hook's common case (micro-TLB and L1 hits)
    // is one call frame, Unicorn's call of the hook.
    void model_data(uint64_t address, int size, bool is_write);
    void model_fetch(uint64_t address, uint32_t size);
    void fetch_timing(uint64_t address, uint32_t size);
    // stage1_timing.cpp: the guest's stage 1 in the timing model (tlb.guest_stage1).
    static void walk_nested(void* self, uint64_t va, cache::AccessKind kind,
                            cache::WalkResult& out);
    static bool read_nested_descriptor(void* walk, uint64_t ipa, uint64_t& desc);
    // An MSR to SCTLR/TCR/TTBR0/TTBR1_EL1 (before Unicorn executes it).
    void stage1_register_write(uint32_t encoding, uint64_t value);
    // A TLBI at EL1 (op1 = 0, CRn = 8) with its operand; Unicorn executes it too.
    void guest_tlbi(uint32_t crm, uint32_t op2, uint64_t operand);
    void refuse_granule(uint64_t va);
    // arm64_trace.cpp: the instruction trace's hooks (installed only while tracing).
    static void on_trace_code(uc_struct* uc, uint64_t address, uint32_t size, void* self);
    static void on_trace_memory(uc_struct* uc, int type, uint64_t address, int size, int64_t value,
                                void* self);
    void trace_block(uint64_t address, uint32_t size); // from on_block, before it is charged
    void trace_flush();                                // the run stops: hand over what waits
    const std::vector<uint32_t>* trace_a53_issue(uint64_t address, uint32_t size, uint64_t& cost);
    uint64_t trace_ipa(uint64_t va) const;
    uint64_t trace_pa(uint64_t va) const;

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
    std::unique_ptr<a53::Model> a53_; // model.core = a53
    uint64_t core_cycles_ = 0;        // the A53 pipeline's cycles in this run
    // Fast-forward: no timing model in this run (set from fast_forward_next_
    // when a run starts, so one run is costed one way).
    bool fast_forward_ = false;
    bool fast_forward_next_ = false;
    bool wfi_through_stage1_ = false; // model.wfi_through_stage1
    MemoryHookSwitch memory_hook_;
    bool retranslate_all_ = false; // drop Unicorn's translations only (apply_broadcasts)
    uint64_t start_cycle_ = 0;
    bool virq_ = false;      // HCR_EL2.VI as the guest's line drives it
    bool irq_to_hv_ = false; // HCR_EL2.IMO: the physical IRQ is the hypervisor's
    bool running_ = false;
    bool yield_at_block_ = false;              // request_yield: on_block stops at the next block
    std::optional<uint64_t> stopped_at_block_; // on_block stopped before this block ran
    // Unicorn's translated code, flushed between two uc_emu_start calls
    // before its buffer fills (unicorn_code_buffer.h); it stops the run at a
    // block the way a yield does.
    CodeBufferWatch code_buffer_{[this] { yield_at_block_ = true; }};
    bool flush_full_code_buffer();
    std::optional<StopReason> stop_;
    Fault fault_;
    // Exception delivery: what hooks found waits until uc_emu_start returns
    // (writing PC or flushing code from inside a hook misbehaves in 2.0.1);
    // the EL0 entry's one-shot redirect hook (unicorn-notes.md).
    std::optional<GuestException> pending_;
    // Unicorn 2.0.1's empty TLB entries (all ones) match the last page of
    // the address space, so an access there reads through a flushed entry
    // (its addend -1: SIGSEGV in load_helper). No region ever covers that
    // page, and an access the guest's tables let through there stops the
    // core with a reason instead (on_unmapped).
    static constexpr uint64_t unicorn_top_page = ~uint64_t{0xfff};
    // A fetch's virtual address that needs a placeholder region, which
    // cannot be mapped while Unicorn translates (on_unmapped).
    std::optional<uint64_t> placeholder_due_;
    struct LastAccess {
        uint64_t address = 0;
        unsigned size = 0;
        bool is_write = false;
    } last_access_;
    size_t block_hook_ = 0;
    BlockHook block_hook_fn_ = nullptr;
    size_t vector_hook_ = 0;
    uint64_t vector_hook_vbar_ = 0;
    bool vector_redirect_ = false;
    bool vector_hit_ = false; // the EL0 entry reached VBAR_EL1 + 0x480: redirect it
    // The SP alignment check's one-shot code hook: the instruction it
    // watches (until it runs) and the block that asked for it.
    std::optional<uint64_t> sp_watch_;
    std::optional<uint64_t> sp_watch_block_;
    // sp_use of the words the check decoded: a function of the word alone,
    // and Capstone's decode is what made a guest looping with a misaligned
    // SP run 50x slower. Bounded (random code holds many distinct words).
    mutable std::unordered_map<uint32_t, uint8_t> sp_uses_;
    // sp()'s direct read of Unicorn's CPU state (unicorn_access_pc.c): the
    // slot once it has agreed with uc_reg_read 64 times, the checks
    // left, and whether one ever disagreed.
    mutable const uint64_t* sp_slot_ = nullptr;
    mutable unsigned sp_checks_left_ = 64;
    mutable bool sp_direct_off_ = false;
    size_t sp_watch_hook_ = 0;
    uint64_t delivered_ = 0;
    uint64_t last_vector_ = 0; // where the last delivery went, and what it was (for reports)
    std::string last_what_;
    uint64_t loads_ = 0;
    uint64_t stores_ = 0;
    // What is mapped into Unicorn ([first, second) address ranges, sorted):
    // the VM's memory and devices, then placeholders.
    std::vector<std::pair<uint64_t, uint64_t>> mapped_;
    bool covered(uint64_t va) const; // some range of mapped_ holds va
    void cover_placeholder(uint64_t va, Stage1Access access);
    static void before_split_store(void* self, uint64_t first, uint64_t last);
    void cover_access_end(uint64_t va, unsigned bytes, Stage1Access access);
    // Placeholder windows are 16 MiB (1 GiB above the PA size, whose
    // boundaries are 16 MiB ones too): an access whose first and last bytes
    // differ above this bit may run into another window.
    static constexpr unsigned placeholder_window_shift = 24;
    AddressRanges backed_;     // the VM's memory
    AddressRanges devices_at_; // devices (map_device)
    AddressRanges traps_at_;   // trapping pages
    size_t placeholders_ = 0;
    std::shared_ptr<PlaceholderWindows> shared_windows_ = std::make_shared<PlaceholderWindows>();
    size_t adopted_ = 0;                     // shared windows this core has mapped
    std::vector<uint64_t> stale_code_pages_; // IPA pages other cores invalidated
    bool stale_code_all_ = false;            // ... or all of them (IC IALLUIS)
    bool stale_tlb_ = false;                 // another core's TLBI ...IS
    uint64_t code_invalidations_ = 0;
    std::unique_ptr<Arm64Trace> trace_; // --trace on this core
};

} // namespace sim::cpu

// One simulated RV64 hart (the second cpu::Core): a Unicorn RISC-V instance
// running a guest in S-mode, entered through a one-instruction M-mode stub
// (mret) at reset. Unicorn types never leave sim/cpu.
//
// Unicorn 2.0.1 reports every RISC-V exception to UC_HOOK_INTR and drops
// it, with PC already advanced by 4 (unicorn-notes.md); it has no CSR hooks
// and ignores host writes of the M-level interrupt bits from S-mode. So this
// core does what the hardware and M-mode firmware would:
//   - ECALL is an exit (Exit::Kind::call, scause 9) for the supervisor (the
//     native firmware answers SBI);
//   - rdtime/rdcycle/rdinstret trap as illegal instructions: the core
//     decodes the CSR read and answers from simulated time and its own
//     counts (deterministic), through ExitHandler::read_sysreg for `time`;
//   - the guest's synchronous exceptions and its supervisor interrupts are
//     delivered to STVEC with SEPC, SCAUSE, STVAL and SSTATUS.SPP/SPIE/SIE
//     as the privileged spec says (rv64_exception.cpp);
//   - WFI ends the run as a wait exit.
// Guests must not contain compressed instructions (Unicorn's misa keeps C
// and cannot be changed): a block that holds one stops the core with a
// fault naming the PC.
#pragma once

#include "sim/cpu/address_ranges.h"
#include "sim/cpu/block_memo.h"
#include "sim/cpu/core.h"
#include "sim/cpu/memory_hook_switch.h"
#include "sim/cpu/rv64_syndrome.h"
#include "sim/cpu/unicorn_code_buffer.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct uc_struct;
struct uc_context;

namespace sim::cpu {

struct Rv64Trace;
struct Rv64TraceDeleter {
    void operator()(Rv64Trace* t) const; // rv64_trace.cpp
};

// A synchronous exception the guest's S-mode takes (the twin of GuestException).
struct Rv64Exception {
    uint64_t cause = 0;
    uint64_t tval = 0;
    uint64_t epc = 0;
    std::string what; // for reports: "illegal instruction 0x0"
};

class Rv64Core final : public Core {
  public:
    // Where the M-mode entry stub lives: QEMU virt's boot ROM (MROM), unless
    // a mapping covers that page (a VM whose guest-physical space starts
    // at 0), which moves the stub to a page no mapping covers.
    static constexpr uint64_t stub_default_base = 0x1000;
    static constexpr uint64_t stub_size = 0x1000;
    uint64_t stub_base() const { return stub_base_; }

    Rv64Core(unsigned id, ExitHandler& exits);
    ~Rv64Core() override;
    Rv64Core(const Rv64Core&) = delete;
    Rv64Core& operator=(const Rv64Core&) = delete;

    unsigned id() const override { return id_; }

    void map_memory(uint64_t addr, uint64_t size, uint8_t* host) override;
    void map_device(uint64_t addr, uint64_t size, MmioDevice& device) override;
    void map_trapping(uint64_t addr, uint64_t size) override;
    void invalidate_code(uint64_t addr, uint64_t size) override;
    void attach_memory(const MemoryPath& path) override;
    std::shared_ptr<AddressSpace> new_address_space() const override;
    void join(std::shared_ptr<AddressSpace>) override {}

    // S-mode at `entry` with a0 = hart id and a1 = context (SBI HSM's
    // hart_start convention), satp = 0, interrupts disabled.
    void reset(uint64_t entry, uint64_t context) override;
    RunResult run(uint64_t budget_cycles, uint64_t start_cycle, uint64_t cycles_per_insn) override;
    uint64_t cycles_in_run() const override { return executed_ * cpi_ + stall_; }
    uint64_t instructions_in_run() const override { return executed_; }
    void add_stall(uint64_t cycles) override { stall_ += cycles; }
    // Fast-forward (docs/checkpoints.md): from the next run() on, blocks and
    // accesses are counted but not modeled; with --fast-forward-uncounted
    // the memory hook goes too (rv64_uncounted.cpp).
    bool set_fast_forward(bool on) override {
        fast_forward_next_ = on;
        return true;
    }
    bool set_fast_forward_uncounted(bool on) override;
    void request_halt() override;
    void request_yield() override;

    uint64_t x(unsigned n) const override;
    void set_x(unsigned n, uint64_t value) override;
    uint64_t pc() const override;
    void set_pc(uint64_t value) override;
    uint64_t csr(uint32_t number) const;
    // The instruction of the block starting at `block_pc` that accesses
    // `address` (Unicorn 2.0.1 reports the block's PC in MMIO and unmapped
    // callbacks on RISC-V): the first load/store/AMO whose effective address,
    // from the registers as they are now, is `address`; else `block_pc`.
    uint64_t access_pc(uint64_t block_pc, uint64_t address, bool is_write) const;
    void set_csr(uint32_t number, uint64_t value);

    // Natively the hart's supervisor interrupts come from the PLIC/ACLINT
    // lines; under a hypervisor those are its own and the guest takes the
    // VS interrupts it injects (InterruptLines::vsip, hv_host_riscv64).
    void route_irq_to_hypervisor(bool to_hypervisor) override { irq_to_hv_ = to_hypervisor; }
    bool set_interrupt_lines(const InterruptLines& lines) override;
    // An interrupt is pending and enabled in sie (WFI wakes on it whatever SSTATUS.SIE says).
    bool guest_interrupt_pending() const override;

    // Takes `e` in the guest's S-mode (usable between runs and after a hook stopped).
    void deliver(const Rv64Exception& e);
    // Takes supervisor interrupt `code` at the current PC.
    void deliver_interrupt(uint64_t code);
    uint64_t exceptions_delivered() const override { return delivered_; }
    uint64_t interrupts_delivered() const { return interrupts_; }

    const Fault& fault() const override { return fault_; }
    uint64_t loads() const override { return loads_; }
    uint64_t stores() const override { return stores_; }
    bool set_trace(const TraceRequest& request) override; // rv64_trace.cpp
    void checkpoint(Archive& a) override;                 // rv64_checkpoint.cpp

    // The watch over Unicorn's translated-code buffer (tests shrink its limit).
    CodeBufferWatch& code_buffer() { return code_buffer_; }

  private:
    static constexpr uint32_t kMaxBlockBytes = 4096; // a QEMU block stays in one page
    static void on_block(uc_struct* uc, uint64_t address, uint32_t size, void* self);
    static void on_interrupt(uc_struct* uc, uint32_t intno, void* self);
    static bool on_unmapped(uc_struct* uc, int type, uint64_t address, int size, int64_t value,
                            void* self);
    static void on_memory(uc_struct* uc, int type, uint64_t address, int size, int64_t value,
                          void* self);
    static uint64_t on_mmio_read(uc_struct* uc, uint64_t offset, unsigned size, void* binding);
    static void on_mmio_write(uc_struct* uc, uint64_t offset, unsigned size, uint64_t value,
                              void* binding);

    // rv64_exception.cpp: Unicorn's exception numbers as the spec's traps.
    void take_exception(uint32_t intno);
    bool emulate_counter(uint32_t insn);
    // rdcycle/rdinstret (which Unicorn answers from the host's TSC): the
    // read's destination and counter as 0x100 | counter << 5 | rd, or 0.
    static uint16_t counter_read_of(uint32_t insn);
    void finish_counter_read(uint64_t block);
    // After uc_emu_start returned: delivers what hooks found; true to run on.
    bool resume_after_stop(int err);
    bool interrupt_due() const;
    // The block's tail (what scanned_blocks_ keeps), scanning it the first
    // time; nullopt (and a fault naming the PC) if it holds a 16-bit
    // instruction. One lookup per block on the block hook's path.
    [[gnu::always_inline]] std::optional<uint16_t> scan_block(uint64_t address, uint32_t size) {
        if (((address | size) & 3) == 0)
            if (const uint16_t* known = scanned_blocks_.find(address))
                return *known;
        return scan_new_block(address, size);
    }
    [[gnu::noinline]] std::optional<uint16_t> scan_new_block(uint64_t address, uint32_t size);
    // An address no region covers, with the guest's Sv39 on: its own page
    // fault (pending), or an unsupported translation or a walk reading a page
    // table the VM does not back (a fault). False if Sv39 is off.
    bool guest_page_fault(int type, uint64_t va, uint64_t epc, unsigned size);
    static bool read_guest_pte(void* self, uint64_t pa, uint64_t& pte);
    // rv64_unbacked.cpp: what Unicorn's TLB fill asks (unicorn_stage2.c).
    bool region_at(uint64_t address) const; // a mapping or the entry stub holds it
    static int may_enter_page(void* self, uint64_t va, uint64_t pa);
    static int backs_table(void* self, uint64_t pa);
    static void on_unbacked_translation(void* self, uint64_t va, uint64_t pa, int access,
                                        unsigned size, int walk);

    // rv64_uncounted.cpp: the memory hook, removed while fast-forwarding uncounted.
    void update_memory_hook();
    uint64_t faulting_address(uint64_t epc) const;

    void handle_call();
    TrapAction report(Exit& exit);
    uint32_t read_word(uint64_t addr) const;
    void raise_fault(Fault::Kind kind, uint64_t pc, uint64_t address, const std::string& what);
    void model_fetch(uint64_t address, uint32_t size);
    void model_data(uint64_t address, int size, bool is_write);
    void follow_satp();
    static void walk_sv39(void* self, uint64_t va, cache::AccessKind kind, cache::WalkResult& out);
    // rv64_trace.cpp: the instruction trace's hooks (installed only while tracing).
    static void on_trace_code(uc_struct* uc, uint64_t address, uint32_t size, void* self);
    static void on_trace_memory(uc_struct* uc, int type, uint64_t address, int size, int64_t value,
                                void* self);
    void trace_block(uint64_t address, uint32_t size); // from on_block, before it is counted
    void trace_flush();
    uint64_t trace_pa(uint64_t va);

    struct DeviceBinding {
        Rv64Core* core;
        MmioDevice* device;
    };

    unsigned id_;
    ExitHandler& exits_;
    uc_struct* uc_ = nullptr;
    uc_context* reset_context_ = nullptr; // M-mode, as Unicorn opened it
    std::vector<uint8_t> stub_;
    uint64_t stub_base_ = stub_default_base;
    void keep_stub_clear(uint64_t addr, uint64_t size);
    std::vector<std::pair<uint64_t, uint64_t>> mapped_; // [base, end) of every mapping
    std::vector<std::unique_ptr<DeviceBinding>> devices_;
    std::vector<std::unique_ptr<MmioDevice>> trapping_; // map_trapping's pages
    AddressRanges trapping_at_;                         // ... and where they are
    MemoryPath memory_;
    bool sv39_model_ = false; // tlb.guest_stage1 with a memory model attached
    bool sv39_on_ = false;    // ... and satp selects Sv39
    uint64_t satp_ = 0;       // as last seen (Unicorn has no CSR hooks: read per run)
    cache::WalkerRef sv39_walker_{&Rv64Core::walk_sv39, this};
    uint64_t budget_ = 0;
    uint64_t executed_ = 0;
    uint64_t stall_ = 0;
    uint64_t cpi_ = 1;
    bool fast_forward_ = false; // this run: no timing model (from fast_forward_next_)
    bool fast_forward_next_ = false;
    MemoryHookSwitch memory_hook_;
    std::vector<std::pair<uint64_t, uint64_t>> ram_ranges_; // [base, end) of map_memory's
    uint64_t start_cycle_ = 0;
    uint64_t retired_ = 0; // instructions of earlier runs (instret)
    uint64_t sip_ = 0;     // the pending supervisor interrupts the lines drive
    uint64_t sie_ = 0;     // sie as the last run left it
    bool ssip_latched_ = false;
    bool irq_to_hv_ = false;
    bool running_ = false;
    bool yield_at_block_ = false;
    bool take_interrupt_ = false; // on_block stopped to deliver an interrupt
    std::optional<uint64_t> stopped_at_block_;
    // Unicorn's translated code, flushed before its buffer fills (as Arm64Core's).
    CodeBufferWatch code_buffer_{[this] { yield_at_block_ = true; }};
    bool flush_full_code_buffer();
    std::optional<StopReason> stop_;
    std::optional<Rv64Exception> pending_;
    // Block starts found free of 16-bit code, each with the cycle/instret
    // read that ends it (counter_read_of), kTailSret for an SRET, or 0.
    BlockMemo<uint16_t> scanned_blocks_;
    static constexpr uint16_t kTailSret = 0x200; // above counter_read_of's values
    bool sret_stays_in_s_mode(uint64_t pc);      // else stops the core (U-mode)
    struct CounterFixup {
        uint64_t next_block; // where the block holding the read continues
        uint16_t read;       // counter_read_of's encoding
    };
    std::optional<CounterFixup> counter_fixup_;
    Fault fault_;
    struct LastAccess {
        uint64_t address = 0;
        bool is_write = false;
    } last_access_;
    // The block running and the instructions on_block counted for it
    // (take_exception corrects a short count).
    uint64_t block_start_ = 0;
    uint64_t block_counted_ = 0;
    uint64_t delivered_ = 0;
    uint64_t last_vector_ = 0; // where the last delivery went, and what it was (for reports)
    std::string last_what_;
    uint64_t interrupts_ = 0;
    uint64_t loads_ = 0;
    uint64_t stores_ = 0;
    std::unique_ptr<Rv64Trace, Rv64TraceDeleter> trace_; // --trace on this core
};

} // namespace sim::cpu

#include "sim/cpu/arm64_core.h"

#include "sim/cpu/a53_recipes.h"
#include "sim/cpu/arm64_trace.h"
#include "sim/cpu/unicorn_access_pc_c.h"
#include "sim/cpu/unicorn_stage2_c.h"
#include "sim/cpu/unicorn_util.h"

namespace sim::cpu {
namespace {

using uc::check;
using uc::hcr_el2_rw_imo;
using uc::hcr_el2_vi;
using uc::hex;
using uc::pstate_el1h_masked;
using uc::write_cp;

// Unicorn exception numbers (QEMU's EXCP_*) seen by UC_HOOK_INTR.
constexpr uint32_t excp_hvc = 11, excp_smc = 13;

constexpr uint32_t insn_wfi = 0xd503207f;
constexpr uint64_t sctlr_el1_reset = 0x30d00800; // RES1 bits; MMU and caches off
constexpr uint64_t scr_el3_ns_hce_rw = 0x501;    // lets HVC reach the hook (unicorn-notes.md)

int xreg(unsigned n) {
    if (n == 29)
        return UC_ARM64_REG_X29;
    if (n == 30)
        return UC_ARM64_REG_X30;
    if (n > 30)
        throw std::out_of_range("general-purpose register number");
    return UC_ARM64_REG_X0 + static_cast<int>(n);
}

// The Rt field of a trap syndrome for the register a system-instruction hook
// names (31: XZR).
uint32_t register_number(int reg) {
    if (reg >= UC_ARM64_REG_X0 && reg <= UC_ARM64_REG_X28)
        return static_cast<uint32_t>(reg - UC_ARM64_REG_X0);
    if (reg == UC_ARM64_REG_X29 || reg == UC_ARM64_REG_X30)
        return reg == UC_ARM64_REG_X29 ? 29 : 30;
    return 31;
}

} // namespace

Arm64Core::Arm64Core(unsigned id, ExitHandler& exits) : id_(id), exits_(exits) {
    check(uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc_), "open");
    check(uc_ctl_set_cpu_model(uc_, UC_CPU_ARM64_A53), "select Cortex-A53");
    write_cp(uc_, 3, 6, 1, 1, 0, scr_el3_ns_hce_rw);
    write_cp(uc_, 3, 4, 1, 1, 0, hcr_el2_rw_imo);

    set_block_hook(&on_block);
    uc_hook h;
    check(uc_hook_add(uc_, &h, UC_HOOK_INTR, reinterpret_cast<void*>(&on_interrupt), this, 1, 0),
          "add interrupt hook");
    check(uc_hook_add(uc_, &h, UC_HOOK_MEM_UNMAPPED, reinterpret_cast<void*>(&on_unmapped), this, 1,
                      0),
          "add unmapped hook");
    // A fetch from a device page (hv's emulated UART): not executable memory.
    check(uc_hook_add(uc_, &h, UC_HOOK_MEM_FETCH_PROT, reinterpret_cast<void*>(&on_fetch_prot),
                      this, 1, 0),
          "add fetch-protection hook");
    // A full-range data hook also makes Unicorn report the faulting instruction's
    // PC (not its block's) in MMIO and unmapped callbacks (docs/design.md#unicorn-pc).
    memory_hook_.install(uc_, reinterpret_cast<void*>(&on_memory), this);
    check(uc_hook_add(uc_, &h, UC_HOOK_INSN, reinterpret_cast<void*>(&on_mrs), this, 1, 0,
                      UC_ARM64_INS_MRS),
          "add MRS hook");
    check(uc_hook_add(uc_, &h, UC_HOOK_INSN, reinterpret_cast<void*>(&on_msr), this, 1, 0,
                      UC_ARM64_INS_MSR),
          "add MSR hook");
    check(uc_hook_add(uc_, &h, UC_HOOK_INSN, reinterpret_cast<void*>(&on_sys), this, 1, 0,
                      UC_ARM64_INS_SYS),
          "add SYS hook");
}

Arm64Core::~Arm64Core() {
    leave_address_space();
    uc_close(uc_);
}

void Arm64Core::map_memory(uint64_t addr, uint64_t size, uint8_t* host) {
    check(uc_mem_map_ptr(uc_, addr, size, UC_PROT_ALL, host), "map memory");
    note_mapped(addr, size);
    backed_.emplace_back(addr, addr + size);
}

void Arm64Core::map_device(uint64_t addr, uint64_t size, MmioDevice& device) {
    devices_.push_back(std::make_unique<DeviceBinding>(DeviceBinding{this, &device}));
    devices_at_.emplace_back(addr, addr + size);
    void* binding = devices_.back().get();
    check(uc_mmio_map(uc_, addr, size, reinterpret_cast<uc_cb_mmio_read_t>(&on_mmio_read), binding,
                      reinterpret_cast<uc_cb_mmio_write_t>(&on_mmio_write), binding),
          "map device");
}

void Arm64Core::invalidate_code(uint64_t addr, uint64_t size) {
    check(uc_ctl_remove_cache(uc_, addr, addr + size), "invalidate translated code");
    if (size > (64u << 20)) {
        code_changed(0, true);
        return;
    }
    for (uint64_t page = addr & ~uint64_t{0xfff}; size && page < addr + size; page += 0x1000)
        code_changed(page, false);
}

void Arm64Core::reset(uint64_t entry, uint64_t context) {
    for (unsigned n = 0; n <= 30; ++n)
        set_x(n, 0);
    set_x(0, context);
    uint64_t pstate = pstate_el1h_masked;
    check(uc_reg_write(uc_, UC_ARM64_REG_PSTATE, &pstate), "write PSTATE");
    write_cp(uc_, 3, 0, 1, 0, 0, sctlr_el1_reset);
    stage1_ = Stage1Regs{};
    stage1_.sctlr = sctlr_el1_reset;
    stage1_on_ = false;
    granule_refused_ = false;
    if (stage1_model_) { // a core (re)started: none of its old translations hold
        memory_.hierarchy->flush_tlbs(id_);
        memory_.hierarchy->set_asid(id_, 0);
    }
    if (a53_)
        a53_->reset();
    set_pc(entry);
    fault_ = Fault{};
    pending_.reset();
    placeholder_due_.reset();
    vector_redirect_ = false;
    clear_sp_watch();
}

RunResult Arm64Core::run(uint64_t budget_cycles, uint64_t start_cycle, uint64_t cycles_per_insn) {
    budget_ = budget_cycles;
    start_cycle_ = start_cycle;
    cpi_ = cycles_per_insn;
    executed_ = 0;
    core_cycles_ = 0;
    stall_ = 0;
    stop_.reset();
    yield_at_block_ = false;
    fast_forward_ = fast_forward_next_;
    running_ = true;
    uc_err err = UC_ERR_OK;
    adopt_shared_placeholders();
    update_memory_hook();
    apply_broadcasts();
    code_buffer_.install();
#ifdef BAO_UNICORN_ACCESS_PC
    struct EngineCallbacks { // for this run, on this thread
        explicit EngineCallbacks(Arm64Core* core) {
            bao_unicorn_before_split_store(&before_split_store, core);
            static constexpr bao_stage2_check check{&may_enter_page, &backs_table,
                                                    &on_unbacked_translation};
            bao_unicorn_stage2_check(&check, core);
        }
        ~EngineCallbacks() {
            bao_unicorn_before_split_store(nullptr, nullptr);
            bao_unicorn_stage2_check(nullptr, nullptr);
        }
    } engine_callbacks(this);
#endif
    for (bool again = true; again;) {
        stopped_at_block_.reset();
        err = uc_emu_start(uc_, pc(), UINT64_MAX, 0, 0);
        // Stopped in the block hook, before the block ran: that block is
        // where the guest resumes. Unicorn 2.0.1 sometimes leaves PC at the
        // last instruction whose PC it synchronised (measured with Linux: a
        // load of the block before, reached through a chained jump);
        // resuming there would run that tail again (`ldr w0, [x0, x1]`
        // re-ran with its own result as base register).
        if (stopped_at_block_ && err == UC_ERR_OK && pc() != *stopped_at_block_)
            set_pc(*stopped_at_block_);
        const bool flushed = flush_full_code_buffer();
        bool failed = err != UC_ERR_OK;
        again = resume_after_stop(failed);
        // A stop only to flush: the run goes on where it stopped.
        if (flushed && !failed && !stop_ && cycles_in_run() < budget_)
            again = true;
        if (!failed)
            err = UC_ERR_OK;
    }
    CodeBufferWatch::uninstall();
    if (trace_)
        trace_flush();
    running_ = false;
    RunResult result;
    result.instructions = executed_;
    result.stall_cycles = stall_;
    if (a53_ && !fast_forward_)
        result.core_cycles = core_cycles_;
    if (err != UC_ERR_OK && !stop_) {
        // Unmapped accesses were recorded by on_unmapped; anything else is named here.
        if (fault_.description.empty())
            raise_fault(Fault::Kind::other, pc(), 0,
                        std::string("unicorn stopped: ") + uc_strerror(err));
        stop_ = StopReason::fault;
    }
    if (!stop_) {
        // Unicorn returns after WFI with PC past it and no error.
        const uint64_t at = pc() - 4;
        const uint32_t insn = wfi_through_stage1_ ? insn_at(at) : read_word(at);
        stop_ = insn == insn_wfi ? StopReason::wfi : StopReason::budget;
    }
    result.reason = *stop_;
    if (result.reason == StopReason::wfi)
        result.exit = wait_exit();
    executed_ = 0; // outside run() the core's clock is the machine's
    core_cycles_ = 0;
    stall_ = 0;
    return result;
}

// WFI as a trap to EL2 would report it (HCR_EL2.TWI): EC 0x01, TI = 0, ELR
// at the WFI (Unicorn returned past it).
Exit Arm64Core::wait_exit() const {
    Exit e;
    e.kind = Exit::Kind::wait;
    e.pc = pc() - 4;
    e.syndrome.cause = arm64::ec::wfx;
    return e;
}

bool Arm64Core::flush_full_code_buffer() {
    if (!code_buffer_.flush_if_full(uc_))
        return false;
    yield_at_block_ = stop_.has_value(); // request_yield's own stop stays
    return true;
}

// Called from inside a hook or a device access (an EOI that lets a pending
// interrupt through): stopping there would leave PC wherever Unicorn 2.0.1
// last synchronised it, not at the next instruction, because it skips the
// resync when a stop is requested. The guest then re-ran the tail of a block
// (Linux's `gic_eoi_irq` re-ran `ldr x0, [x0, #48]` on its GICC base and
// oopsed). So the yield waits for the next block, where on_block stops with
// a known PC.
void Arm64Core::request_yield() {
    if (running_ && !stop_) {
        stop_ = StopReason::budget;
        yield_at_block_ = true;
    }
}

bool Arm64Core::set_interrupt_lines(const InterruptLines& lines) {
    return set_virtual_irq(irq_to_hv_ ? lines.virtual_irq : lines.irq);
}

bool Arm64Core::set_virtual_irq(bool asserted) {
    if (asserted == virq_)
        return false;
    virq_ = asserted;
    // An exception entry from EL0 in flight keeps the line up until its vector runs.
    write_cp(uc_, 3, 4, 1, 1, 0, hcr_el2_rw_imo | (asserted || vector_redirect_ ? hcr_el2_vi : 0));
    return asserted;
}

void Arm64Core::request_halt() {
    if (!stop_)
        stop_ = StopReason::halted;
    uc_emu_stop(uc_);
}

uint64_t Arm64Core::x(unsigned n) const {
    uint64_t v = 0;
    check(uc_reg_read(uc_, xreg(n), &v), "read register");
    return v;
}

void Arm64Core::set_x(unsigned n, uint64_t value) {
    check(uc_reg_write(uc_, xreg(n), &value), "write register");
}

uint64_t Arm64Core::pc() const {
    uint64_t v = 0;
    check(uc_reg_read(uc_, UC_ARM64_REG_PC, &v), "read PC");
    return v;
}

void Arm64Core::set_pc(uint64_t value) {
    check(uc_reg_write(uc_, UC_ARM64_REG_PC, &value), "write PC");
}

uint32_t Arm64Core::read_word(uint64_t addr) const {
    uint32_t w = 0;
    if (uc_mem_read(uc_, addr, &w, sizeof w) != UC_ERR_OK)
        return 0;
    return w;
}

uint64_t Arm64Core::read_cp(uint32_t op0, uint32_t op1, uint32_t crn, uint32_t crm,
                            uint32_t op2) const {
    uc_arm64_cp_reg reg{crn, crm, op0, op1, op2, 0};
    check(uc_reg_read(uc_, UC_ARM64_REG_CP_REG, &reg), "read system register");
    return reg.val;
}

void Arm64Core::raise_fault(Fault::Kind kind, uint64_t pc, uint64_t address,
                            const std::string& what) {
    fault_.kind = kind;
    fault_.pc = pc;
    fault_.address = address;
    if (fault_.va == 0)
        fault_.va = address;
    fault_.description = "core " + std::to_string(id_) + ": " + what + " at pc " + hex(pc);
    note_abort(kind, pc, address);
    if (kind == Fault::Kind::unmapped_read || kind == Fault::Kind::unmapped_write ||
        kind == Fault::Kind::unmapped_fetch) {
        fault_.description += ", address " + hex(address);
        if (fault_.va != address)
            fault_.description += " (virtual " + hex(fault_.va) + ")";
    }
    if (delivered_ && pc == last_vector_ && what.rfind("vector fault", 0) != 0)
        fault_.description += " (the vector of " + last_what_ + ")";
    stop_ = StopReason::fault;
    uc_emu_stop(uc_);
}

void Arm64Core::model_fetch(uint64_t address, uint32_t size) {
    fetch_timing(address, size);
}

[[gnu::always_inline]] inline void Arm64Core::fetch_timing(uint64_t address, uint32_t size) {
    const uint64_t now = start_cycle_ + cycles_in_run();
    uint64_t pa = address;
    if (memory_.stage2 || stage1_on_) {
        cache::Translation t =
            memory_.hierarchy->translate(id_, address, cache::AccessKind::fetch, now,
                                         stage1_on_ ? nested_walker_ : *memory_.stage2);
        if (t.fault) {
            if (granule_refused_)
                refuse_granule(address);
            return;
        }
        stall_ += t.cycles;
        pa = t.pa;
    }
    if (pa >= memory_.ram_base && pa < memory_.ram_end)
        stall_ += memory_.hierarchy->fetch_block(id_, pa, size, now);
}

[[gnu::always_inline]] inline void Arm64Core::model_data(uint64_t address, int size,
                                                         bool is_write) {
    const uint64_t now = start_cycle_ + cycles_in_run();
    uint64_t pa = address;
    if (memory_.stage2 || stage1_on_) {
        cache::Translation t = memory_.hierarchy->translate(
            id_, address, is_write ? cache::AccessKind::write : cache::AccessKind::read, now,
            stage1_on_ ? nested_walker_ : *memory_.stage2);
        if (t.fault) {
            if (granule_refused_)
                refuse_granule(address);
            return; // an emulated or unmapped page: hv or the fault path costs it
        }
        stall_ += t.cycles;
        pa = t.pa;
    }
    if (pa >= memory_.ram_base && pa < memory_.ram_end)
        stall_ +=
            memory_.hierarchy->access_data(id_, pa, static_cast<unsigned>(size), is_write, now);
}

// The block hook: on_block, or on_a53_block under model.core = a53
// (arm64_a53.cpp). Unicorn calls the block hooks registered when a block
// runs, not when it was translated, so a swap holds for code translated
// before it.
void Arm64Core::set_block_hook(BlockHook hook) {
    if (block_hook_fn_ == hook)
        return;
    if (block_hook_)
        uc_hook_del(uc_, block_hook_);
    uc_hook h;
    check(uc_hook_add(uc_, &h, UC_HOOK_BLOCK, reinterpret_cast<void*>(hook), this, 1, 0),
          "add block hook");
    block_hook_ = h;
    block_hook_fn_ = hook;
}

// Called before every translated block runs, so its common case (a block
// that runs, no check pending) stays small and inline: fast-forward's speed
// is mostly this hook and Unicorn's memory path (docs/checkpoints.md).
void Arm64Core::on_block(uc_struct* uc, uint64_t address, uint32_t size, void* self) {
    auto* core = static_cast<Arm64Core*>(self);
    if (core->block_needs_checks(address)) [[unlikely]] {
        core->on_checked_block(uc, address, size);
        return;
    }
    core->executed_ += size / 4;
    if (!core->fast_forward_)
        core->model_block(address, size);
}

bool Arm64Core::block_needs_checks(uint64_t address) const {
    return block_needs_checks(address, [this] { return cycles_in_run(); });
}

void Arm64Core::model_block(uint64_t address, uint32_t size) {
    if (a53_)
        core_cycles_ += charge_a53(address, size);
    if (memory_.hierarchy)
        fetch_timing(address, size);
}

// A block with something to check first: the quantum's end or a yield, a
// misaligned PC, SP alignment (SCTLR_EL1.SA/SA0 set), the trace.
void Arm64Core::on_checked_block(uc_struct* uc, uint64_t address, uint32_t size) {
    // Stopping here skips this block, so it is not counted (unicorn-notes.md).
    if (yield_at_block_ || cycles_in_run() >= budget_) {
        stopped_at_block_ = address;
        uc_emu_stop(uc);
        return;
    }
    // Unicorn 2.0.1 runs code at a misaligned PC; the architecture takes a
    // PC alignment fault (delivered once uc_emu_start has returned).
    if (address & 3) {
        GuestException e;
        e.ec = el1_ec::pc_alignment;
        e.has_far = true;
        e.far = address;
        e.return_pc = address;
        e.what = "PC alignment fault";
        pending_ = e;
        uc_emu_stop(uc);
        return;
    }
    if (sp_misaligned_at_block() && check_sp_alignment(address, size))
        return;
    if (trace_) [[unlikely]]
        trace_block(address, size);
    executed_ += size / 4;
    if (!fast_forward_)
        model_block(address, size);
}

// HVC and SMC: Unicorn leaves PC past the instruction, which is ELR_EL2 for
// an HVC; an SMC's ELR_EL2 is the SMC itself. The immediate is the ISS.
void Arm64Core::handle_call(uint32_t ec_value) {
    const uint64_t insn_pc = pc() - 4;
    Exit e;
    e.kind = Exit::Kind::call;
    e.pc = ec_value == arm64::ec::hvc64 ? insn_pc + 4 : insn_pc;
    e.syndrome.cause = ec_value;
    e.syndrome.detail = (insn_at(insn_pc) >> 5) & 0xffff;
    report(e);
}

TrapAction Arm64Core::report(Exit& exit) {
    const TrapAction a = exits_.on_exit(*this, exit);
    if (a != TrapAction::resume) {
        stop_ = StopReason::halted;
        uc_emu_stop(uc_);
    }
    return a;
}

void Arm64Core::on_interrupt(uc_struct*, uint32_t intno, void* self) {
    auto* core = static_cast<Arm64Core*>(self);
#ifdef BAO_UNICORN_ACCESS_PC
    bao_unicorn_stage2_forget(); // a fault may have left a TLB fill by a long jump
#endif
    switch (intno) {
    case excp_hvc:
        core->handle_call(arm64::ec::hvc64);
        return;
    case excp_smc:
        core->handle_call(arm64::ec::smc64);
        return;
    default:
        core->take_exception(intno);
    }
    core->forget_access(); // the exception left its helper by a long jump
}

// Unicorn checks virtual addresses against its regions before translating
// (unicorn-notes.md): with the guest's MMU on, an address no region covers
// may be the guest's own stage-1 fault (delivered to it) or a translated
// address outside the VM's memory (a stage-2 fault for the supervisor).
bool Arm64Core::on_unmapped(uc_struct*, int type, uint64_t address, int size, int64_t, void* self) {
    auto* core = static_cast<Arm64Core*>(self);
    const Stage1Access access = type == UC_MEM_WRITE_UNMAPPED   ? Stage1Access::write
                                : type == UC_MEM_FETCH_UNMAPPED ? Stage1Access::fetch
                                                                : Stage1Access::read;
    const unsigned bytes = access == Stage1Access::fetch ? 0 : static_cast<unsigned>(size);
    if (access != Stage1Access::fetch && !core->recover_access(address)) {
        core->fault_.va = address;
        core->raise_unplaced_access("unmapped virtual address", address);
        return false;
    }
    if (access == Stage1Access::fetch) {
        // Unicorn fetches while it translates a block, after it filled its
        // TLB for the address: a region mapped from here flushes that TLB
        // under the fetch, which then reads through the flushed entry
        // (SIGSEGV in load_helper). A fetch the guest's tables translate
        // into the VM therefore fails here; resume_after_stop maps the
        // placeholder and the block is translated again.
        const Stage1Walk walk = core->walk_stage1(address, access, core->at_el0());
        if (walk.mmu_on && walk.fault == Stage1Walk::Fault::none && core->ipa_mapped(walk.out) &&
            address < unicorn_top_page) {
            core->placeholder_due_ = address;
            return false;
        }
        address = core->vector_fetch(address);
    }
    if (core->take_stage1_fault(address, access, bytes))
        return false;
    const bool el0 = core->at_el0();
    const Stage1Walk walk = core->walk_stage1(address, access, el0);
    const uint64_t ipa = walk.out;
    if (walk.mmu_on && address >= unicorn_top_page) {
        core->fault_.va = address;
        core->raise_fault(Fault::Kind::other, access == Stage1Access::fetch ? address : core->pc(),
                          ipa,
                          (access == Stage1Access::fetch ? std::string("fetch") : "access") +
                              " at virtual address " + hex(address) + " (IPA " + hex(ipa) +
                              "): Unicorn 2.0.1 cannot access the last 4 KiB page of the "
                              "address space");
        return false;
    }
    // A data access the guest's tables translate into the VM's memory or
    // devices: cover it so Unicorn lets the access through (it re-checks on
    // true). Fetches into memory were sent to resume_after_stop above; a fetch
    // from a device is refused as such (on_fetch_prot) without a window.
    if (walk.mmu_on && access != Stage1Access::fetch && core->backs(ipa) &&
        core->map_placeholder(address)) {
        core->cover_access_end(address, bytes, access);
        return true;
    }
    core->raise_stage2_abort(address, ipa, access, bytes);
    return false;
}

bool Arm64Core::on_fetch_prot(uc_struct*, int, uint64_t address, int, int64_t, void* self) {
    auto* core = static_cast<Arm64Core*>(self);
    address = core->vector_fetch(address);
    const bool el0 = core->at_el0();
    core->fault_.va = address;
    core->raise_fault(Fault::Kind::unmapped_fetch, address,
                      core->walk_stage1(address, Stage1Access::fetch, el0).out,
                      "instruction fetch from a device page");
    return false;
}

void Arm64Core::on_memory(uc_struct*, int type, uint64_t address, int size, int64_t, void* self) {
    auto* core = static_cast<Arm64Core*>(self);
    const bool is_write = type == UC_MEM_WRITE;
    // Unicorn calls this before it checks alignment and translates, so a
    // data abort's FAR is the last address seen here.
    core->last_access_ = LastAccess{address, static_cast<unsigned>(size), is_write};
#ifndef BAO_UNICORN_ACCESS_PC
    // Across a placeholder window boundary: cover the next window now, before
    // Unicorn splits the access into byte accesses (cover_access_end). With
    // the store helpers wrapped, their wrapper does (before_split_store).
    if ((address ^ (address + static_cast<uint64_t>(size) - 1)) >> placeholder_window_shift)
        [[unlikely]]
        core->cover_access_end(address, static_cast<unsigned>(size),
                               is_write ? Stage1Access::write : Stage1Access::read);
#else
    // DC ZVA writes its block at once; QEMU stores it a byte at a time
    // once a memory hook is in: one store of the block, not 64 of a byte.
    if (bao_unicorn_zva) [[unlikely]] {
        if (bao_unicorn_zva == 2)
            return;
        bao_unicorn_zva = 2;
        size = static_cast<int>(dc_zva_block_bytes);
    }
#endif
    ++(is_write ? core->stores_ : core->loads_);
    if (core->memory_.hierarchy && !core->fast_forward_)
        core->model_data(address, size, is_write);
}

uint32_t Arm64Core::on_mrs(uc_struct* uc, int reg, const void* cp, void* self) {
    auto* core = static_cast<Arm64Core*>(self);
    auto* r = static_cast<const uc_arm64_cp_reg*>(cp);
    const uint32_t encoding = sysreg_encoding(r->op0, r->op1, r->crn, r->crm, r->op2);
    if (core->at_el0() && !core->el0_may_reach(r->op1, r->crn, r->crm, r->op2, false))
        return 0;
    std::optional<uint64_t> value = encoding == sysreg::dczid_el0
                                        ? std::optional<uint64_t>(dczid_el0_prohibited)
                                        : core->exits_.read_sysreg(*core, encoding);
    if (!value)
        return 0;
    uint64_t v = *value;
    uc_reg_write(uc, reg, &v);
    if (gic_cpu_interface_register(encoding))
        core->set_pc(core->pc() + 4);
    return 1;
}

uint32_t Arm64Core::on_msr(uc_struct* uc, int reg, const void* cp, void* self) {
    auto* core = static_cast<Arm64Core*>(self);
    auto* r = static_cast<const uc_arm64_cp_reg*>(cp);
    if (core->at_el0() && !core->el0_may_reach(r->op1, r->crn, r->crm, r->op2, true))
        return 0; // not the model's to follow either (SCTLR_EL1, TTBRn_EL1 at EL0)
    uint64_t value = 0;
    uc_reg_read(uc, reg, &value);
    // The stage-1 registers: the model follows them, Unicorn executes the write.
    if (r->op0 == 3 && r->op1 == 0 &&
        ((r->crn == 1 && r->crm == 0 && r->op2 == 0) ||
         (r->crn == 2 && r->crm == 0 && r->op2 <= 2))) {
        core->stage1_register_write(sysreg_encoding(r->op0, r->op1, r->crn, r->crm, r->op2), value);
        core->code_translation_changed();
    }
    const uint32_t encoding = sysreg_encoding(r->op0, r->op1, r->crn, r->crm, r->op2);
    // With HCR_EL2.IMO a guest's ICC_SGI1R_EL1 write is the hypervisor's to emulate.
    if (encoding == sysreg::icc_sgi1r_el1 && core->irq_to_hv_) {
        Exit e;
        e.kind = Exit::Kind::system;
        e.pc = core->pc(); // ELR_EL2: the instruction (the core steps over it)
        e.syndrome.cause = arm64::ec::sys_reg;
        e.syndrome.detail = arm64::sys_insn_iss(r->op0, r->op1, r->crn, r->crm, r->op2,
                                                register_number(reg), false);
        core->set_pc(e.pc + 4);
        core->report(e);
        return 1;
    }
    if (!core->exits_.write_sysreg(*core, encoding, value))
        return 0;
    if (gic_cpu_interface_register(encoding))
        core->set_pc(core->pc() + 4);
    return 1;
}

// DC ISW / CSW / CISW go to the trap handler as the EC 0x18 trap HCR_EL2.TSW
// makes of them (the handler knows whether TSW is set); every other system
// instruction is Unicorn's. The instruction is skipped either way: Unicorn
// would execute set/way as a no-op. An EL1 TLBI reaches the TLB model and
// Unicorn executes it too (its own TLB must drop the translation). A TLBI
// ...IS, IC IVAU and IC IALLUIS also reach the other cores of the address
// space (the local TLBI and IC IALLU do not, as on hardware).
uint32_t Arm64Core::on_sys(uc_struct* uc, int reg, const void* cp, void* self) {
    auto* core = static_cast<Arm64Core*>(self);
    auto* r = static_cast<const uc_arm64_cp_reg*>(cp);
    if (r->op0 == 1 && r->crn == 7 &&
        ((r->op1 == 0 && r->crm == 1 && r->op2 == 0) ||
         (r->op1 == 3 && r->crm == 5 && r->op2 == 1))) {
        const bool all = r->crm == 1;
        uint64_t va = 0;
        if (!all)
            uc_reg_read(uc, reg, &va);
        core->instruction_cache_op(all, va);
        return 0;
    }
    // IC IALLU: this core's instruction cache only (not broadcast).
    if (r->op0 == 1 && r->op1 == 0 && r->crn == 7 && r->crm == 5 && r->op2 == 0) {
        core->code_changed(0, true);
        return 0;
    }
    if (r->op0 == 1 && r->op1 == 0 && r->crn == 8) {
        core->code_translation_changed();
        if (r->crm == 3 || r->crm == 1) // ...IS, ...OS: every core of the address space
            core->tlbi_broadcast();
        if (core->stage1_model_) {
            uint64_t operand = 0;
            uc_reg_read(uc, reg, &operand);
            core->guest_tlbi(r->crm, r->op2, operand);
        }
        return 0;
    }
    if (arm64::data_cache_by_va(r->op0, r->op1, r->crn, r->crm, r->op2)) {
        uint64_t va = 0;
        uc_reg_read(uc, reg, &va);
        core->check_cache_op_translation(va, r->crm == 6); // IVAC invalidates
        return 0;
    }
    const bool set_way = r->op0 == 1 && r->op1 == 0 && r->crn == 7 && r->op2 == 2 &&
                         (r->crm == 6 || r->crm == 10 || r->crm == 14);
    if (!set_way)
        return 0;
    const uint32_t rt = register_number(reg);
    Exit e;
    e.kind = Exit::Kind::system;
    e.pc = core->pc(); // ELR_EL2: the instruction (the core steps over it)
    e.syndrome.cause = arm64::ec::sys_reg;
    e.syndrome.detail = arm64::sys_insn_iss(r->op0, r->op1, r->crn, r->crm, r->op2, rt, false);
    core->report(e);
    return 1;
}

uint64_t Arm64Core::on_mmio_read(uc_struct*, uint64_t offset, unsigned size, void* binding) {
    auto* b = static_cast<DeviceBinding*>(binding);
    b->core->exits_.enter_shared(*b->core);
    return b->device->read(b->core->id_, offset, size);
}

void Arm64Core::on_mmio_write(uc_struct*, uint64_t offset, unsigned size, uint64_t value,
                              void* binding) {
    auto* b = static_cast<DeviceBinding*>(binding);
    b->core->exits_.enter_shared(*b->core);
    b->device->write(b->core->id_, offset, size, value);
}

} // namespace sim::cpu

// Synchronous exceptions the guest's own EL1 takes (docs/design.md#faults): Unicorn
// 2.0.1 reports them to UC_HOOK_INTR and drops them, so the core delivers
// them as the hardware would. Measured mechanics (unicorn-notes.md,
// "Delivering a synchronous exception to EL1"):
//   - from EL1: register writes only (ELR, SPSR through CP_REG, ESR, FAR,
//     PSTATE with DAIF masked, PC = VBAR_EL1 + 0x200 or + 0x000);
//   - from EL0: a PSTATE write does not switch EL in 2.0.1, so ESR/FAR are
//     written and a virtual IRQ is raised; QEMU's own IRQ entry switches to
//     EL1 (ELR, SPSR, DAIF, SP) and a code hook on VBAR_EL1 + 0x480 turns
//     it into the synchronous slot at + 0x400.
// Unicorn 2.1 would let a PSTATE write switch EL and make the second path
// unnecessary; it is kept because the project stays on 2.0.1 (docs/design.md#unicorn-version).
#include "sim/cpu/access_decode.h"
#include "sim/cpu/arm64_core.h"
#include "sim/cpu/arm64_syndrome.h"
#include "sim/cpu/arm64_sysregs.h"
#include "sim/cpu/unicorn_access_pc_c.h"
#include "sim/cpu/unicorn_util.h"

namespace sim::cpu {
namespace {

using uc::check;
using uc::hex;
using uc::write_cp;

// Unicorn exception numbers (QEMU's EXCP_*) seen by UC_HOOK_INTR.
constexpr uint32_t excp_udef = 1, excp_swi = 2, excp_prefetch_abort = 3, excp_data_abort = 4,
                   excp_bkpt = 7;

constexpr uint64_t pstate_irq_masked = 1ull << 7;
constexpr uint64_t irq_lower_slot = 0x480, sync_lower_slot = 0x400;

// Exclusives, load-acquire/store-release (bits [29:24] = 0b001000) and LSE
// atomics fault on a misaligned address whatever the memory type.
bool needs_alignment(uint32_t insn) {
    return (insn & 0x3f000000) == 0x08000000 || (insn & 0x3b200c00) == 0x38200000;
}

// An exclusive or a CAS of a register pair (LDXP, LDAXP, STXP, STLXP, CASP:
// class 001000 with o2 = 0 and o1 = 1) must be aligned to its whole size;
// Unicorn checks that, while the memory hook sees one register's access.
// 0 for any other instruction.
unsigned pair_alignment(uint32_t insn) {
    if ((insn & 0x3fa00000) != 0x08200000)
        return 0;
    return (insn >> 30) & 1 ? 16 : 8;
}

} // namespace

// A descriptor the core's own walk reads: only where the VM's stage 2 maps
// memory or a device (Arm64Core::backs_table), not from a placeholder
// window's zeros nor through a page hv emulates.
bool Arm64Core::read_descriptor(void* self, uint64_t ipa, uint64_t& desc) {
    const auto* core = static_cast<const Arm64Core*>(self);
    return backs_table(self, ipa) && uc_mem_read(core->uc_, ipa, &desc, sizeof desc) == UC_ERR_OK;
}

uint64_t Arm64Core::pstate() const {
    uint64_t v = 0;
    check(uc_reg_read(uc_, UC_ARM64_REG_PSTATE, &v), "read PSTATE");
    return v & 0xffffffff;
}

Stage1Walk Arm64Core::walk_stage1(uint64_t va, Stage1Access access, bool el0) const {
    Stage1Regs r;
    r.sctlr = read_cp(3, 0, 1, 0, 0);
    r.tcr = read_cp(3, 0, 2, 0, 2);
    r.ttbr0 = read_cp(3, 0, 2, 0, 0);
    r.ttbr1 = read_cp(3, 0, 2, 0, 1);
    return stage1_walk(r, va, access, el0,
                       DescriptorReader{&read_descriptor, const_cast<Arm64Core*>(this)});
}

void Arm64Core::take_exception(uint32_t intno) {
    const uint64_t at = pc();
    GuestException e;
    e.return_pc = at;
    switch (intno) {
    case excp_udef: { // PC at the instruction; HLT, EL2/EL3 registers and instructions land here
                      // too
        const uint32_t insn = read_word(walk_stage1(at, Stage1Access::read, false).out);
        e.what = "undefined instruction " + hex(insn);
        if (at_el0())
            classify_el0_sysreg_trap(insn, e);
        break;
    }
    case excp_swi: { // PC already past the SVC, which is where ELR points
        const uint32_t insn = read_word(walk_stage1(at - 4, Stage1Access::read, false).out);
        e.ec = el1_ec::svc64;
        e.iss = (insn >> 5) & 0xffff;
        e.what = "SVC #" + hex(e.iss);
        break;
    }
    case excp_bkpt: { // PC at the BRK, which is where ELR points
        const uint32_t insn = read_word(walk_stage1(at, Stage1Access::read, false).out);
        e.ec = el1_ec::brk64;
        e.iss = (insn >> 5) & 0xffff;
        e.what = "BRK #" + hex(e.iss);
        break;
    }
    case excp_prefetch_abort:
    case excp_data_abort:
        e = intno == excp_data_abort ? data_abort(at) : inst_abort(at);
        if (e.what.empty())
            return; // raise_fault named what could not be explained
        break;
    default:
        raise_fault(Fault::Kind::other, at, 0, "unsupported exception " + std::to_string(intno));
        return;
    }
    // Delivered once uc_emu_start has returned: writing PC from inside a
    // hook leaves Unicorn 2.0.1 ignoring later stop requests in the same
    // uc_emu_start (measured: budget stops then re-ran blocks).
    pending_ = e;
    uc_emu_stop(uc_);
}

// A data abort Unicorn raised (the guest's MMU, or an alignment check).
// FAR: see fault_address (on_memory sees an access before Unicorn checks
// alignment and translates it).
GuestException Arm64Core::data_abort(uint64_t at) {
    GuestException e;
    recover_last_access();
    const LastAccess a = last_access_;
    const uint64_t sctlr = read_cp(3, 0, 1, 0, 0);
    const uint32_t insn = read_word(walk_stage1(at, Stage1Access::read, false).out);
    const uint64_t far = fault_address(insn, a.address);
    const unsigned pair = pair_alignment(insn);
    const bool misaligned =
        (a.size > 1 && a.address % a.size != 0) || (pair != 0 && far % pair != 0);
    // With the MMU off every data access is Device memory, which never
    // allows a misaligned access.
    const bool strict = needs_alignment(insn) || !(sctlr & sctlr_m) || (sctlr & sctlr_a);
    uint32_t fsc = fsc_alignment;
    if (!(misaligned && strict)) {
        // An LDTR/STTR at EL1 is checked as EL0's access: an EL1-only page
        // faults (before, the VM stopped here as "not explained").
        const bool el0 = at_el0() || arm64::unprivileged_access(insn);
        const Stage1Walk w =
            walk_stage1(far, a.is_write ? Stage1Access::write : Stage1Access::read, el0);
        if (w.fault == Stage1Walk::Fault::none && !misaligned) {
            raise_fault(Fault::Kind::other, at, far,
                        "data abort that the guest's stage-1 tables do not explain");
            return e;
        }
        if (w.fault != Stage1Walk::Fault::none)
            fsc = w.status_code();
    }
    e.ec = el1_ec::data_abort_lower;
    e.iss = data_abort_iss(a.is_write, fsc);
    e.has_far = true;
    e.far = far;
    e.return_pc = at;
    e.what = "data abort (DFSC " + hex(fsc) + ", " + (a.is_write ? "write " : "read ") +
             std::to_string(a.size) + "B at " + hex(far) + ")";
    return e;
}

// FAR of a data abort: the address the instruction accesses, decoded from
// it and the registers (Unicorn writes none). The memory hook's last address
// is more precise when it falls within the instruction's own access (the
// second half of a pair, a page-crossing access); an access the hook never
// saw (an atomic, DC by VA) leaves it stale, and the decoded one stands.
uint64_t Arm64Core::fault_address(uint32_t insn, uint64_t hook_address) const {
    AddressRegisters r;
    for (unsigned n = 0; n <= 30; ++n)
        r.x[n] = x(n);
    check(uc_reg_read(uc_, UC_ARM64_REG_SP, &r.sp), "read SP");
    const std::optional<uint64_t> decoded = data_access_address(insn, r);
    constexpr uint64_t widest_access = 64; // ld4/st4 of four Q registers
    if (!decoded || (hook_address >= *decoded && hook_address - *decoded < widest_access))
        return hook_address;
    return *decoded;
}

GuestException Arm64Core::inst_abort(uint64_t at) {
    GuestException e;
    const Stage1Walk w = walk_stage1(at, Stage1Access::fetch, at_el0());
    if (w.fault == Stage1Walk::Fault::none) {
        raise_fault(Fault::Kind::other, at, at,
                    "prefetch abort that the guest's stage-1 tables do not explain");
        return e;
    }
    e.ec = el1_ec::inst_abort_lower;
    e.iss = w.status_code();
    e.has_far = true;
    e.far = at;
    e.return_pc = at;
    e.what = "instruction abort (IFSC " + hex(e.iss) + ")";
    return e;
}

// An access Unicorn found no region for: with the guest's MMU on, its own
// stage-1 fault is delivered (once uc_emu_start returns); with it off, an
// address above the physical address size (an address size fault, which
// Unicorn 2.0.1 does not check); a walk that reads a table the VM does not
// back is a stage-2 abort instead, raised here. False if stage 1 translates
// it (the translated address is then outside the VM: stage 2).
bool Arm64Core::take_stage1_fault(uint64_t va, Stage1Access access, unsigned size) {
    const Stage1Walk w = walk_stage1(va, access, at_el0());
    if (w.fault == Stage1Walk::Fault::none) // MMU off: only an address size fault
        return false;
    if (w.table_unbacked) { // stage 2's, to EL2: the run stops at it
        raise_stage2_abort(va, w.desc_ipa[w.num_desc - 1], access, size, true);
        return true;
    }
    GuestException e;
    e.has_far = true;
    e.far = va;
    if (access == Stage1Access::fetch) {
        e.ec = el1_ec::inst_abort_lower;
        e.iss = w.status_code();
        e.return_pc = va;
        e.what = "instruction abort (IFSC " + hex(e.iss) + ")";
    } else {
        const bool is_write = access == Stage1Access::write;
        e.ec = el1_ec::data_abort_lower;
        e.iss = data_abort_iss(is_write, w.status_code());
        e.return_pc = pc();
        e.what = "data abort (DFSC " + hex(w.status_code()) + ", " +
                 (is_write ? "write " : "read ") + std::to_string(size) + "B at " + hex(va) + ")";
    }
    pending_ = e;
    return true;
}

// QEMU takes a pending IRQ before it honours the stop an exception's hook
// asked for: a virtual IRQ raised earlier in the same block (an MMIO write
// hv emulated, an SGI) enters EL1 at an IRQ slot with ELR_EL1 at the
// excepting instruction's return address and SPSR_EL1 as it ran. The core
// then stands at that slot, at EL1 with DAIF masked.
std::optional<uint64_t> Arm64Core::irq_entry_since(const GuestException& e, uint64_t vbar) const {
    const uint64_t at = pc();
    if (at == e.return_pc || at < vbar)
        return std::nullopt;
    const uint64_t slot = at - vbar;
    if (slot != 0x080 && slot != 0x280 && slot != irq_lower_slot)
        return std::nullopt;
    uint64_t elr = 0;
    check(uc_reg_read(uc_, UC_ARM64_REG_ELR_EL1, &elr), "read ELR_EL1");
    return elr == e.return_pc ? std::optional<uint64_t>(slot) : std::nullopt;
}

void Arm64Core::deliver(const GuestException& e) {
    uint64_t vbar = 0;
    check(uc_reg_read(uc_, UC_ARM64_REG_VBAR_EL1, &vbar), "read VBAR_EL1");
    if (const std::optional<uint64_t> irq_slot = irq_entry_since(e, vbar)) {
        // The exception comes first, as the architecture orders them: its
        // synchronous slot of the same kind (0x80 below) takes the entry
        // over, with the entry's ELR and SPSR; the interrupt stays pending
        // until the handler unmasks IRQs.
        const bool from_el0 = *irq_slot == irq_lower_slot;
        ++delivered_;
        last_vector_ = vbar + *irq_slot - 0x80;
        last_what_ = e.what + " from pc " + hex(e.return_pc) + (from_el0 ? " (EL0)" : "");
        const uint64_t esr = el1_esr(e, from_el0);
        check(uc_reg_write(uc_, UC_ARM64_REG_ESR_EL1, &esr), "write ESR_EL1");
        if (e.has_far)
            check(uc_reg_write(uc_, UC_ARM64_REG_FAR_EL1, &e.far), "write FAR_EL1");
        set_pc(last_vector_);
        return;
    }
    const uint64_t ps = pstate();
    const bool from_el0 = ((ps >> 2) & 3) == 0;
    const bool sp_el0 = !from_el0 && (ps & 1) == 0;
    const uint64_t vector = vbar + el1_sync_vector(from_el0, sp_el0);
    if (delivered_ && e.return_pc == last_vector_) {
        // The vector itself faults: the hardware would take the same
        // exception forever. Stop here instead (the supervisor decides).
        raise_fault(Fault::Kind::other, e.return_pc, e.far,
                    "vector fault: " + e.what + " on " + last_what_);
        return;
    }
    ++delivered_;
    last_vector_ = vector;
    last_what_ = e.what + " from pc " + hex(e.return_pc) + (from_el0 ? " (EL0)" : "");
    const uint64_t esr = el1_esr(e, from_el0);
    check(uc_reg_write(uc_, UC_ARM64_REG_ESR_EL1, &esr), "write ESR_EL1");
    if (e.has_far)
        check(uc_reg_write(uc_, UC_ARM64_REG_FAR_EL1, &e.far), "write FAR_EL1");
    if (!from_el0) {
        install_vector_hook(vbar); // at EL1, for the entries from EL0 to come
        enter_from_el1(e, ps, vector);
        return;
    }
    if (ps & pstate_irq_masked) {
        raise_fault(
            Fault::Kind::other, e.return_pc, e.far,
            "cannot deliver " + e.what +
                " from EL0 with IRQs masked (Unicorn 2.0.1 enters EL1 through a virtual IRQ)");
        return;
    }
    set_pc(e.return_pc);
    enter_from_el0(vbar);
}

void Arm64Core::enter_from_el1(const GuestException& e, uint64_t ps, uint64_t vector) {
    check(uc_reg_write(uc_, UC_ARM64_REG_ELR_EL1, &e.return_pc), "write ELR_EL1");
    write_cp(uc_, 3, 0, 4, 0, 0, ps); // SPSR_EL1: there is no register id for it in 2.0.1
    uint64_t el1h = uc::pstate_el1h_masked;
    if ((ps & 1) == 0) {
        // From EL1t: the handler runs on SP_EL1; PSTATE writes do not bank SP.
        uint64_t sp = 0, sp_el1 = 0;
        check(uc_reg_read(uc_, UC_ARM64_REG_SP, &sp), "read SP");
        check(uc_reg_write(uc_, UC_ARM64_REG_SP_EL0, &sp), "write SP_EL0");
        check(uc_reg_read(uc_, UC_ARM64_REG_SP_EL1, &sp_el1), "read SP_EL1");
        check(uc_reg_write(uc_, UC_ARM64_REG_PSTATE, &el1h), "write PSTATE");
        check(uc_reg_write(uc_, UC_ARM64_REG_SP, &sp_el1), "write SP");
    } else {
        check(uc_reg_write(uc_, UC_ARM64_REG_PSTATE, &el1h), "write PSTATE");
    }
    set_pc(vector);
}

// The code hook on VBAR_EL1 + 0x480 that turns the EL0 entry's IRQ into the
// synchronous slot. It stays installed while VBAR_EL1 stays (an IRQ from EL0
// passes through it untouched): Unicorn drops translated code by virtual
// address translated at the current EL, so from EL0 it cannot drop the
// kernel's vector code (measured with Linux: a timer IRQ from EL0 had
// translated the slot without the hook, the next entry's redirect never ran
// and its virtual IRQ stayed up). Installing it at EL1 drops the slot's
// stale code reliably.
void Arm64Core::install_vector_hook(uint64_t vbar) {
    if (vector_hook_ && vector_hook_vbar_ == vbar)
        return;
    if (vector_hook_)
        uc_hook_del(uc_, vector_hook_);
    uc_hook h;
    check(uc_hook_add(uc_, &h, UC_HOOK_CODE, reinterpret_cast<void*>(&on_vector), this,
                      vbar + irq_lower_slot, vbar + irq_lower_slot),
          "add vector hook");
    vector_hook_ = h;
    vector_hook_vbar_ = vbar;
    // Code translated before the hook existed would not call it. (Only ever
    // done between uc_emu_start calls. The range may be unmapped: the fetch
    // then fails.)
    uc_ctl_remove_cache(uc_, vbar + irq_lower_slot, vbar + irq_lower_slot + 4);
}

void Arm64Core::enter_from_el0(uint64_t vbar) {
    install_vector_hook(vbar);
    vector_redirect_ = true;
    write_cp(uc_, 3, 4, 1, 1, 0, uc::hcr_el2_rw_imo | uc::hcr_el2_vi);
}

// Between two uc_emu_start calls of one run(): finishes what hooks must not
// do from inside (deliveries, the EL0 entry's redirect). True to run on.
// A data cache instruction by VA (DC IVAC, CVAC, CVAU, CIVAC, ...), from the
// SYS hook with the guest PC on it. Unicorn 2.0.1 runs it as a no-op that
// translates nothing; hardware translates its address as a data access and
// faults with CM set and WnR 1 (Arm ARM, "The data cache maintenance
// instruction (DC)"): the guest's own translation and access flag faults,
// permission faults for IVAC (it needs write permission) and at EL0 for the
// others (read permission), and a stage-2 abort where the VM backs nothing
// (the address, or a table of the walk). A page hv emulates is left alone,
// as KVM skips such an instruction. A fault leaves the hook by a long jump.
void Arm64Core::check_cache_op_translation(uint64_t va, bool invalidate) {
#ifdef BAO_UNICORN_ACCESS_PC
    const bool is_write = invalidate;
    const Stage1Walk w =
        walk_stage1(va, is_write ? Stage1Access::write : Stage1Access::read, at_el0());
    if (w.table_unbacked) {
        raise_maintenance_abort(va, w.desc_ipa[w.num_desc - 1], true,
                                "translation table walk of a data cache instruction by VA (DC) "
                                "reading unmapped memory");
    } else if (w.fault != Stage1Walk::Fault::none) {
        GuestException e;
        e.ec = el1_ec::data_abort_lower;
        e.iss = data_abort_iss(true, w.status_code()) | 1u << 8; // CM; WnR 1
        e.has_far = true;
        e.far = va;
        e.return_pc = pc();
        e.what =
            "data abort (DFSC " + hex(w.status_code()) + ", cache maintenance at " + hex(va) + ")";
        pending_ = e;
        uc_emu_stop(uc_);
    } else if (!backs(w.out)) {
        raise_maintenance_abort(va, w.out, false,
                                "data cache instruction by VA (DC) on unmapped memory");
    } else {
        return;
    }
    bao_unicorn_leave_helper();
#else
    (void)va, (void)invalidate; // Unicorn's shared library: no way out of the hook
#endif
}

bool Arm64Core::resume_after_stop(bool& failed) {
    bool again = update_sp_watch();
    if (placeholder_due_) {
        // A fetch from a virtual address the guest maps into the VM but no
        // region covers (on_unmapped): cover it now, between two
        // uc_emu_start calls, and translate the block again.
        const uint64_t va = *placeholder_due_;
        placeholder_due_.reset();
        if (!map_placeholder(va)) {
            fault_.va = va;
            raise_fault(Fault::Kind::unmapped_fetch, va,
                        walk_stage1(va, Stage1Access::fetch, at_el0()).out,
                        "instruction fetch from a virtual address no placeholder region is left "
                        "for");
            return false;
        }
        failed = false;
        again = true;
    }
    if (vector_hit_) {
        vector_hit_ = false;
        write_cp(uc_, 3, 4, 1, 1, 0, uc::hcr_el2_rw_imo | (virq_ ? uc::hcr_el2_vi : 0));
        set_pc(vector_hook_vbar_ + sync_lower_slot);
        again = true;
    }
    if (pending_) {
        GuestException e = std::move(*pending_);
        pending_.reset();
        failed = false; // an unmapped access Unicorn stopped at is the guest's own fault
        deliver(e);
        again = true;
    }
    if (!again || stop_)
        return false;
    if (cycles_in_run() >= budget_) {
        stop_ = StopReason::budget;
        return false;
    }
    return true;
}

// A fetch that fails at the IRQ slot of an entry from EL0 in flight is the
// synchronous slot's fetch failing (no vector there, e.g. VBAR_EL1 = 0):
// report that address, as the hardware would have fetched it.
uint64_t Arm64Core::vector_fetch(uint64_t address) {
    if (!vector_redirect_ || address != vector_hook_vbar_ + irq_lower_slot)
        return address;
    vector_redirect_ = false;
    write_cp(uc_, 3, 4, 1, 1, 0, uc::hcr_el2_rw_imo | (virq_ ? uc::hcr_el2_vi : 0));
    return vector_hook_vbar_ + sync_lower_slot;
}

// The IRQ entry from EL0 that deliver() raised has reached its vector:
// stop before its first instruction; resume_after_stop restores the real
// virtual IRQ line and continues at the synchronous slot.
void Arm64Core::on_vector(uc_struct* uc, uint64_t, uint32_t, void* self) {
    auto* core = static_cast<Arm64Core*>(self);
    if (!core->vector_redirect_)
        return;
    core->vector_redirect_ = false;
    core->vector_hit_ = true;
    uc_emu_stop(uc);
}

} // namespace sim::cpu

// The aborts an AArch64 core reports to EL2 (cpu::Exit with an ESR_EL2-shaped
// syndrome): accesses to a trapping page, which the handler emulates and the
// core completes inside the instruction, and accesses outside the guest's
// memory, which end the run as a fault carrying the abort. The ISS is built
// here, once, from the instruction that made the access.
#include "sim/cpu/arm64_core.h"
#include "sim/cpu/unicorn_stage2_c.h"
#include "sim/cpu/unicorn_util.h"

namespace sim::cpu {

void Arm64Core::map_trapping(uint64_t addr, uint64_t size) {
    traps_.push_back(std::make_unique<TrapBinding>(TrapBinding{this, addr}));
    traps_at_.emplace_back(addr, addr + size);
    void* binding = traps_.back().get();
    uc::check(uc_mmio_map(uc_, addr, size, reinterpret_cast<uc_cb_mmio_read_t>(&on_trap_read),
                          binding, reinterpret_cast<uc_cb_mmio_write_t>(&on_trap_write), binding),
              "map trapping page");
}

// The syndrome's SAS comes from the instruction, as the hardware's does; the
// call's size only tells a 64-bit access's halves (split_).
uint64_t Arm64Core::on_trap_read(uc_struct*, uint64_t offset, unsigned size, void* binding) {
    auto* b = static_cast<TrapBinding*>(binding);
    return b->core->trapped_access(b->base + offset, size, false, 0);
}

void Arm64Core::on_trap_write(uc_struct*, uint64_t offset, unsigned size, uint64_t value,
                              void* binding) {
    auto* b = static_cast<TrapBinding*>(binding);
    b->core->trapped_access(b->base + offset, size, true, value);
}

// The instruction at `pc`, read through the guest's stage 1 (0 if nothing backs it).
uint32_t Arm64Core::insn_at(uint64_t pc) const {
    return read_word(walk_stage1(pc, Stage1Access::read, false).out);
}

Exit Arm64Core::data_abort_exit(uint64_t pc, uint64_t va, uint64_t ipa, bool is_write) const {
    Exit e;
    e.kind = Exit::Kind::data_abort;
    e.pc = pc;
    e.syndrome.cause = arm64::ec::data_abort_lower;
    e.syndrome.detail = arm64::data_abort_iss(insn_at(pc), is_write);
    e.syndrome.address = va;
    e.syndrome.guest_phys = arm64::hpfar(ipa);
    return e;
}

Exit Arm64Core::inst_abort_exit(uint64_t va, uint64_t ipa) {
    Exit e;
    e.kind = Exit::Kind::inst_abort;
    e.pc = va;
    e.syndrome.cause = arm64::ec::inst_abort_lower;
    e.syndrome.detail = arm64::inst_abort_iss();
    e.syndrome.address = va;
    e.syndrome.guest_phys = arm64::hpfar(ipa);
    return e;
}

// An access to a trapping page, from inside the instruction (the full-range
// memory hook makes pc() the instruction's, docs/design.md#unicorn-pc; it also saw the
// access's virtual address). Unicorn completes the instruction with a load's
// value, so the handler's registers are not written back here.
uint64_t Arm64Core::trapped_access(uint64_t ipa, unsigned size, bool is_write, uint64_t value) {
    if (!recover_access(ipa)) {
        raise_unplaced_access("emulated IPA", ipa);
        uc_emu_stop(uc_);
        return 0;
    }
    const uint64_t at = pc();
    if (split_.pending && split_.pc == at && split_.second_ipa == ipa &&
        split_.is_write == is_write) { // a 64-bit access's second half
        split_.pending = false;
        if (!is_write)
            return split_.value;
        Exit e = data_abort_exit(at, split_.va, ipa - 4, true);
        e.in_flight = true;
        e.data = split_.value | (value & 0xffff'ffffu) << 32;
        report(e);
        return 0;
    }
    split_.pending = false;
    const bool same_page = (last_access_.address & 0xfff) == (ipa & 0xfff);
    const uint64_t va = same_page ? last_access_.address : ipa;
    Exit e = data_abort_exit(at, va, ipa, is_write);
    const uint32_t iss = e.syndrome.detail;
    const bool first_half = size == 4 && (iss >> 24 & 1) && (iss >> 22 & 3) == 3; // ISV, SAS 8
    if (first_half)
        split_ = {true, is_write, at, ipa + 4, va, is_write ? value & 0xffff'ffffu : 0};
    if (first_half && is_write)
        return 0; // reported with the high half
    e.in_flight = true;
    e.data = is_write ? value : 0;
    report(e);
    if (first_half)
        split_.value = e.data >> 32;
    return is_write ? 0 : e.data;
}

// What an access outside the guest's memory is to EL2: a stage-2 abort.
// An access to an address the VM neither backs nor traps: the stage-2 abort
// (fault_.exit) a hypervisor takes, and the run's end. `walk`: the address
// is a translation table's, read by the access's stage-1 walk (S1PTW).
void Arm64Core::raise_stage2_abort(uint64_t va, uint64_t ipa, Stage1Access access, unsigned bytes,
                                   bool walk) {
    fault_.va = va;
    fault_.size = bytes;
    const std::string sized = bytes ? " of " + std::to_string(bytes) + " bytes" : "";
    const std::string by = walk ? "translation table walk for a " : "";
    switch (access) {
    case Stage1Access::write:
        raise_fault(Fault::Kind::unmapped_write, pc(), ipa,
                    by + "write" + sized + " to unmapped memory");
        break;
    case Stage1Access::fetch:
        raise_fault(Fault::Kind::unmapped_fetch, va, ipa,
                    by + "instruction fetch from unmapped memory");
        break;
    case Stage1Access::read:
        raise_fault(Fault::Kind::unmapped_read, pc(), ipa,
                    by + "read" + sized + " from unmapped memory");
        break;
    }
    if (walk && fault_.exit)
        fault_.exit->syndrome.detail = arm64::walk_abort_iss();
}

// Unicorn's TLB fill, asking whether it may enter a page (unicorn_stage2.c):
// refused only where a region covers the virtual page (Unicorn's unmapped
// hook then never fires) and the VM does not back the translated one. A
// page no region covers is entered as before; the region check that follows
// sends the access to on_unmapped.
int Arm64Core::may_enter_page(void* self, uint64_t va, uint64_t pa) {
    const auto* core = static_cast<const Arm64Core*>(self);
    return core->backs(pa) || !core->region_at(va);
}

// ... and whether a translation table its walk reads is the VM's: its
// memory or a device, not a page hv emulates (stage 2 does not map those, and
// a walk is no access hv could emulate).
int Arm64Core::backs_table(void* self, uint64_t pa) {
    const auto* core = static_cast<const Arm64Core*>(self);
    return core->backs(pa) && !in_ranges(core->traps_at_, pa);
}

// A virtual address some region covers (a placeholder window, or the VM's
// memory where its VAs and IPAs overlap) that the guest's tables translate
// to an address the VM does not back, or whose walk reads a table there:
// Unicorn's unmapped hook never sees either (unicorn_stage2.c), so the abort
// is raised here, with the guest PC already on the access's instruction.
void Arm64Core::on_unbacked_translation(void* self, uint64_t va, uint64_t pa, int access,
                                        unsigned size, int walk) {
    auto* core = static_cast<Arm64Core*>(self);
    if (access == bao_access_translate) {
        core->raise_translate_walk_abort(pa);
        return;
    }
    const Stage1Access kind = access == bao_access_store   ? Stage1Access::write
                              : access == bao_access_fetch ? Stage1Access::fetch
                                                           : Stage1Access::read;
    if (kind != Stage1Access::fetch && !core->recover_access(va)) {
        core->fault_.va = va;
        core->raise_unplaced_access("an address the VM does not back at virtual address", va);
        return;
    }
    if (kind == Stage1Access::fetch)
        va = core->vector_fetch(va);
    core->raise_stage2_abort(va, pa, kind, kind == Stage1Access::fetch ? 0 : size, walk != 0);
}

// An AT instruction (the guest PC is on it: the translator wrote it back)
// whose walk reads a table the VM does not back: stage 2 aborts it to EL2 as
// a data abort with S1PTW and CM, FAR the address it was asked to translate.
// Before, the walk read zeros (a fault in PAR_EL1) or an error (an external
// abort to the guest).
void Arm64Core::raise_translate_walk_abort(uint64_t table_ipa) {
    const uint32_t insn = insn_at(pc());
    const unsigned rt = insn & 0x1f;
    const uint64_t va = arm64::address_translation(insn) && rt != 31 ? x(rt) : 0;
    raise_maintenance_abort(va, table_ipa, true,
                            "translation table walk of an address translation instruction (AT) "
                            "reading unmapped memory");
}

// A stage-2 abort of an AT or DC-by-VA instruction at the guest PC: at the
// table its walk read (`walk`) or at the IPA its address translates to.
void Arm64Core::raise_maintenance_abort(uint64_t va, uint64_t ipa, bool walk, const char* what) {
    fault_.va = va;
    fault_.size = 0;
    raise_fault(Fault::Kind::unmapped_write, pc(), ipa, what);
    fault_.va = va;
    if (fault_.exit) {
        fault_.exit->syndrome.address = va;
        fault_.exit->syndrome.detail = arm64::maintenance_abort_iss(walk);
    }
}

void Arm64Core::note_abort(Fault::Kind kind, uint64_t pc, uint64_t ipa) {
    if (kind == Fault::Kind::unmapped_fetch)
        fault_.exit = inst_abort_exit(fault_.va, ipa);
    else if (kind == Fault::Kind::unmapped_read || kind == Fault::Kind::unmapped_write)
        fault_.exit = data_abort_exit(pc, fault_.va, ipa, kind == Fault::Kind::unmapped_write);
    else
        fault_.exit.reset();
}

} // namespace sim::cpu

// The aborts an AArch64 core reports to EL2 (cpu::Exit with an ESR_EL2-shaped
// syndrome): accesses to a trapping page, which the handler emulates and the
// core completes inside the instruction, and accesses outside the guest's
// memory, which end the run as a fault carrying the abort. The ISS is built
// here, once, from the instruction that made the access.
#include "sim/cpu/arm64_core.h"
#include "sim/cpu/unicorn_util.h"

namespace sim::cpu {

void Arm64Core::map_trapping(uint64_t addr, uint64_t size) {
    traps_.push_back(std::make_unique<TrapBinding>(TrapBinding{this, addr}));
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
void Arm64Core::note_abort(Fault::Kind kind, uint64_t pc, uint64_t ipa) {
    if (kind == Fault::Kind::unmapped_fetch)
        fault_.exit = inst_abort_exit(fault_.va, ipa);
    else if (kind == Fault::Kind::unmapped_read || kind == Fault::Kind::unmapped_write)
        fault_.exit = data_abort_exit(pc, fault_.va, ipa, kind == Fault::Kind::unmapped_write);
    else
        fault_.exit.reset();
}

} // namespace sim::cpu

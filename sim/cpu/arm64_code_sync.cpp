// Broadcast maintenance across the cores of one address space (a VM, or the
// native machine).
//
// Each simulated core is its own Unicorn instance, with its own TLB and its
// own translated code; on hardware, and in QEMU's own SMP, a TLBI ...IS and
// an IC IVAU / IC IALLUIS reach every PE of the inner-shareable domain. Here
// they would reach only the core that executed them:
//  - Unicorn's TLB of another core keeps a virtual address's old mapping
//    after the guest remaps it (Linux reuses vmalloc'd stacks and its text
//    poking alias): that core then reads and writes the old physical page.
//    Measured with a 2-vCPU Linux: `gic_eoi_irq` loaded a NULL chip_data and
//    oopsed, at 0.29 s of guest time.
//  - Unicorn notices a core's own stores to a page it translated, but not
//    another instance's: kernel text one CPU patches (jump labels,
//    alternatives) stays stale in the other CPUs' translations.
// So those instructions are recorded on the address space's other cores,
// which apply them before they next run. The cores run one at a time, so
// that is before they could use a stale translation. The local TLBI and
// IC IALLU (the bare-metal runtime's) are not broadcast, as on hardware.
//
// How, with Unicorn 2.0.1's public API:
//  - Unicorn's TLB: uc_reg_write of a system register takes QEMU's raw write
//    where the register has one (SCTLR_EL1, TTBRn, TCR: no TLB flush), its
//    write function otherwise. HCR_EL2 has none: toggling HCR_EL2.DC and
//    back flushes the TLB (QEMU's hcr_write) and leaves every bit as it was.
//  - Translated code: a full flush (uc_ctl_flush_tlb) costs seconds per call;
//    dropping code by range (uc_ctl_remove_cache) translates its address as
//    an instruction fetch in the core's current regime, and a fault there is
//    not caught (2.0.1 has no recovery point outside emulation): an IPA is
//    unmapped for the core's EL0, and the kernel's alias of a page may be
//    non-executable. So the core's stage 1 is switched off around the calls
//    (VA = IPA, always executable), with a TLB flush after each SCTLR_EL1
//    write, so that no entry of the other regime is used or survives.
#include "sim/cpu/arm64_core.h"
#include "sim/cpu/arm64_sysregs.h"

#include "sim/cpu/unicorn_util.h"

#include <algorithm>

namespace sim::cpu {
namespace {

constexpr uint64_t page_mask = ~uint64_t{0xfff};
constexpr uint64_t hcr_dc = 1ull << 12; // default cacheable: a change flushes Unicorn's TLB
// Beyond this many pending pages, a core drops all its translated code.
constexpr size_t max_stale_pages = 1024;

} // namespace

void Arm64Core::leave_address_space() {
    if (!shared_windows_)
        return;
    auto& cores = shared_windows_->cores;
    cores.erase(std::remove(cores.begin(), cores.end(), this), cores.end());
}

void Arm64Core::tlbi_broadcast() {
    for (Arm64Core* other : shared_windows_->cores)
        if (other != this)
            other->stale_tlb_ = true;
}

void Arm64Core::instruction_cache_op(bool all, uint64_t va) {
    const bool others = shared_windows_->cores.size() >= 2;
    if (!others && !a53_)
        return;
    uint64_t page = 0;
    if (!all) {
        // IC IVAU names a VA of this core's regime (EL0 may issue it too).
        const Stage1Walk w = walk_stage1(va, Stage1Access::read, at_el0());
        if (w.fault != Stage1Walk::Fault::none)
            return; // nothing there to invalidate
        page = (w.mmu_on ? w.out : va) & page_mask;
    }
    code_changed(page, all); // the A53 model's recipes of this core
    if (!others)
        return;
    for (Arm64Core* other : shared_windows_->cores)
        if (other != this)
            other->note_code_change(page, all);
}

void Arm64Core::note_code_change(uint64_t ipa_page, bool all) {
    if (all || stale_code_pages_.size() >= max_stale_pages) {
        stale_code_all_ = true;
        stale_code_pages_.clear();
        return;
    }
    if (!stale_code_all_ && (stale_code_pages_.empty() || stale_code_pages_.back() != ipa_page))
        stale_code_pages_.push_back(ipa_page); // IC IVAU comes line by line
}

void Arm64Core::flush_unicorn_tlb() {
    const uint64_t hcr = read_cp(3, 4, 1, 1, 0);
    uc::write_cp(uc_, 3, 4, 1, 1, 0, hcr ^ hcr_dc);
    uc::write_cp(uc_, 3, 4, 1, 1, 0, hcr);
}

void Arm64Core::apply_broadcasts() {
    if (!stale_tlb_ && !stale_code_all_ && stale_code_pages_.empty() && !retranslate_all_)
        return;
    if (stale_tlb_) // another core's TLBI ...IS: code addresses may translate elsewhere now
        code_translation_changed();
    // The pages whose code the guest changed (all of them: stale_code_all_).
    std::vector<std::pair<uint64_t, uint64_t>> changed;
    if (stale_code_all_) {
        changed = backed_; // the address space's memory
    } else {
        std::sort(stale_code_pages_.begin(), stale_code_pages_.end());
        stale_code_pages_.erase(std::unique(stale_code_pages_.begin(), stale_code_pages_.end()),
                                stale_code_pages_.end());
        for (uint64_t page : stale_code_pages_)
            if (ipa_mapped(page))
                changed.emplace_back(page, page + 0x1000);
    }
    // Unicorn's translations to drop: those, or all (the memory hook came or
    // went, arm64_uncounted.cpp: the code itself is unchanged).
    const auto& ranges = retranslate_all_ ? backed_ : changed;
    if (!ranges.empty()) {
        const uint64_t sctlr = read_cp(3, 0, 1, 0, 0);
        uc::write_cp(uc_, 3, 0, 1, 0, 0, sctlr & ~sctlr_m);
        flush_unicorn_tlb();
        for (const auto& [lo, hi] : ranges)
            uc::check(uc_ctl_remove_cache(uc_, lo, hi), "invalidate translated code");
        uc::write_cp(uc_, 3, 0, 1, 0, 0, sctlr);
    }
    flush_unicorn_tlb();
    if (stale_code_all_)
        code_changed(0, true);
    else
        for (const auto& range : changed)
            code_changed(range.first, false);
    code_invalidations_ += changed.size();
    stale_code_pages_.clear();
    stale_code_all_ = false;
    stale_tlb_ = false;
    retranslate_all_ = false;
}

} // namespace sim::cpu

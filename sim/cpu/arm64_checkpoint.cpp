// Checkpoints of an AArch64 core (docs/checkpoints.md), taken between runs.
// Unicorn 2.0.1's CPU context (unicorn_context.h) is QEMU's CPUARMState up
// to its breakpoint pointers: every general, FP/SIMD and system register,
// PSTATE and the cached translation flags (hflags) that a register write
// would not rebuild (unicorn-notes.md), with no pointer an A53 uses. Beside it: what
// this class keeps about the guest (stage-1 registers for the timing model,
// the virtual IRQ line, pending code and TLB broadcasts, placeholder
// windows, the vector and SP hooks' state, counters).
#include "sim/checkpoint.h"
#include "sim/cpu/a53_recipes.h"
#include "sim/cpu/arm64_core.h"
#include "sim/cpu/unicorn_context.h"
#include "sim/cpu/unicorn_util.h"

#include <algorithm>
#include <cstring>

namespace sim::cpu {

void Core::checkpoint(Archive&) {
    throw CheckpointError("this core model has no checkpoints");
}

void Core::checkpoint(Archive& a, Fault& fault) {
    a.value(fault.kind);
    a.value(fault.pc);
    a.value(fault.address);
    a.value(fault.va);
    a.value(fault.size);
    a.text(fault.description);
}

namespace {

using uc::check;

// [first, second) ranges as pairs of numbers.
void ranges(Archive& a, std::vector<std::pair<uint64_t, uint64_t>>& r) {
    std::vector<uint64_t> flat;
    for (const auto& [lo, hi] : r) {
        flat.push_back(lo);
        flat.push_back(hi);
    }
    a.values(flat);
    if (a.is_saving())
        return;
    r.clear();
    for (size_t k = 0; k + 1 < flat.size(); k += 2)
        r.emplace_back(flat[k], flat[k + 1]);
}

} // namespace

void Arm64Core::checkpoint(Archive& a) {
    if (running_ || pending_ || vector_hit_)
        throw std::logic_error("a core's checkpoint is taken between runs only");
    a.tag("arm64 core");
    checkpoint_cpu_context(uc_, UC_ARCH_ARM64, a);
    a.value(stage1_);
    a.value(stage1_on_);
    a.value(granule_refused_);
    a.value(virq_);
    a.value(fast_forward_next_);
    a.value(vector_redirect_);
    uint64_t vbar = vector_hook_ ? vector_hook_vbar_ : 0;
    bool vector_hooked = vector_hook_ != 0;
    a.value(vector_hooked);
    a.value(vbar);
    bool watching = sp_watch_.has_value();
    uint64_t watch = sp_watch_.value_or(0), watch_block = sp_watch_block_.value_or(0);
    a.value(watching);
    a.value(watch);
    a.value(watch_block);
    a.value(delivered_);
    a.value(last_vector_);
    a.text(last_what_);
    a.value(loads_);
    a.value(stores_);
    a.value(code_invalidations_);
    a.values(stale_code_pages_);
    a.value(stale_code_all_);
    a.value(stale_tlb_);
    Core::checkpoint(a, fault_);
    // Placeholder windows: this core's mappings and its address space's list.
    std::vector<std::pair<uint64_t, uint64_t>> mapped = mapped_;
    ranges(a, mapped);
    std::vector<std::pair<uint64_t, uint64_t>> windows = shared_windows_->windows;
    ranges(a, windows);
    uint64_t adopted = adopted_;
    a.value(adopted);
    if (a53_) // the configuration's identity makes both runs agree on the model
        a53_->checkpoint(a);
    if (a.is_saving())
        return;
    for (const auto& [lo, hi] : mapped) {
        if (std::find(mapped_.begin(), mapped_.end(), std::make_pair(lo, hi)) != mapped_.end())
            continue;
        check(uc_mem_map(uc_, lo, hi - lo, UC_PROT_ALL), "map a placeholder window");
        note_mapped(lo, hi - lo);
        ++placeholders_;
    }
    shared_windows_->windows = windows;
    adopted_ = static_cast<size_t>(adopted);
    if (vector_hooked)
        install_vector_hook(vbar);
    clear_sp_watch();
    if (watching) {
        sp_watch_ = watch;
        sp_watch_block_ = watch_block;
        update_sp_watch();
    }
    fast_forward_ = fast_forward_next_;
    // The context's HCR_EL2.VI does not raise QEMU's interrupt request by
    // itself: writing HCR_EL2 does (its write hook updates the virtual IRQ).
    uc::write_cp(uc_, 3, 4, 1, 1, 0,
                 uc::hcr_el2_rw_imo | (virq_ || vector_redirect_ ? uc::hcr_el2_vi : 0));
}

} // namespace sim::cpu

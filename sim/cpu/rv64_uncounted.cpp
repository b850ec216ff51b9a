// Fast-forward without counting on RISC-V (--fast-forward-uncounted,
// docs/checkpoints.md), as arm64_uncounted.cpp on AArch64.
//
// While fast-forwarding, the full-range memory hook only counts loads and
// stores and names the address of a load or store that faults; with it,
// every access takes Unicorn's softmmu helpers. Without it: an MMIO or
// unmapped access already finds its own PC through the helper it is in
// (access_pc), a faulting access's address comes from decoding its
// instruction (the registers are as they were before it: a fault writes
// none), and loads and stores go uncounted. Stores to pages without code
// then leave Unicorn's slow path (unicorn_store_path.c).
#include "sim/cpu/rv64_core.h"
#include "sim/cpu/unicorn_util.h"

#ifdef BAO_UNICORN_ACCESS_PC
#include "sim/cpu/unicorn_store_path_c.h"
#endif

#include <unicorn/unicorn.h>

namespace sim::cpu {

using uc::check;

bool Rv64Core::set_fast_forward_uncounted(bool on) {
    if (!uc::runs_without_memory_hook()) // needs Debian's Unicorn 2.0.1 archive, wrapped
        return !on;
    fast_forward_uncounted_ = on;
    return true;
}

void Rv64Core::add_memory_hook() {
    memory_hook_ = uc::add_memory_hook(uc_, reinterpret_cast<void*>(&on_memory), this);
    memory_hook_on_ = true;
}

// When a run starts. Whether a block calls the hook is decided when it is
// translated, so the translations are dropped over every memory mapping;
// Unicorn 2.0.1 unlinks a deleted hook only when the next uc_emu_start ends,
// so after a removal that happens at the start of the run after.
void Rv64Core::update_memory_hook() {
    bool retranslate = drop_code_for_hook_;
    drop_code_for_hook_ = false;
    const bool wanted = !(fast_forward_ && fast_forward_uncounted_);
    if (wanted != memory_hook_on_) {
        if (wanted) {
            add_memory_hook();
            retranslate = true;
        } else {
            check(uc_hook_del(uc_, memory_hook_), "remove memory hook");
            memory_hook_on_ = false;
            drop_code_for_hook_ = true;
        }
#ifdef BAO_UNICORN_ACCESS_PC
        bao_unicorn_fast_stores(uc_, !wanted);
#endif
    }
    if (!retranslate)
        return;
    scanned_blocks_.clear();
    for (const auto& [lo, hi] : ram_ranges_)
        check(uc_ctl_remove_cache(uc_, lo, hi), "invalidate translated code");
}

// The address a faulting load, store or AMO at `epc` accessed.
uint64_t Rv64Core::faulting_address(uint64_t epc) const {
    if (memory_hook_on_)
        return last_access_.address; // the hook saw the access before it faulted
    const auto m = rv64::decode_access(read_word(epc));
    return m ? x(m->rs1) + static_cast<uint64_t>(m->offset) : 0;
}

} // namespace sim::cpu

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

#include <unicorn/unicorn.h>

namespace sim::cpu {

using uc::check;

bool Rv64Core::set_fast_forward_uncounted(bool on) {
    return memory_hook_.allow_uncounted(on);
}

// When a run starts: the translations are dropped over every memory mapping
// when the hook came or went.
void Rv64Core::update_memory_hook() {
    if (!memory_hook_.update(fast_forward_))
        return;
    scanned_blocks_.clear();
    for (const auto& [lo, hi] : ram_ranges_)
        check(uc_ctl_remove_cache(uc_, lo, hi), "invalidate translated code");
}

// The address a faulting load, store or AMO at `epc` accessed.
uint64_t Rv64Core::faulting_address(uint64_t epc) const {
    if (memory_hook_.on())
        return last_access_.address; // the hook saw the access before it faulted
    const auto m = rv64::decode_access(read_word(epc));
    return m ? x(m->rs1) + static_cast<uint64_t>(m->offset) : 0;
}

} // namespace sim::cpu

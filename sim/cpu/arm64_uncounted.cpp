// Fast-forward without counting (--fast-forward-uncounted, docs/checkpoints.md).
//
// The full-range memory hook costs a fast-forwarded run about half its speed:
// any memory hook sends every load and store through Unicorn's softmmu
// helpers. While fast-forwarding it only counts loads and stores and makes
// Unicorn 2.0.1 write back an access's own PC before MMIO and unmapped
// callbacks (docs/design.md#unicorn-pc). Without it, those callbacks ask the
// helper the access went through (sim/cpu/unicorn_access_pc.c) for its PC and
// its address, size and direction; loads and stores go uncounted.
#include "sim/cpu/arm64_core.h"
#include "sim/cpu/unicorn_util.h"

#ifdef BAO_UNICORN_ACCESS_PC
#include "sim/cpu/unicorn_access_pc_c.h"
#include "sim/cpu/unicorn_store_path_c.h"
#endif

#include <unicorn/unicorn.h>

namespace sim::cpu {

using uc::check;

bool Arm64Core::set_fast_forward_uncounted(bool on) {
    if (!uc::runs_without_memory_hook()) // needs Debian's Unicorn 2.0.1 archive, wrapped
        return !on;
    fast_forward_uncounted_ = on;
    return true;
}

void Arm64Core::add_memory_hook() {
    memory_hook_ = uc::add_memory_hook(uc_, reinterpret_cast<void*>(&on_memory), this);
    memory_hook_on_ = true;
}

// When a run starts: the hook goes while fast-forwarding uncounted and comes
// back with the model. Whether a block calls the hook (and takes the slow
// path for every access) is decided when it is translated, so translated
// code is dropped (apply_broadcasts, next), by range over the address
// space's memory; the guest's code did not change, so the A53 model keeps
// its recipes. Unicorn 2.0.1 unlinks a deleted hook only when the next
// uc_emu_start ends (until then the translator still sees it), so after a
// removal the code is dropped at the start of the run after.
void Arm64Core::update_memory_hook() {
    if (drop_code_for_hook_) {
        drop_code_for_hook_ = false;
        retranslate_all_ = true;
    }
    const bool wanted = !(fast_forward_ && fast_forward_uncounted_);
    if (wanted == memory_hook_on_)
        return;
    if (wanted) {
        add_memory_hook();
        retranslate_all_ = true;
    } else {
        check(uc_hook_del(uc_, memory_hook_), "remove memory hook");
        memory_hook_on_ = false;
        drop_code_for_hook_ = true;
    }
#ifdef BAO_UNICORN_ACCESS_PC
    // Without the hook, stores to pages without code may take Unicorn's
    // fast path (unicorn_store_path.c); with it, never (DC ZVA would write
    // past the hook).
    bao_unicorn_fast_stores(uc_, !wanted);
#endif
}

// Inside an MMIO or unmapped-access callback for `address` (virtual, or the
// physical one: only its page offset is compared): PC and last_access_ of
// the access in flight. True with the memory hook, which already did so.
bool Arm64Core::recover_access([[maybe_unused]] uint64_t address) {
    if (memory_hook_on_)
        return true;
#ifdef BAO_UNICORN_ACCESS_PC
    bao_unicorn_access a{};
    if (!bao_unicorn_place_access(address, &a))
        return false;
    last_access_ = LastAccess{a.address, a.size, a.is_write != 0};
    return true;
#else
    return false;
#endif
}

// An access recover_access could not place stops the core (its VM, under hv)
// with a reason naming the option: decoding another instruction's syndrome
// would emulate the wrong register.
void Arm64Core::raise_unplaced_access(const char* what, uint64_t address) {
    raise_fault(Fault::Kind::other, pc(), address,
                std::string("an access to ") + what + " " + uc::hex(address) +
                    " whose instruction --fast-forward-uncounted cannot find (it did not go "
                    "through Unicorn's load and store helpers); run without that option");
}

// A data abort Unicorn raised: the access that faulted went through a helper.
void Arm64Core::recover_last_access() {
#ifdef BAO_UNICORN_ACCESS_PC
    bao_unicorn_access a{};
    if (!memory_hook_on_ && bao_unicorn_last_access(&a))
        last_access_ = LastAccess{a.address, a.size, a.is_write != 0};
#endif
}

void Arm64Core::forget_access() {
#ifdef BAO_UNICORN_ACCESS_PC
    if (!memory_hook_on_)
        bao_unicorn_forget_access();
#endif
}

} // namespace sim::cpu

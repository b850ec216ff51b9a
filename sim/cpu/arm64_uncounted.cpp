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
#endif

#include <unicorn/unicorn.h>

namespace sim::cpu {

using uc::check;

bool Arm64Core::set_fast_forward_uncounted(bool on) {
    return memory_hook_.allow_uncounted(on);
}

// When a run starts: the hook goes while fast-forwarding uncounted and comes
// back with the model. Translated code is dropped (apply_broadcasts, next)
// by range over the address space's memory; the guest's code did not
// change, so the A53 model keeps its recipes.
void Arm64Core::update_memory_hook() {
    if (memory_hook_.update(fast_forward_))
        retranslate_all_ = true;
}

// Inside an MMIO or unmapped-access callback for `address` (virtual, or the
// physical one: only its page offset is compared): PC and last_access_ of
// the access in flight. True with the memory hook, which already did so.
bool Arm64Core::recover_access([[maybe_unused]] uint64_t address) {
    if (memory_hook_.on())
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
    if (!memory_hook_.on() && bao_unicorn_last_access(&a))
        last_access_ = LastAccess{a.address, a.size, a.is_write != 0};
#endif
}

void Arm64Core::forget_access() {
#ifdef BAO_UNICORN_ACCESS_PC
    if (!memory_hook_.on())
        bao_unicorn_forget_access();
#endif
}

} // namespace sim::cpu

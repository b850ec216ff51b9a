// A virtual address a region covers that the guest's Sv39 tables translate
// to an address the VM does not back (unicorn_stage2.c): Unicorn 2.0.1's
// unmapped hook never sees it, and the access went to QEMU's unassigned
// memory (reads 0, writes dropped). It stops the core with the same fault as
// an address no region covers, naming both addresses.
#include "sim/cpu/rv64_core.h"
#include "sim/cpu/unicorn_stage2_c.h"
#include "sim/cpu/unicorn_util.h"

namespace sim::cpu {

bool Rv64Core::region_at(uint64_t address) const {
    if (address - stub_base_ < stub_size)
        return true; // the M-mode entry stub's page, the simulator's own
    return in_ranges(mapped_, address);
}

// Refused only where a region covers the virtual page and none holds the
// translated one; a page no region covers is entered as before, and the
// region check that follows sends the access to on_unmapped.
int Rv64Core::may_enter_page(void* self, uint64_t va, uint64_t pa) {
    const auto* core = static_cast<const Rv64Core*>(self);
    return core->region_at(pa) || !core->region_at(va);
}

// ... and whether a page table its walk reads is the VM's: its memory or a
// device, not the stub nor a page hv emulates (a walk is no access hv could
// emulate).
int Rv64Core::backs_table(void* self, uint64_t pa) {
    const auto* core = static_cast<const Rv64Core*>(self);
    return pa - core->stub_base_ >= stub_size && !in_ranges(core->trapping_at_, pa) &&
           core->region_at(pa);
}

void Rv64Core::on_unbacked_translation(void* self, uint64_t va, uint64_t pa, int access,
                                       unsigned size, int walk) {
    auto* core = static_cast<Rv64Core*>(self);
    const bool is_write = access == bao_access_store;
    const std::string through =
        (walk ? " (a page table of virtual address " : " through virtual address ") + uc::hex(va) +
        (walk ? ")" : "");
    const std::string sized = " of " + std::to_string(size) + " bytes";
    if (access == bao_access_fetch) {
        core->raise_fault(Fault::Kind::unmapped_fetch, va, pa,
                          "instruction fetch from unmapped memory" + through);
    } else {
        const uint64_t at = core->access_pc(core->pc(), va, is_write);
        if (is_write)
            core->raise_fault(Fault::Kind::unmapped_write, at, pa,
                              "write" + sized + " to unmapped memory" + through);
        else
            core->raise_fault(Fault::Kind::unmapped_read, at, pa,
                              "read" + sized + " from unmapped memory" + through);
    }
    core->fault_.va = va;
    core->fault_.size = access == bao_access_fetch ? 0 : size;
}

} // namespace sim::cpu

// Placeholder regions for a guest whose MMU maps VA != PA (unicorn-notes.md,
// "Guest stage 1 with VA != PA"): Unicorn 2.0.1 checks every *virtual*
// address against its regions before the guest's tables translate it, so a
// valid VA that no region covers fails. Any region covering the VA passes
// the check; the access itself then goes to the translated address. The
// placeholder's own memory is never read or written by a translated access
// except when a translated address lands inside it, which can only happen
// below the physical address size, and there each placeholder is a region
// of its full size that Unicorn allocates itself (lazily committed host
// pages): no guest-chosen address ever reaches host memory outside Unicorn's
// own buffers. Placeholders are executable (an MMIO one cannot be fetched
// from), never overlap the VM's memory, devices or each other, and are few:
// Unicorn aborts the process past about 1000 regions, so windows are large
// (1 GiB above the PA size, 16 MiB below) and Linux runs with nokaslr and
// norandmaps. Unicorn 2.1 translates before it checks and needs none of this.
#include "sim/cpu/arm64_core.h"
#include "sim/cpu/arm64_sysregs.h"
#include "sim/cpu/unicorn_util.h"

#include <algorithm>
#include <iterator>

namespace sim::cpu {
namespace {

// No translated address reaches this high (the Cortex-A53's 40-bit PA).
constexpr uint64_t pa_limit = 1ull << 40;
constexpr uint64_t high_window = 1ull << 30, low_window = 16ull << 20;
constexpr size_t max_placeholders = 512;

// An address space's shared state for Arm64Core: its placeholder windows
// and its cores (arm64_code_sync.cpp).
struct PlaceholderSpace : AddressSpace {
    Arm64Core::PlaceholderWindows windows;
};

} // namespace

std::shared_ptr<AddressSpace> Arm64Core::new_address_space() const {
    return std::make_shared<PlaceholderSpace>();
}

void Arm64Core::join(std::shared_ptr<AddressSpace> space) {
    auto shared = std::dynamic_pointer_cast<PlaceholderSpace>(std::move(space));
    if (!shared)
        throw std::logic_error("an Arm64Core joins an address space of another kind of core");
    leave_address_space();
    shared_windows_ = std::shared_ptr<PlaceholderWindows>(shared, &shared->windows);
    shared_windows_->cores.push_back(this);
    adopted_ = 0;
}

void Arm64Core::note_mapped(uint64_t addr, uint64_t size) {
    mapped_.emplace_back(addr, addr + size);
    std::sort(mapped_.begin(), mapped_.end());
}

bool Arm64Core::ipa_mapped(uint64_t ipa) const {
    return in_ranges(backed_, ipa);
}

bool Arm64Core::backs(uint64_t ipa) const {
    return ipa_mapped(ipa) || in_ranges(devices_at_, ipa) || in_ranges(traps_at_, ipa);
}

bool Arm64Core::region_at(uint64_t va) const {
    return covered(va) || in_ranges(devices_at_, va) || in_ranges(traps_at_, va);
}

// Maps a placeholder window around `va` (which no region covers), clipped
// so it overlaps nothing mapped. False when the limit is reached.
void Arm64Core::adopt_shared_placeholders() {
    for (; adopted_ < shared_windows_->windows.size(); ++adopted_) {
        const auto [lo, hi] = shared_windows_->windows[adopted_];
        const bool overlaps = std::any_of(mapped_.begin(), mapped_.end(), [&](const auto& r) {
            return r.first - lo < hi - lo || lo - r.first < r.second - r.first;
        });
        if (overlaps || uc_mem_map(uc_, lo, hi - lo, UC_PROT_ALL) != UC_ERR_OK)
            continue; // this core made its own window there
        note_mapped(lo, hi - lo);
        ++placeholders_;
    }
}

bool Arm64Core::map_placeholder(uint64_t va) {
    adopt_shared_placeholders();
    if (placeholders_ >= max_placeholders)
        return false;
    if (va >= unicorn_top_page)
        return false; // see unicorn_top_page
    const uint64_t size = va >= pa_limit ? high_window : low_window;
    uint64_t lo = va & ~(size - 1);
    uint64_t hi = lo + size; // 0 when the window ends at 2^64
    if (hi == 0)
        hi = unicorn_top_page;
    for (const auto& [start, end] : mapped_) {
        if (end <= va && end > lo)
            lo = end;
        if (start > va && (hi == 0 || start < hi))
            hi = start;
    }
    const uint64_t len = hi - lo; // wraps correctly when hi == 0
    if (uc_mem_map(uc_, lo, len, UC_PROT_ALL) != UC_ERR_OK)
        return false;
    note_mapped(lo, len);
    ++placeholders_;
    shared_windows_->windows.emplace_back(lo, lo + len);
    adopted_ = shared_windows_->windows.size(); // windows are made one core at a time
    return true;
}

bool Arm64Core::covered(uint64_t va) const {
    auto after = std::upper_bound(mapped_.begin(), mapped_.end(), va,
                                  [](uint64_t v, const auto& r) { return v < r.first; });
    return after != mapped_.begin() && va < std::prev(after)->second;
}

// Covers `va` with its placeholder window when no region does and the
// guest's tables translate it (for `access`) into the VM's memory or
// devices: what on_unmapped does for an access, from a point where mapping
// is safe.
void Arm64Core::cover_placeholder(uint64_t va, Stage1Access access) {
    if (va >= unicorn_top_page || covered(va))
        return;
    const Stage1Walk w = walk_stage1(va, access, at_el0());
    if (w.mmu_on && w.fault == Stage1Walk::Fault::none && backs(w.out))
        map_placeholder(va);
}

// An access that runs from one window into the next (unaligned, at a
// window's end): Unicorn 2.0.1 splits it into byte accesses once the first
// page is in its TLB, and a window mapped from the hook of one of those
// flushed the TLB under it (SIGSEGV in store_helper). Loads are split into
// two whole loads, each with its own hooks, and never crashed. The rest of a
// store is covered before the split: by the store helper's wrapper
// (before_split_store), or, with Unicorn's helpers not wrapped, from the
// whole access's unmapped hook or memory hook (on_memory). The unmapped
// hook does so for every access: with the wrapper it finds both covered.
void Arm64Core::cover_access_end(uint64_t va, unsigned bytes, Stage1Access access) {
    static_assert(low_window == uint64_t{1} << placeholder_window_shift);
    const uint64_t last = va + bytes - 1;
    if (bytes >= 2 && last > va)
        cover_placeholder(last, access);
}

// Before a store Unicorn makes as several (unicorn_access_pc.c): one that
// crosses a page, or DC ZVA's block, which Unicorn 2.0.1 zeroes a byte store
// at a time when a memory hook is in. A placeholder region mapped from the
// unmapped hook inside one of those stores flushed Unicorn's TLB under it;
// the store then wrote through the old entry (SIGSEGV, found by a random
// guest and by constructed tests). So both ends are covered here, before
// any store runs, where the unmapped hook would have covered them.
void Arm64Core::before_split_store(void* self, uint64_t first, uint64_t last) {
    auto* core = static_cast<Arm64Core*>(self);
    core->cover_placeholder(first, Stage1Access::write);
    if (last != first)
        core->cover_placeholder(last, Stage1Access::write);
}

} // namespace sim::cpu

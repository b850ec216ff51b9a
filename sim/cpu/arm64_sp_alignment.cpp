// SP alignment faults (Arm ARM D1.8.2, EC 0x26): with SCTLR_EL1.SA (at EL1)
// or SA0 (at EL0) set, a load or store whose base register is a stack
// pointer not aligned to 16 bytes faults before it accesses memory. Neither
// Unicorn 2.0.1 nor QEMU's TCG checks it; Linux sets both bits.
//
// Checked where it is cheap: the block hook reads SP (only while SA or SA0
// is set) and, when it is misaligned, decodes the block up to its first
// access through SP. An access at the block's first instruction faults at
// once; a later one gets a one-shot code hook, so the instructions before it
// run and the check is repeated there. Scanning stops at an instruction that
// may write SP. Not caught (docs/hv.md, "Exception model"): an SP that turns
// misaligned inside a block and is used as a base in the same block.
#include "sim/cpu/access_decode.h"
#include "sim/cpu/arm64_core.h"
#include "sim/cpu/arm64_sysregs.h"
#include "sim/cpu/unicorn_access_pc_c.h"
#include "sim/cpu/unicorn_util.h"

#include <algorithm>
#include <array>

namespace sim::cpu {
namespace {

using uc::check;
using uc::hex;

constexpr uint64_t sp_alignment_bytes = 16;

} // namespace

uint64_t Arm64Core::sp_from_unicorn() const {
    uint64_t v = 0;
    check(uc_reg_read(uc_, UC_ARM64_REG_SP, &v), "read SP");
    return v;
}

// The block hook's read: from Unicorn's CPU state where the wrapped archive
// knows where SP lies (a load instead of uc_reg_read's ~110 instructions:
// about a tenth of a Linux run's host time), else through uc_reg_read. A
// core's first 64 reads compare the two; after that the slot is kept (it
// belongs to this core's engine for its life). A difference turns the
// direct read off for the core; the value returned is uc_reg_read's then.
uint64_t Arm64Core::sp() const {
    if (sp_slot_)
        return *sp_slot_;
#ifdef BAO_UNICORN_ACCESS_PC
    if (!sp_direct_off_)
        if (const uint64_t* slot = bao_unicorn_arm64_sp_slot()) {
            const uint64_t v = sp_from_unicorn();
            sp_direct_off_ = *slot != v;
            if (!sp_direct_off_ && --sp_checks_left_ == 0)
                sp_slot_ = slot;
            return v;
        }
#endif
    return sp_from_unicorn();
}

bool Arm64Core::sp_misaligned_at_block() const {
    return (stage1_.sctlr & (sctlr_sa | sctlr_sa0)) && (sp() % sp_alignment_bytes) != 0;
}

bool Arm64Core::sp_checked_here() const {
    return (stage1_.sctlr & (at_el0() ? sctlr_sa0 : sctlr_sa)) != 0;
}

// The first instruction of [block, block + size) that accesses memory
// through SP before anything may have written SP. Read a page at a time,
// one walk and one read each (word by word, a guest looping with a
// misaligned SP ran 50x slower).
std::optional<uint64_t> Arm64Core::first_sp_access(uint64_t block, uint32_t size) const {
    std::array<uint32_t, 1024> words;
    for (uint64_t va = block; va < block + size;) {
        const uint64_t end = std::min<uint64_t>(block + size, (va | 0xfff) + 1);
        const size_t n = static_cast<size_t>(end - va) / 4;
        const uint64_t pa = walk_stage1(va, Stage1Access::read, false).out;
        if (uc_mem_read(uc_, pa, words.data(), n * 4) != UC_ERR_OK)
            words.fill(0); // as read_word: an unreadable word decodes as 0
        for (size_t k = 0; k < n; ++k) {
            const auto use = static_cast<SpUse>(sp_use_of(words[k]));
            if (use == SpUse::access_base)
                return va + 4 * k;
            if (use == SpUse::written)
                return std::nullopt;
        }
        va = end;
    }
    return std::nullopt;
}

uint8_t Arm64Core::sp_use_of(uint32_t word) const {
    constexpr size_t kRemembered = 1 << 16;
    if (const auto it = sp_uses_.find(word); it != sp_uses_.end())
        return it->second;
    if (sp_uses_.size() >= kRemembered)
        sp_uses_.clear();
    return sp_uses_[word] = static_cast<uint8_t>(sp_use(word));
}

void Arm64Core::raise_sp_alignment(uint64_t at) {
    GuestException e;
    e.ec = el1_ec::sp_alignment; // ISS 0; FAR_EL1 is UNKNOWN for this class
    e.return_pc = at;
    e.what = "SP alignment fault (SP " + hex(sp()) + ")";
    pending_ = e;
    uc_emu_stop(uc_);
}

// From the block hook, SP misaligned while SA or SA0 is set. True when it
// stopped the emulation (the block has not run).
bool Arm64Core::check_sp_alignment(uint64_t block, uint32_t size) {
    if (sp_watch_block_ == block || !sp_checked_here())
        return false; // this block's access is watched already
    const std::optional<uint64_t> at = first_sp_access(block, size);
    if (!at)
        return false;
    if (*at == block) {
        raise_sp_alignment(block);
        return true;
    }
    // Hooks are added between uc_emu_start calls (resume_after_stop):
    // stop before this block and run it again with the watch in place.
    sp_watch_ = *at;
    sp_watch_block_ = block;
    stopped_at_block_ = block;
    uc_emu_stop(uc_);
    return true;
}

// In resume_after_stop: installs a watch check_sp_alignment asked for, or
// drops one that has fired. True if a watch was installed.
bool Arm64Core::update_sp_watch() {
    if (sp_watch_hook_ && !sp_watch_) {
        uc_hook_del(uc_, sp_watch_hook_);
        sp_watch_hook_ = 0;
        sp_watch_block_.reset();
    }
    if (!sp_watch_ || sp_watch_hook_)
        return false;
    uc_hook h;
    check(uc_hook_add(uc_, &h, UC_HOOK_CODE, reinterpret_cast<void*>(&on_sp_watch), this,
                      *sp_watch_, *sp_watch_),
          "add SP alignment watch");
    sp_watch_hook_ = h;
    // Code translated before the hook existed would not call it.
    uc_ctl_remove_cache(uc_, *sp_watch_, *sp_watch_ + 4);
    return true;
}

void Arm64Core::clear_sp_watch() {
    if (sp_watch_hook_)
        uc_hook_del(uc_, sp_watch_hook_);
    sp_watch_hook_ = 0;
    sp_watch_.reset();
    sp_watch_block_.reset();
}

// Before the watched instruction runs: the same check, with SP as it is now.
void Arm64Core::on_sp_watch(uc_struct*, uint64_t address, uint32_t, void* self) {
    auto* core = static_cast<Arm64Core*>(self);
    if (core->sp_watch_ != address)
        return;
    core->sp_watch_.reset();
    if (core->sp_checked_here() && core->sp() % sp_alignment_bytes != 0)
        core->raise_sp_alignment(address);
}

} // namespace sim::cpu

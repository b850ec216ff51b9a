// SP alignment faults (Arm ARM D1.8.2, EC 0x26): with SCTLR_EL1.SA (at EL1)
// or SA0 (at EL0) set, a load or store whose base register is a stack
// pointer not aligned to 16 bytes faults before it accesses memory. Neither
// Unicorn 2.0.1 nor QEMU's TCG checks it; Linux sets both bits.
//
// Checked where it is cheap: while SA or SA0 is set, each block is decoded
// once (per generation of sp_use_blocks.h's table) up to its first access
// through SP. The block hook reads SP only at a block that has one, and when
// SP is misaligned there: an access at the block's first instruction faults
// at once; a later one gets a one-shot code hook, so the instructions before
// it run and the check is repeated there. Scanning stops at an instruction
// that may write SP. Not caught (docs/hv.md, "Exception model"): an SP that
// turns misaligned inside a block and is used as a base in the same block.
#include "sim/cpu/access_decode.h"
#include "sim/cpu/arm64_core.h"
#include "sim/cpu/arm64_sysregs.h"
#include "sim/cpu/unicorn_util.h"

#include <bit>

namespace sim::cpu {
namespace {

using uc::check;
using uc::hex;

constexpr uint64_t sp_alignment_bytes = 16;

} // namespace

uint64_t Arm64Core::sp() const {
    uint64_t v = 0;
    check(uc_reg_read(uc_, UC_ARM64_REG_SP, &v), "read SP");
    return v;
}

// From on_checked_block, SA or SA0 set. True when it stopped the emulation
// (the block has not run).
bool Arm64Core::sp_fault_at_block(uint64_t block, uint32_t size) {
    SpUseBlocks::Use use = sp_use_.find(block, size);
    if (use == SpUseBlocks::Use::unknown)
        use = note_sp_use(block, size);
    return use == SpUseBlocks::Use::through_sp && sp() % sp_alignment_bytes != 0 &&
           check_sp_alignment(block, size);
}

// Decodes a block for sp_use_. A block whose code crosses a page or does not
// translate counts as accessing through SP: it reads SP at every entry, as
// every block did before the table, and check_sp_alignment decodes it when
// SP is misaligned.
SpUseBlocks::Use Arm64Core::note_sp_use(uint64_t block, uint32_t size) {
    const Stage1Walk w = walk_stage1(block, Stage1Access::read, false);
    const bool one_page = (block >> 12) == ((block + size - 1) >> 12);
    const SpUseBlocks::Use use =
        w.fault == Stage1Walk::Fault::none && one_page && !first_sp_access(block, size, w)
            ? SpUseBlocks::Use::none
            : SpUseBlocks::Use::through_sp;
    sp_use_.insert(block, size, use, w.mmu_on ? std::countr_zero(w.block_size) : 0);
    return use;
}

bool Arm64Core::sp_checked_here() const {
    return (stage1_.sctlr & (at_el0() ? sctlr_sa0 : sctlr_sa)) != 0;
}

// The first instruction of [block, block + size) that accesses memory
// through SP before anything may have written SP.
// Its code is walked once per page (a walk reads four system registers and
// up to four descriptors through Unicorn); `first_page` is the walk of
// `block` itself.
std::optional<uint64_t> Arm64Core::first_sp_access(uint64_t block, uint32_t size,
                                                   const Stage1Walk& first_page) {
    constexpr uint64_t page_mask = ~uint64_t{0xfff};
    uint64_t page = block & page_mask;
    Stage1Walk walk = first_page;
    for (uint64_t va = block; va < block + size; va += 4) {
        if ((va & page_mask) != page) {
            page = va & page_mask;
            walk = walk_stage1(va, Stage1Access::read, false);
        }
        const uint64_t out = walk.fault == Stage1Walk::Fault::none
                                 ? (walk.out & page_mask) | (va & ~page_mask)
                                 : walk_stage1(va, Stage1Access::read, false).out;
        const SpUse use = sp_use_memo_(read_word(out));
        if (use == SpUse::access_base)
            return va;
        if (use == SpUse::written)
            return std::nullopt;
    }
    return std::nullopt;
}

void Arm64Core::raise_sp_alignment(uint64_t at) {
    GuestException e;
    e.ec = el1_ec::sp_alignment; // ISS 0; FAR_EL1 is UNKNOWN for this class
    e.return_pc = at;
    e.what = "SP alignment fault (SP " + hex(sp()) + ")";
    pending_ = e;
    uc_emu_stop(uc_);
}

// SP misaligned at a block that accesses memory through it, SA or SA0 set.
// True when it stopped the emulation (the block has not run).
bool Arm64Core::check_sp_alignment(uint64_t block, uint32_t size) {
    if (sp_watch_block_ == block || !sp_checked_here())
        return false; // this block's access is watched already
    const std::optional<uint64_t> at =
        first_sp_access(block, size, walk_stage1(block, Stage1Access::read, false));
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

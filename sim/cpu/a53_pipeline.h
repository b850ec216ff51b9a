// The Cortex-A53 core model (model.core = a53): an in-order dual-issue
// pipeline applied once per basic block. A block is decoded once into a
// BlockRecipe (a53_decode.cpp): its instructions' classes and register
// dependences, scheduled statically (all registers ready at entry) into the
// cycles the block takes to issue, the registers it reads before writing
// (with the cycle each is first needed) and the results still in flight
// when it ends. At run time A53Pipeline charges a block: the static cycles,
// plus the stall a result from an earlier block still in flight causes,
// plus the mispredict penalty of the previous block's branch, whose outcome
// this block's address tells. Constants: a53_timing.h. Memory stalls from
// the cache model come on top, as in the flat model.
#pragma once

#include "sim/cpu/a53_timing.h"

#include <algorithm>
#include <array>
#include <bit>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace sim::cpu::a53 {

enum class InsnClass : uint8_t {
    alu,    // integer ALU, moves, conditional select, NOP
    shift,  // ALU with a shifted or extended register operand
    mul,    // integer multiply and multiply-accumulate
    div,    // SDIV, UDIV
    load,   // one register loaded (PRFM too)
    store,  // one register stored
    pair,   // two or more registers loaded or stored (LDP, STP, LD1 {..}x2)
    branch, // B, BL, B.cond, CBZ, TBZ, BR, BLR, RET
    fp_add, // FP/ASIMD arithmetic, conversions, moves to/from FP registers
    fp_mul, // FP multiply and multiply-accumulate, ASIMD integer multiply
    fp_div, // FDIV, FSQRT
    system, // MRS/MSR, barriers, cache/TLB maintenance, exceptions, ERET
};
inline constexpr unsigned kClassCount = 12;
const char* class_name(InsnClass c);

// Register ids: X0-X30 = 0-30, SP = 31, V0-V31 = 32-63, NZCV = 64.
inline constexpr uint8_t kRegSp = 31, kRegV0 = 32, kRegFlags = 64, kRegNone = 0xff;
inline constexpr unsigned kRegCount = 65;

enum class Use : uint8_t { data, address, store_data, shifted };

struct Source {
    uint8_t reg = kRegNone;
    Use use = Use::data;
};

struct InsnCost {
    InsnClass cls = InsnClass::alu;
    bool qform = false;     // 128-bit ASIMD: holds the FP/ASIMD pipe two cycles
    bool double_fp = false; // FDIV/FSQRT on doubles
    bool fused = false;     // FMADD/FMLA: multiply-accumulate latency
    bool signed_div = false;
    bool fp_dest = false;         // a load's destination is an FP/SIMD register
    uint8_t writeback = kRegNone; // base register written back by a pre/post-indexed access
    uint8_t nsrc = 0, ndst = 0;
    std::array<Source, 5> src{};
    std::array<uint8_t, 3> dst{kRegNone, kRegNone, kRegNone};
};

enum class BranchKind : uint8_t {
    none,
    conditional,
    direct,
    call,
    indirect,
    indirect_call,
    ret,
    eret
};

// The branch that ends a block (if one does).
struct BlockBranch {
    BranchKind kind = BranchKind::none;
    uint64_t pc = 0;          // the branch instruction's address
    uint64_t target = 0;      // direct branches
    uint64_t fallthrough = 0; // the instruction after it
};

// A register the block reads before it writes it: the latest cycle (from
// the block's start, no stall) by which it must be ready for ALU use, and
// for use as an address, so that no reader waits (INT32_MAX: no such use).
struct Need {
    uint8_t reg = kRegNone;
    int32_t cycle = INT32_MAX;
    int32_t addr_cycle = INT32_MAX;
};

// A result in flight when the block ends: ready this many cycles after the
// block's last issue cycle + 1 (for ALU use; for use as an address). At
// most the longest latency (kFdivDLatency), so a byte holds it.
struct InFlight {
    uint8_t reg = kRegNone;
    uint8_t ready = 0;
    uint8_t addr_ready = 0;
};

// A set of registers: X0-X30, SP and V0-V31 as the bits of one word (bit =
// id), NZCV apart (bit 0 of a byte), so that the common case is one word.
struct RegMask {
    uint64_t regs = 0;
    uint8_t flags = 0;
    void set(unsigned reg) {
        if (reg == kRegFlags)
            flags = 1;
        else
            regs |= uint64_t{1} << reg;
    }
};

// The fields charge() reads on every run fill the first host cache line
// (the recipe is aligned to one); the needs follow, read only for
// registers with a result in flight, and the class counts, read for the
// statistics.
struct alignas(64) BlockRecipe {
    uint64_t written = 0; // registers the block writes (bit per id, NZCV apart)
    uint64_t flying = 0;  // registers in in_flight
    uint64_t runs = 0;    // times charged (for the class totals)
    uint32_t cycles = 0;  // static issue cycles (all operands ready at entry)
    // The branch that ends the block, relative to the block's start: the
    // same code run at another address branches from and to there.
    int32_t branch_target = 0; // direct branches: target - the branch's address
    // Names this recipe's content (never 0; a new decode, a new id): the
    // key of the stall memo below.
    uint32_t id = 0;
    // The stall memo: the wait this block had when it ran right after the
    // block with id `memo_after` (no cycle between them) with nothing else
    // in flight. That wait depends on the two recipes only, so the next
    // run in the same situation takes it from here. A cache: mutable.
    mutable uint32_t memo_after = 0;
    mutable uint16_t memo_stall = 0;
    uint16_t branch_offset = 0; // the branch's address - the block's start
    BranchKind branch_kind = BranchKind::none;
    uint8_t in_flight_count = 0;
    uint8_t written_flags = 0, flying_flags = 0; // NZCV written, in flight (RegMask)
    // Cycles after the block's end (last issue + 1) from which every result
    // in flight is ready for any use (0 when none is in flight).
    uint8_t settle = 0;
    std::array<InFlight, kMaxPending> in_flight{};
    // Read when results are in flight from earlier blocks (no memo).
    uint64_t checked = 0;      // registers in needs
    uint8_t checked_flags = 0; // NZCV in needs
    // The earliest needed registers (up to kMaxNeeds), in register order;
    // need_slot gives a checked register's index in needs (4 bits per id).
    uint8_t need_count = 0;
    std::array<Need, kMaxNeeds> needs{};
    std::array<uint8_t, (kRegCount + 1) / 2> need_slot{};
    uint32_t instructions = 0; // decoded (a partial last instruction is not counted)
    std::array<uint16_t, kClassCount> classes{}; // instructions per class

    const Need& need_of(unsigned reg) const {
        return needs[(need_slot[reg / 2] >> (reg % 2 * 4)) & 0xf];
    }
    // Records `b`, decoded in the block that starts at `start`. A branch
    // whose offsets do not fit (no translated block is that large) is left
    // out: the block is charged as one that ends without a branch.
    void set_branch(const BlockBranch& b, uint64_t start);
    // The branch as it is when the block starts at `start`.
    BlockBranch branch_at(uint64_t start) const {
        const uint64_t pc = start + branch_offset;
        return BlockBranch{branch_kind, pc, pc + static_cast<uint64_t>(int64_t{branch_target}),
                           pc + 4};
    }
};
static_assert(kMaxNeeds <= 16, "need_slot holds 4-bit indices");
static_assert(offsetof(BlockRecipe, in_flight) + sizeof(BlockRecipe::in_flight) <= 64,
              "charge()'s fields fit one host cache line");

// Schedules `insns` as the A53 issues them in order (a53_timing.h) and
// fills the recipe's cycles, needs and in-flight results.
void schedule_block(std::span<const InsnCost> insns, BlockRecipe& out);

// Conditional predictor (gshare of 2-bit counters), BTAC for indirect
// targets and the return stack. Deterministic: its state is a function of
// the branches it was told.
class BranchPredictor {
  public:
    BranchPredictor();
    // The previous block ended with `b`; the next block starts at `next`.
    // Returns true if the branch was mispredicted. A `next` that is neither
    // the target nor the fall-through of a direct conditional branch (an
    // exception was taken in between) trains nothing and costs nothing.
    bool resolve(const BlockBranch& b, uint64_t next) {
        if (b.kind == BranchKind::conditional)
            return resolve_conditional(b.pc, b.target, b.fallthrough, next);
        // [TRM] direct branches: target known at decode (static predictor, BTIC)
        return b.kind != BranchKind::direct && resolve_other(b, next);
    }
    // resolve() of a conditional branch at `pc`, its fields passed apart (no
    // BlockBranch to build on the block hook's path). Branch-free on the
    // host past the (predictable) check that the branch resolved at all:
    // the guest's outcomes are data to it.
    [[gnu::always_inline]] bool resolve_conditional(uint64_t pc, uint64_t target,
                                                    uint64_t fallthrough, uint64_t next) {
        const unsigned to_target = next == target, to_next = next == fallthrough;
        if ((to_target | to_next) == 0) [[unlikely]]
            return false; // an exception came in between: trains nothing
        const unsigned taken = to_next ^ 1u;
        const uint32_t history = history_; // not reloaded after the counter's store
        const uint32_t idx = static_cast<uint32_t>((pc >> 2) ^ history) % kCondEntries;
        const uint8_t ctr = counters_[idx];
        // The 2-bit counter trained: [counter * 2 + taken].
        static constexpr uint8_t trained[8] = {0, 1, 0, 2, 1, 3, 2, 3};
        counters_[idx] = trained[ctr * 2u + taken];
        history_ = ((history << 1) | taken) & ((1u << kHistoryBits) - 1);
        return (ctr >> 1) != taken;
    }
    void reset();

  private:
    bool resolve_other(const BlockBranch& b, uint64_t next);

    std::array<uint8_t, kCondEntries> counters_{};
    std::array<uint64_t, kBtacEntries> btac_{};
    std::array<uint64_t, kReturnStack> stack_{};
    unsigned stack_top_ = 0, stack_depth_ = 0;
    uint32_t history_ = 0;
    void push(uint64_t ret);
    bool pop(uint64_t& ret);
};

struct PipelineStats {
    uint64_t blocks = 0;
    uint64_t dependency_stall_cycles = 0; // waiting for a result of an earlier block
    uint64_t branches = 0;                // resolved (predicted) branches
    uint64_t mispredicts = 0;
};

// Per core: charges blocks in the order they run.
class Pipeline {
  public:
    Pipeline() = default;
    Pipeline(const Pipeline&) = delete; // last_ may point into this object
    Pipeline& operator=(const Pipeline&) = delete;
    // The cycles block `r` (starting at `address`, at core cycle `now`) costs:
    // the previous block's mispredict, the wait for earlier results, and its
    // static cycles. Blocks are charged in the order they run, `now` never
    // going back. `r` is read again by the next charge (its branch, its
    // results in flight): it must stay as it is until then, or until
    // detach().
    [[gnu::always_inline]] inline uint64_t charge(const BlockRecipe& r, uint64_t address,
                                                  uint64_t now);
    // A block whose recipe is unknown (not decodable): flat cost, no carry.
    uint64_t charge_flat(uint32_t instructions, uint64_t address);
    // The recipe last charged may change or go (its code changed): take
    // what the pipeline still reads of it now.
    void detach();
    void reset();
    // The previous block's recipe id may be given again: no memo may use it.
    void forget_last();
    const PipelineStats& stats() const { return stats_; }
    // Checkpoints (a53_checkpoint.cpp): the predictor, the results in
    // flight and the previous block, its recipe named through `names`
    // (a53::RecipeNames): the model's recipes live in its cache.
    template <class Archive, class Names> void checkpoint(Archive& a, const Names& names);

  private:
    static constexpr uint64_t kNoBlock = UINT64_MAX; // prev_end_ when no memo may apply
    [[gnu::always_inline]] inline uint64_t resolve_branch(uint64_t address);
    // Out of line: the fast path (the memo) stays short.
    uint64_t dependency_stall(const BlockRecipe& r, uint64_t start);
    uint64_t stall_on(const BlockRecipe& r, uint64_t start, RegMask waiting);
    inline void carry(const BlockRecipe& r, uint64_t end);
    inline void carry_prev();
    inline void carry_prev_if_in_flight_after(uint64_t end);

    BranchPredictor predictor_;
    // When each register's latest result may be used (core cycles): by an
    // ALU instruction, as an address (together: one host line holds both).
    // Valid only for registers in pending_.
    struct Ready {
        uint64_t alu = 0, addr = 0;
    };
    std::array<Ready, kRegCount> ready_{};
    // Registers whose result, carried from an earlier block, was still in
    // flight at that block's end (and not written since), and the cycle
    // from which all of them are ready for any use. Blocks start ever later
    // (the core's clock only moves forward), so a block that starts then
    // can wait for none of them, nor can any later block: the set empties.
    // Until then a block looks only at those it reads (its checked set).
    // The previous block's results are not in it yet (prev_ below).
    RegMask pending_;
    uint64_t settled_at_ = 0;
    // The previous block: its recipe (its branch, its id and its results;
    // none_ when there is none or it was not charged from a recipe, stash_
    // when its recipe may have changed since), its address and its end
    // (kNoBlock: no memo may apply). A block that starts at prev_end_ with
    // every older result settled (settled_at_) waits only for the previous
    // block's results: a function of the two recipes, its memo.
    const BlockRecipe* last_ = &none_;
    uint64_t last_address_ = 0;
    uint64_t prev_end_ = kNoBlock;
    // The previous block's recipe while its results are not yet carried
    // into pending_ (null: carried, or none). Carried only when a later
    // block needs them: by the full check, or when they are still in flight
    // after the next block (the fast path drops them otherwise: when every
    // older result has settled by the next block's start and the previous
    // block's have by its end, no later block can wait for any of them).
    const BlockRecipe* prev_ = nullptr;
    BlockRecipe none_{}; // no branch, nothing in flight
    BlockRecipe stash_{};
    PipelineStats stats_;
};

// The block hook's path: inline into it.

inline uint64_t Pipeline::resolve_branch(uint64_t address) {
    const BlockRecipe& last = *last_;
    if (last.branch_kind == BranchKind::none)
        return 0;
    ++stats_.branches;
    bool miss;
    if (last.branch_kind == BranchKind::conditional) {
        const uint64_t pc = last_address_ + last.branch_offset;
        miss = predictor_.resolve_conditional(
            pc, pc + static_cast<uint64_t>(int64_t{last.branch_target}), pc + 4, address);
    } else if (last.branch_kind == BranchKind::direct) {
        return 0; // [TRM] target known at decode (static predictor, BTIC)
    } else {
        miss = predictor_.resolve(last.branch_at(last_address_), address);
    }
    if (miss) [[unlikely]] {
        ++stats_.mispredicts;
        return kMispredictPenalty;
    }
    return 0;
}

// The earliest any use may need a register, relative to the block's start:
// a shifted operand of the first instruction, one cycle before it issues.
inline constexpr int64_t kEarliestNeed = -static_cast<int64_t>(kShiftedExtra);

// The block's results: those still in flight at its end; the others are
// ready by then (their earlier values no longer matter).
inline void Pipeline::carry(const BlockRecipe& r, uint64_t end) {
    pending_.regs = (pending_.regs & ~r.written) | r.flying;
    pending_.flags = static_cast<uint8_t>((pending_.flags & ~r.written_flags) | r.flying_flags);
    settled_at_ = std::max(settled_at_, end + r.settle);
    const unsigned count = r.in_flight_count; // not reloaded after each store below
    for (unsigned k = 0; k < count; ++k) {
        const InFlight& f = r.in_flight[k];
        ready_[f.reg] = Ready{end + f.ready, end + f.addr_ready};
    }
}

inline void Pipeline::carry_prev() {
    if (prev_)
        carry(*prev_, prev_end_);
    prev_ = nullptr;
}

// The memo's case (every older result settled when this block starts): the
// previous block's results are carried only if some are still in flight
// after this block's `end` (no later block starts before it).
inline void Pipeline::carry_prev_if_in_flight_after(uint64_t end) {
    if (prev_end_ + last_->settle > end) [[unlikely]]
        carry_prev();
}

inline uint64_t Pipeline::charge(const BlockRecipe& r, uint64_t address, uint64_t now) {
    const uint64_t penalty = resolve_branch(address);
    const uint64_t start = now + penalty;
    uint64_t stall;
    // The memo applies: right after the previous block, every older result
    // settled (so pending_ has none in flight), the same previous recipe.
    if (start == prev_end_ && start >= settled_at_ && r.memo_after == last_->id) {
        stall = r.memo_stall;
        carry_prev_if_in_flight_after(start + stall + r.cycles);
    } else {
        stall = dependency_stall(r, start);
    }
    const uint64_t end = start + stall + r.cycles;
    prev_ = last_ = &r;
    last_address_ = address;
    prev_end_ = end;
    ++stats_.blocks;
    stats_.dependency_stall_cycles += stall;
    return penalty + stall + r.cycles;
}

} // namespace sim::cpu::a53

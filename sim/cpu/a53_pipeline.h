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
// block's last issue cycle + 1 (for ALU use; for use as an address).
struct InFlight {
    uint8_t reg = kRegNone;
    uint16_t ready = 0;
    uint16_t addr_ready = 0;
};

// The fields charge() reads on every run come first (two cache lines on the
// host); the needs follow, read only for registers with a result in flight.
struct BlockRecipe {
    uint32_t cycles = 0; // static issue cycles (all operands ready at entry)
    uint8_t need_count = 0;
    uint8_t in_flight_count = 0;
    std::array<uint64_t, 2> written{}; // registers the block writes (bit per id)
    std::array<uint64_t, 2> checked{}; // registers in needs (bit per id)
    std::array<InFlight, kMaxPending> in_flight{};
    BlockBranch branch;      // at the address the block was decoded at
    uint64_t decoded_at = 0; // ... its start: the branch moves with the block's address
    uint64_t runs = 0;       // times charged (for the class totals)
    // The earliest needed registers (up to kMaxNeeds), in register order;
    // need_slot gives a checked register's index in needs (4 bits per id).
    std::array<Need, kMaxNeeds> needs{};
    std::array<uint8_t, (kRegCount + 1) / 2> need_slot{};
    uint32_t instructions = 0; // decoded (a partial last instruction is not counted)
    std::array<uint16_t, kClassCount> classes{}; // instructions per class

    const Need& need_of(unsigned reg) const {
        return needs[(need_slot[reg / 2] >> (reg % 2 * 4)) & 0xf];
    }
};
static_assert(kMaxNeeds <= 16, "need_slot holds 4-bit indices");

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
        return b.kind == BranchKind::conditional ? resolve_conditional(b, next)
                                                 : resolve_other(b, next);
    }
    void reset();

  private:
    // Branch-free on the host: the guest's outcomes are data to it.
    bool resolve_conditional(const BlockBranch& b, uint64_t next) {
        const bool to_target = next == b.target, to_next = next == b.fallthrough;
        const bool taken = to_target & !to_next;
        const uint32_t idx = static_cast<uint32_t>((b.pc >> 2) ^ history_) % kCondEntries;
        const uint8_t ctr = counters_[idx];
        const bool known = to_target | to_next; // else an exception came in between
        static constexpr uint8_t up[4] = {1, 2, 3, 3}, down[4] = {0, 0, 1, 2};
        const uint8_t trained = taken ? up[ctr] : down[ctr];
        counters_[idx] = known ? trained : ctr;
        const uint32_t h = ((history_ << 1) | (taken ? 1u : 0u)) & ((1u << kHistoryBits) - 1);
        history_ = known ? h : history_;
        return known & (((ctr >> 1) != 0) != taken);
    }
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
    // The cycles block `r` (starting at `address`, at core cycle `now`) costs:
    // the previous block's mispredict, the wait for earlier results, and its
    // static cycles.
    inline uint64_t charge(const BlockRecipe& r, uint64_t address, uint64_t now);
    // A block whose recipe is unknown (not decodable): flat cost, no carry.
    uint64_t charge_flat(uint32_t instructions, uint64_t address);
    void reset();
    const PipelineStats& stats() const { return stats_; }

  private:
    inline uint64_t resolve_branch(uint64_t address);
    inline uint64_t dependency_stall(const BlockRecipe& r, uint64_t start);
    inline void carry(const BlockRecipe& r, uint64_t end);

    BranchPredictor predictor_;
    BlockBranch last_branch_;
    // When each register's latest result may be used (core cycles): by an
    // ALU instruction, as an address. Valid only for registers in pending_.
    std::array<uint64_t, kRegCount> ready_{}, addr_ready_{};
    // Registers whose result, carried from an earlier block, may still make
    // a block wait. A result is dropped once it is ready for every use at a
    // block's start: blocks start ever later (the core's clock only moves
    // forward), so it cannot make a later block wait either. Then the
    // per-block work is over the few results really in flight, not over
    // every register the block reads.
    std::array<uint64_t, 2> pending_{};
    PipelineStats stats_;
};

// The block hook's path: inline into it.

inline uint64_t Pipeline::resolve_branch(uint64_t address) {
    if (last_branch_.kind == BranchKind::none)
        return 0;
    ++stats_.branches;
    const bool miss = predictor_.resolve(last_branch_, address);
    last_branch_.kind = BranchKind::none;
    stats_.mispredicts += miss;
    return miss ? kMispredictPenalty : 0;
}

// The earliest any use may need a register, relative to the block's start:
// a shifted operand of the first instruction, one cycle before it issues.
inline constexpr int64_t kEarliestNeed = -static_cast<int64_t>(kShiftedExtra);

inline uint64_t Pipeline::dependency_stall(const BlockRecipe& r, uint64_t start) {
    int64_t stall = 0;
    for (unsigned w = 0; w < 2; ++w) {
        for (uint64_t bits = pending_[w]; bits; bits &= bits - 1) {
            const uint64_t bit = bits & -bits;
            const unsigned reg = w * 64 + static_cast<unsigned>(std::countr_zero(bits));
            const auto ready = static_cast<int64_t>(ready_[reg] - start);
            const auto addr_ready = static_cast<int64_t>(addr_ready_[reg] - start);
            if (ready <= kEarliestNeed && addr_ready <= 0) {
                pending_[w] &= ~bit; // ready for any use, now and later
                continue;
            }
            if (!(r.checked[w] & bit))
                continue;
            // A use the block does not make has its cycle at INT32_MAX: never a wait.
            const Need& n = r.need_of(reg);
            stall = std::max(stall, ready - n.cycle);
            stall = std::max(stall, addr_ready - n.addr_cycle);
        }
    }
    return static_cast<uint64_t>(stall);
}

// The block's results: those still in flight at its end; the others are
// ready by then (their earlier values no longer matter).
inline void Pipeline::carry(const BlockRecipe& r, uint64_t end) {
    pending_[0] &= ~r.written[0];
    pending_[1] &= ~r.written[1];
    for (unsigned k = 0; k < r.in_flight_count; ++k) {
        const InFlight& f = r.in_flight[k];
        ready_[f.reg] = end + f.ready;
        addr_ready_[f.reg] = end + f.addr_ready;
        pending_[f.reg / 64] |= uint64_t{1} << (f.reg % 64);
    }
}

inline uint64_t Pipeline::charge(const BlockRecipe& r, uint64_t address, uint64_t now) {
    const uint64_t penalty = resolve_branch(address);
    const uint64_t start = now + penalty;
    const uint64_t stall = dependency_stall(r, start);
    carry(r, start + stall + r.cycles);
    const uint64_t moved = address - r.decoded_at; // the same code at another address
    last_branch_ = BlockBranch{r.branch.kind, r.branch.pc + moved, r.branch.target + moved,
                               r.branch.fallthrough + moved};
    ++stats_.blocks;
    stats_.dependency_stall_cycles += stall;
    return penalty + stall + r.cycles;
}

} // namespace sim::cpu::a53

// The A53 core model (model.core = a53): Capstone's classes of hand-written
// instruction words, and the pipeline's cycles on hand-written sequences
// against counts worked out by hand from the constants in
// sim/cpu/a53_timing.h (docs/timing-model.md "The A53 pipeline").
#include "sim/config.h"
#include "sim/cpu/a53_decode.h"
#include "sim/cpu/a53_pipeline.h"
#include "sim/cpu/a53_recipes.h"
#include "sim/error.h"

#include <gtest/gtest.h>

#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <vector>

namespace {

using namespace sim::cpu::a53;

// Encodings from llvm-mc -triple=aarch64 -show-encoding.
constexpr uint32_t add_x0_x1_x2 = 0x8b020020;     // add x0, x1, x2
constexpr uint32_t add_x0_x1_x2_lsr = 0x8b420c20; // add x0, x1, x2, lsr #3
constexpr uint32_t add_x0_x1_w2_sxtw = 0x8b22c020;
constexpr uint32_t ldr_x0_x1 = 0xf9400020;      // ldr x0, [x1]
constexpr uint32_t ldr_x0_x1_post = 0xf8408420; // ldr x0, [x1], #8
constexpr uint32_t ldp_x2_x3_pre = 0xa9c10c22;  // ldp x2, x3, [x1, #16]!
constexpr uint32_t str_x2_x1 = 0xf9000022;      // str x2, [x1]
constexpr uint32_t mul_x0_x1_x2 = 0x9b027c20;
constexpr uint32_t sdiv_x0_x1_x2 = 0x9ac20c20;
constexpr uint32_t fadd_d0 = 0x1e622820;      // fadd d0, d1, d2
constexpr uint32_t fmul_d0 = 0x1e620820;      // fmul d0, d1, d2
constexpr uint32_t fmadd_d0 = 0x1f420c20;     // fmadd d0, d1, d2, d3
constexpr uint32_t fdiv_d0 = 0x1e621820;      // fdiv d0, d1, d2
constexpr uint32_t fsqrt_s0 = 0x1e21c020;     // fsqrt s0, s1
constexpr uint32_t add_v0_4s = 0x4ea28420;    // add v0.4s, v1.4s, v2.4s
constexpr uint32_t ldr_q0_x1 = 0x3dc00020;    // ldr q0, [x1]
constexpr uint32_t b_ne_plus8 = 0x54000041;   // b.ne .+8
constexpr uint32_t cbz_x0_plus8 = 0xb4000040; // cbz x0, .+8
constexpr uint32_t bl_plus8 = 0x94000002;     // bl .+8
constexpr uint32_t blr_x1 = 0xd63f0020;
constexpr uint32_t ret = 0xd65f03c0;
constexpr uint32_t eret = 0xd69f03e0;
constexpr uint32_t mrs_x0_nzcv = 0xd53b4200;
constexpr uint32_t dsb_ish = 0xd5033b9f;
constexpr uint32_t subs_x0_1 = 0xf1000400; // subs x0, x0, #1

InsnCost decode(uint32_t word, BlockBranch* branch = nullptr, uint64_t pc = 0x1000) {
    static BlockDecoder d;
    BlockBranch b;
    InsnCost c = d.decode(word, pc, b);
    if (branch)
        *branch = b;
    return c;
}

BlockRecipe recipe(const std::vector<uint32_t>& words, uint64_t pc = 0x1000) {
    static BlockDecoder d;
    std::vector<uint8_t> bytes(words.size() * 4);
    std::memcpy(bytes.data(), words.data(), bytes.size());
    return d.recipe(bytes.data(), bytes.size(), pc);
}

bool has_source(const InsnCost& c, uint8_t reg, Use use) {
    for (unsigned k = 0; k < c.nsrc; ++k)
        if (c.src[k].reg == reg && c.src[k].use == use)
            return true;
    return false;
}

TEST(A53Decode, IntegerClasses) {
    EXPECT_EQ(decode(add_x0_x1_x2).cls, InsnClass::alu);
    const InsnCost shifted = decode(add_x0_x1_x2_lsr);
    EXPECT_EQ(shifted.cls, InsnClass::shift);
    EXPECT_TRUE(has_source(shifted, 2, Use::shifted));
    EXPECT_TRUE(has_source(shifted, 1, Use::data));
    EXPECT_EQ(decode(add_x0_x1_w2_sxtw).cls, InsnClass::shift);
    EXPECT_EQ(decode(mul_x0_x1_x2).cls, InsnClass::mul);
    const InsnCost div = decode(sdiv_x0_x1_x2);
    EXPECT_EQ(div.cls, InsnClass::div);
    EXPECT_TRUE(div.signed_div);
    ASSERT_EQ(div.ndst, 1u);
    EXPECT_EQ(div.dst[0], 0);
    EXPECT_EQ(decode(subs_x0_1).ndst, 2u); // x0 and the flags
}

TEST(A53Decode, MemoryClasses) {
    const InsnCost ld = decode(ldr_x0_x1);
    EXPECT_EQ(ld.cls, InsnClass::load);
    EXPECT_TRUE(has_source(ld, 1, Use::address));
    ASSERT_EQ(ld.ndst, 1u);
    EXPECT_EQ(ld.dst[0], 0);
    const InsnCost post = decode(ldr_x0_x1_post);
    EXPECT_EQ(post.cls, InsnClass::load);
    EXPECT_EQ(post.writeback, 1);
    EXPECT_EQ(post.ndst, 1u); // x0; x1 is the writeback
    const InsnCost pair = decode(ldp_x2_x3_pre);
    EXPECT_EQ(pair.cls, InsnClass::pair);
    EXPECT_EQ(pair.ndst, 2u);
    EXPECT_EQ(pair.writeback, 1);
    const InsnCost st = decode(str_x2_x1);
    EXPECT_EQ(st.cls, InsnClass::store);
    EXPECT_TRUE(has_source(st, 1, Use::address));
    EXPECT_TRUE(has_source(st, 2, Use::store_data));
    EXPECT_EQ(st.ndst, 0u);
    const InsnCost q = decode(ldr_q0_x1);
    EXPECT_EQ(q.cls, InsnClass::load);
    EXPECT_TRUE(q.fp_dest);
}

TEST(A53Decode, FloatingPointClasses) {
    EXPECT_EQ(decode(fadd_d0).cls, InsnClass::fp_add);
    const InsnCost mul = decode(fmul_d0);
    EXPECT_EQ(mul.cls, InsnClass::fp_mul);
    EXPECT_FALSE(mul.fused);
    EXPECT_TRUE(decode(fmadd_d0).fused);
    const InsnCost div = decode(fdiv_d0);
    EXPECT_EQ(div.cls, InsnClass::fp_div);
    EXPECT_TRUE(div.double_fp);
    const InsnCost sqrt = decode(fsqrt_s0);
    EXPECT_EQ(sqrt.cls, InsnClass::fp_div);
    EXPECT_FALSE(sqrt.double_fp);
    const InsnCost vec = decode(add_v0_4s);
    EXPECT_EQ(vec.cls, InsnClass::fp_add);
    EXPECT_TRUE(vec.qform);
}

TEST(A53Decode, BranchesAndSystem) {
    BlockBranch b;
    EXPECT_EQ(decode(b_ne_plus8, &b, 0x2000).cls, InsnClass::branch);
    EXPECT_EQ(b.kind, BranchKind::conditional);
    EXPECT_EQ(b.target, 0x2008u);
    EXPECT_EQ(b.fallthrough, 0x2004u);
    EXPECT_TRUE(has_source(decode(b_ne_plus8), kRegFlags, Use::data));
    decode(cbz_x0_plus8, &b);
    EXPECT_EQ(b.kind, BranchKind::conditional);
    decode(bl_plus8, &b, 0x3000);
    EXPECT_EQ(b.kind, BranchKind::call);
    EXPECT_EQ(b.target, 0x3008u);
    decode(blr_x1, &b);
    EXPECT_EQ(b.kind, BranchKind::indirect_call);
    const InsnCost r = decode(ret, &b);
    EXPECT_EQ(b.kind, BranchKind::ret);
    EXPECT_TRUE(has_source(r, 30, Use::data));
    EXPECT_EQ(decode(eret, &b).cls, InsnClass::system);
    EXPECT_EQ(b.kind, BranchKind::eret);
    EXPECT_EQ(decode(mrs_x0_nzcv).cls, InsnClass::system);
    EXPECT_EQ(decode(dsb_ish).cls, InsnClass::system);
    EXPECT_EQ(decode(0xffffffff).cls, InsnClass::alu); // undecodable: costs as an ALU op
}

// --- static schedules (all operands ready at the block's start) ---

TEST(A53Schedule, DependentLoadsWaitLoadToUse) {
    // ldr x1,[x0]; ldr x2,[x1]; ldr x3,[x2]: each address comes from the load
    // before: issue at 0, 3, 6 (kAddressLatency 3) -> 7 cycles.
    EXPECT_EQ(recipe({0xf9400001, 0xf9400022, 0xf9400043}).cycles, 7u);
    // Independent loads: one load/store pipe, one per cycle -> 3.
    EXPECT_EQ(recipe({0xf9400001, 0xf9400402, 0xf9400803}).cycles, 3u);
    // ldr x1,[x0]; add x2,x1,#1: the ALU use waits kLoadLatency 2 -> issue 0, 2 -> 3.
    EXPECT_EQ(recipe({0xf9400001, 0x91000422}).cycles, 3u);
}

TEST(A53Schedule, IndependentAluPairsDualIssue) {
    // Eight independent adds (add xN, x0, #k): two per cycle -> 4 cycles.
    const BlockRecipe pairs = recipe({0x91000401, 0x91000802, 0x91000c03, 0x91001004, 0x91001405,
                                      0x91001806, 0x91001c07, 0x91002008});
    EXPECT_EQ(pairs.cycles, 4u);
    EXPECT_EQ(pairs.instructions, 8u);
    // The same eight as a dependent chain (add x(n+1), xn, #1): 8 cycles.
    const BlockRecipe chain = recipe({0x91000401, 0x91000422, 0x91000443, 0x91000464, 0x91000485,
                                      0x910004a6, 0x910004c7, 0x910004e8});
    EXPECT_EQ(chain.cycles, 8u);
    // ALU + load pair, twice: add x1,x0,#1; ldr x2,[x0]; add x3,x0,#2; ldr x4,[x0,#16] -> 2.
    EXPECT_EQ(recipe({0x91000401, 0xf9400002, 0x91000803, 0xf9400804}).cycles, 2u);
    // A multiply issues alone: mul x0,x1,x2; add x3,x4,#1 -> 2.
    EXPECT_EQ(recipe({mul_x0_x1_x2, 0x91000483}).cycles, 2u);
}

TEST(A53Schedule, Divides) {
    // sdiv x0,x1,x2; add x1,x0,#1: the add waits kSdivLatency 9 -> 10 cycles.
    EXPECT_EQ(recipe({sdiv_x0_x1_x2, 0x91000401}).cycles, 10u);
    // udiv w0,w1,w2; udiv x3,x4,x5: independent, but one divider busy kDivBusy 8 -> 9.
    EXPECT_EQ(recipe({0x1ac20820, 0x9ac50883}).cycles, 9u);
    // A divide's result still in flight at the block's end is carried.
    const BlockRecipe r = recipe({sdiv_x0_x1_x2});
    EXPECT_EQ(r.cycles, 1u);
    ASSERT_EQ(r.in_flight_count, 1u);
    EXPECT_EQ(r.in_flight[0].reg, 0);
    EXPECT_EQ(r.in_flight[0].ready, 8u); // issued at 0, ready at 9, block ends at 1
}

TEST(A53Schedule, FloatingPoint) {
    // fdiv d0,d1,d2 alone: 1 cycle, d0 ready kFdivDLatency after its issue.
    const BlockRecipe r = recipe({fdiv_d0});
    ASSERT_EQ(r.in_flight_count, 1u);
    EXPECT_EQ(r.in_flight[0].ready, kFdivDLatency - 1);
    // fmul d0,d1,d2; fadd d0,d1,d2: two FP instructions cannot pair (slot 0) -> 2.
    EXPECT_EQ(recipe({fmul_d0, fadd_d0}).cycles, 2u);
}

// --- the pipeline across blocks ---

TEST(A53Pipeline, LoadToUseAcrossBlocks) {
    Pipeline p;
    const BlockRecipe a = recipe({0xf9400001}, 0x1000); // ldr x1,[x0]
    const BlockRecipe b = recipe({0xf9400022}, 0x2000); // ldr x2,[x1]
    EXPECT_EQ(p.charge(a, 0x1000, 0), 1u);
    // x1 usable as an address 3 cycles after the load's issue (cycle 0):
    // block b starts at 1, so it waits 2, then issues 1.
    EXPECT_EQ(p.charge(b, 0x2000, 1), 3u);
    EXPECT_EQ(p.stats().dependency_stall_cycles, 2u);
    // A miss between them (the clock moved on by a memory stall) hides the latency.
    Pipeline q;
    q.charge(a, 0x1000, 0);
    EXPECT_EQ(q.charge(b, 0x2000, 10), 1u);
}

// The stall memo (a block right after the same block, nothing older in
// flight) gives the wait the full check gives, and only then.
TEST(A53Pipeline, StallMemoOnlyAfterTheSameBlockWithNothingOlder) {
    const BlockRecipe load = recipe({0xf9400001}, 0x1000);  // ldr x1,[x0]
    const BlockRecipe use = recipe({0xf9400022}, 0x2000);   // ldr x2,[x1]
    const BlockRecipe other = recipe({0x910004c5}, 0x3000); // add x5,x6,#1
    const BlockRecipe div = recipe({0x9ac40c61}, 0x4000);   // sdiv x1,x3,x4
    const BlockRecipe add = recipe({0x91000427}, 0x5000);   // add x7,x1,#1
    Pipeline p;
    EXPECT_EQ(p.charge(load, 0x1000, 0), 1u);
    EXPECT_EQ(p.charge(use, 0x2000, 1), 3u); // waits 2 for x1 as an address
    EXPECT_EQ(use.memo_after, load.id);
    EXPECT_EQ(p.charge(load, 0x1000, 10), 1u);
    EXPECT_EQ(p.charge(use, 0x2000, 11), 3u); // from the memo: the same wait
    EXPECT_EQ(p.charge(use, 0x2000, 20), 1u); // after itself: x1 is not in flight
    EXPECT_EQ(p.charge(other, 0x3000, 30), 1u);
    EXPECT_EQ(p.charge(use, 0x2000, 31), 1u); // after another block: no wait
    EXPECT_EQ(p.stats().dependency_stall_cycles, 4u);
    // A result older than the previous block still in flight: no memo. The
    // divide's x1 is ready 9 cycles after its issue (cycle 0): add waits 7.
    EXPECT_EQ(p.charge(div, 0x4000, 100), 1u);
    EXPECT_EQ(p.charge(other, 0x3000, 101), 1u);
    EXPECT_EQ(p.charge(add, 0x5000, 102), 8u);
    EXPECT_NE(add.memo_after, other.id);
    EXPECT_EQ(p.charge(other, 0x3000, 200), 1u);
    EXPECT_EQ(p.charge(add, 0x5000, 201), 1u); // nothing in flight now
    EXPECT_EQ(p.stats().dependency_stall_cycles, 11u);
}

// A block that starts later than right after the previous block (a
// mispredict or a memory stall in between) with nothing older in flight
// waits the memo's wait less the gap, as the full check would; with an
// older result in flight, the full check.
TEST(A53Pipeline, StallMemoLessTheGapOnlyWithNothingOlder) {
    const BlockRecipe load = recipe({0xf9400001}, 0x1000);  // ldr x1,[x0]
    const BlockRecipe use = recipe({0xf9400022}, 0x2000);   // ldr x2,[x1]
    const BlockRecipe other = recipe({0x910004c5}, 0x3000); // add x5,x6,#1
    const BlockRecipe div = recipe({0x9ac40c61}, 0x4000);   // sdiv x1,x3,x4
    const BlockRecipe add = recipe({0x91000427}, 0x5000);   // add x7,x1,#1
    for (const bool memo : {false, true}) {
        SCOPED_TRACE(memo ? "memo written first" : "no memo");
        Pipeline p;
        if (memo) {
            EXPECT_EQ(p.charge(load, 0x1000, 0), 1u);
            EXPECT_EQ(p.charge(use, 0x2000, 1), 3u); // the memo: a wait of 2
            EXPECT_EQ(p.charge(div, 0x4000, 10), 1u);
            EXPECT_EQ(p.charge(other, 0x3000, 30), 1u);
            EXPECT_EQ(p.charge(add, 0x5000, 31), 1u); // the memo: no wait
        }
        // x1 usable as an address at 102: a gap of 1, a wait of 1; of 2, none.
        EXPECT_EQ(p.charge(load, 0x1000, 99), 1u);
        EXPECT_EQ(p.charge(use, 0x2000, 101), 2u);
        EXPECT_EQ(p.charge(load, 0x1000, 199), 1u);
        EXPECT_EQ(p.charge(use, 0x2000, 202), 1u);
        // The divide's x1 (ready at 309) still in flight after `other`: add,
        // a cycle after it, waits 6 (not the memo's none less the gap).
        EXPECT_EQ(p.charge(div, 0x4000, 300), 1u);
        EXPECT_EQ(p.charge(other, 0x3000, 301), 1u);
        EXPECT_EQ(p.charge(add, 0x5000, 303), 7u);
    }
}

TEST(A53Pipeline, LoopExitMispredictsOnce) {
    // loop: subs x0,x0,#1; b.ne loop  (2 cycles: the branch waits for the flags)
    constexpr uint64_t loop = 0x4000, exit = 0x4008;
    const BlockRecipe body = recipe({subs_x0_1, 0x54ffffe1}, loop); // b.ne .-4
    ASSERT_EQ(body.cycles, 2u);
    ASSERT_EQ(body.branch_at(loop).target, loop);
    const BlockRecipe after = recipe({0x91000401}, exit);
    Pipeline p;
    constexpr unsigned iterations = 40;
    uint64_t cycles = 0;
    for (unsigned i = 0; i < iterations; ++i)
        cycles += p.charge(body, loop, cycles);
    // Warm-up: the global history takes kHistoryBits + 1 taken branches to
    // fill with ones; each new history value indexes a fresh counter (weakly
    // not taken), so those kHistoryBits + 1 predictions miss. Then none.
    EXPECT_EQ(p.stats().mispredicts, kHistoryBits + 1);
    cycles += p.charge(after, exit, cycles);
    // The exit: predicted taken, not taken: exactly one more.
    EXPECT_EQ(p.stats().mispredicts, kHistoryBits + 2);
    EXPECT_EQ(cycles, iterations * 2 + (kHistoryBits + 2) * kMispredictPenalty + 1);
}

TEST(A53Pipeline, ReturnStackPredictsReturns) {
    Pipeline p;
    // Three nested calls: bl at 0x100, 0x200, 0x300 to 0x200, 0x300, 0x400;
    // then three returns to 0x304, 0x204, 0x104.
    const BlockRecipe call1 = recipe({0x94000040}, 0x100); // bl .+0x100
    const BlockRecipe call2 = recipe({0x94000040}, 0x200);
    const BlockRecipe call3 = recipe({0x94000040}, 0x300);
    const BlockRecipe leaf = recipe({ret}, 0x400);
    const BlockRecipe back3 = recipe({ret}, 0x304);
    const BlockRecipe back2 = recipe({ret}, 0x204);
    const BlockRecipe back1 = recipe({0x91000401}, 0x104);
    uint64_t t = 0;
    t += p.charge(call1, 0x100, t);
    t += p.charge(call2, 0x200, t);
    t += p.charge(call3, 0x300, t);
    t += p.charge(leaf, 0x400, t);
    t += p.charge(back3, 0x304, t);
    t += p.charge(back2, 0x204, t);
    t += p.charge(back1, 0x104, t);
    EXPECT_EQ(p.stats().mispredicts, 0u);
    EXPECT_EQ(t, 7u); // one cycle per block, no penalty
    // A return somewhere else (a longjmp) mispredicts.
    p.charge(call1, 0x100, t);
    p.charge(leaf, 0x200, t);
    p.charge(back1, 0x900, t);
    EXPECT_EQ(p.stats().mispredicts, 1u);
}

TEST(A53Pipeline, ReturnStackOverflowLosesTheOldest) {
    Pipeline p;
    std::deque<BlockRecipe> blocks; // the pipeline reads the last one again
    auto charge = [&](uint32_t word, uint64_t pc) {
        blocks.push_back(recipe({word}, pc));
        p.charge(blocks.back(), pc, 0);
    };
    // kReturnStack + 1 nested calls from distinct sites, then as many returns.
    for (unsigned d = 0; d <= kReturnStack; ++d)
        charge(0x94000040, 0x1000 * (d + 1));
    charge(ret, 0x100000);
    for (unsigned d = kReturnStack + 1; d-- > 0;)
        charge(ret, 0x1000 * (d + 1) + 4);
    // All but the outermost return were on the stack.
    EXPECT_EQ(p.stats().mispredicts, 1u);
}

TEST(A53Pipeline, IndirectBranchesLearnTheirTarget) {
    Pipeline p;
    const BlockRecipe jump = recipe({0xd61f0020}, 0x100); // br x1
    const BlockRecipe there = recipe({0x91000401}, 0x800);
    for (int i = 0; i < 3; ++i) {
        p.charge(jump, 0x100, 0);
        p.charge(there, 0x800, 0);
    }
    EXPECT_EQ(p.stats().mispredicts, 1u); // the first, a BTAC miss
}

// The pipeline reads the previous block's recipe when the next block runs
// (its branch, its results still in flight). A code change may decode that
// block again into the same cache entry, or drop every entry: the model
// must keep what it still needs of the old recipe. Block a (ldr x1,[x0];
// b.ne .+8) runs, its page changes to a' (add x5,x6,#1; nop), a' runs at
// the same address, then b (ldr x2,[x1]): a's branch resolves when a'
// starts (neither target nor fall-through: counted, not trained) and b
// waits for a's x1 as an address: ready 3 cycles after a's load at cycle
// 0, b starts at 2 (a 1 cycle, a' 1), so it waits 1.
TEST(A53Model, CodeChangeKeepsWhatThePipelineReadsOfThePreviousBlock) {
    for (const bool all : {false, true}) {
        SCOPED_TRACE(all ? "all code changed" : "one page changed");
        std::map<uint64_t, uint32_t> memory = {
            {0x1000, 0xf9400001}, {0x1004, b_ne_plus8}, {0x2000, 0xf9400022}};
        auto ipa_of = [](uint64_t va) { return va; };
        auto read_code = [&](uint64_t va) {
            return [&memory, va](uint8_t* out, uint32_t bytes) {
                for (uint32_t off = 0; off < bytes; off += 4)
                    std::memcpy(out + off, &memory.at(va + off), 4);
                return true;
            };
        };
        auto m = std::make_unique<Model>();
        uint64_t now = 0;
        now += m->charge(0x1000, 8, now, ipa_of, read_code(0x1000));
        EXPECT_EQ(now, 1u);
        memory[0x1000] = 0x910004c5; // add x5, x6, #1
        memory[0x1004] = 0xd503201f; // nop
        m->code_changed(0x1000, all);
        now += m->charge(0x1000, 8, now, ipa_of, read_code(0x1000));
        EXPECT_EQ(now, 2u);
        EXPECT_EQ(m->stats().pipeline.branches, 1u);
        EXPECT_EQ(m->stats().pipeline.mispredicts, 0u);
        now += m->charge(0x2000, 4, now, ipa_of, read_code(0x2000));
        EXPECT_EQ(now, 4u);
        EXPECT_EQ(m->stats().pipeline.dependency_stall_cycles, 1u);
        EXPECT_EQ(m->stats().recipes_decoded, 3u);
    }
}

TEST(A53Recipes, KeyedByPhysicalAddressAndDroppedOnCodeChange) {
    RecipeCache cache;
    BlockRecipe div = recipe({sdiv_x0_x1_x2});
    EXPECT_EQ(cache.find(0x40001000, 4), nullptr);
    cache.insert(0x40001000, 4, div);
    ASSERT_NE(cache.find(0x40001000, 4), nullptr);
    EXPECT_EQ(cache.find(0x40001000, 4)->classes[static_cast<unsigned>(InsnClass::div)], 1u);
    EXPECT_EQ(cache.find(0x40001000, 8), nullptr); // another size is another block
    EXPECT_EQ(cache.find(0x40002000, 4), nullptr); // another page
    cache.invalidate_page(0x40002000);             // another page's change keeps it
    EXPECT_NE(cache.find(0x40001000, 4), nullptr);
    cache.invalidate_page(0x40001abc);
    EXPECT_EQ(cache.find(0x40001000, 4), nullptr);
    cache.insert(0x40001000, 4, recipe({mul_x0_x1_x2}));
    EXPECT_EQ(cache.find(0x40001000, 4)->classes[static_cast<unsigned>(InsnClass::mul)], 1u);
    // A block that crosses into the next page follows that page too.
    cache.insert(0x40001ffc, 8, div);
    cache.invalidate_page(0x40002000);
    EXPECT_EQ(cache.find(0x40001ffc, 8), nullptr);
    cache.invalidate_all();
    EXPECT_EQ(cache.find(0x40001000, 4), nullptr);
}

TEST(A53Config, ModelCoreKey) {
    sim::RunConfig rc;
    EXPECT_EQ(rc.machine.core_model, sim::cpu::CoreModel::flat); // the default
    sim::set_model_param(rc, "core", "a53");
    EXPECT_EQ(rc.machine.core_model, sim::cpu::CoreModel::a53);
    sim::set_model_param(rc, "model.core", "flat"); // --set model.core=... names the same key
    EXPECT_EQ(rc.machine.core_model, sim::cpu::CoreModel::flat);
    EXPECT_THROW(sim::set_model_param(rc, "core", "a57"), sim::InputError);
    const sim::RunConfig parsed = sim::parse_config(R"(
mode = "native"
[[vms]]
name = "bench"
measured = true
image = { workload = "hello" }
[model]
core = "a53"
)",
                                                    "t.toml", "");
    EXPECT_EQ(parsed.machine.core_model, sim::cpu::CoreModel::a53);
}

} // namespace

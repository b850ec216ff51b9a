// An AArch64 guest with its MMU on that first reaches a virtual address its
// tables map into its RAM, but that no Unicorn region covers, by an
// instruction fetch (a branch, or an exception vector through such an
// alias). The core covers the address with a placeholder region
// (arm64_placeholder.cpp), but Unicorn 2.0.1 fetches while it translates a
// block, after filling its TLB: mapping a region from the unmapped-fetch
// hook flushed that TLB under the fetch, which then read the code through
// the flushed entry and crashed bao-sim (SIGSEGV in load_helper). Random
// guests with stage-1 tables found it (docs/fuzzing.md, "Random guests").
#include "bare_core.h"
#include "sim/cpu/arm64_core.h"

#include <gtest/gtest.h>

#include <cstring>

namespace sim {
namespace {
namespace placeholder_fetch {

using test::HostPages;
using test::NoExits;

constexpr uint64_t ram_base = 0x40000000, ram_size = 0x10000;
// The alias: VA 0x1_4000_0000 maps to PA 0x4000_0000 (1 GiB blocks, T0SZ 25).
constexpr uint64_t alias = 0x140000000;

// Turns the MMU on (tables at ram_base + 0x1000, VBAR_EL1 = alias + 0x800),
// then runs `tail`.
cpu::RunResult run(const std::vector<uint32_t>& tail, cpu::Arm64Core& core, HostPages& ram) {
    std::vector<uint32_t> code = test::mmu_on_prologue({
        0xd2c00025, // movz x5, #1, lsl #32  VBAR_EL1: the alias + 0x800
        0xf2a80005, // movk x5, #0x4000, lsl #16
        0xf2810005, // movk x5, #0x800
    });
    code.insert(code.end(), tail.begin(), tail.end());
    std::memset(ram.p, 0, ram_size);
    std::memcpy(ram.p, code.data(), code.size() * 4);
    uint64_t l1[512] = {};
    l1[1] = ram_base | 0x705;           // identity: block, AttrIndx 1, inner shareable, AF
    l1[alias >> 30] = ram_base | 0x705; // the alias, to the same PA
    std::memcpy(ram.p + 0x1000, l1, sizeof l1);
    // TTBR1's tables (for the last page of the address space): levels 1,
    // 2 and 3 at + 0x2000, 0x3000 and 0x4000, the last entry of each.
    const uint64_t l1_511 = (ram_base + 0x3000) | 3, l2_511 = (ram_base + 0x4000) | 3;
    const uint64_t l3_511 = ram_base | 0x707; // page: the first of RAM
    std::memcpy(ram.p + 0x2000 + 511 * 8, &l1_511, 8);
    std::memcpy(ram.p + 0x3000 + 511 * 8, &l2_511, 8);
    std::memcpy(ram.p + 0x4000 + 511 * 8, &l3_511, 8);
    const uint32_t at_0x400[] = {
        0xd2800540, // movz x0, #42
        0xd40000e1, // svc  #7
        0xd503207f, // wfi
    };
    std::memcpy(ram.p + 0x400, at_0x400, sizeof at_0x400);
    // Without model.wfi_through_stage1 it spins: a WFI at a virtual address
    // the tables alias is not told from the budget's end (the core reads the
    // word before PC as a PA). The last test below runs it both ways.
    const uint32_t sync_handler[] = {
        0xd5385202, // mrs x2, esr_el1
        0xd5384024, // mrs x4, elr_el1
        0x14000000, // b   .
    };
    std::memcpy(ram.p + 0x800 + 0x200, sync_handler, sizeof sync_handler);
    core.map_memory(ram_base, ram_size, ram.p);
    core.reset(ram_base, 0);
    return core.run(100'000, 0, 1);
}

TEST(PlaceholderFetch, BranchToAnAliasNoRegionCoversRunsThere) {
    HostPages ram(ram_size);
    NoExits exits;
    cpu::Arm64Core core(0, exits);
    const cpu::RunResult r = run(
        {
            0xd2c00029, // movz x9, #1, lsl #32
            0xf2a80009, // movk x9, #0x4000, lsl #16
            0xf2808009, // movk x9, #0x400
            0xd61f0120, // br   x9            (alias + 0x400)
        },
        core, ram);
    ASSERT_EQ(r.reason, cpu::StopReason::budget) << core.fault().description;
    EXPECT_EQ(core.pc(), alias + 0x800 + 0x200 + 8) << "in the handler, at its virtual address";
    EXPECT_EQ(core.x(0), 42u) << "the code at the alias ran";
    EXPECT_EQ(core.x(2) >> 26, 0x15u) << "its SVC reached the vector (through the alias too)";
    EXPECT_EQ(core.x(4), alias + 0x408) << "ELR: past the SVC, at its virtual address";
    EXPECT_EQ(core.placeholders(), 1u) << "one window covers the code and the vectors";
}

TEST(PlaceholderFetch, ExceptionVectorThroughAnAliasNoRegionCoversIsTaken) {
    HostPages ram(ram_size);
    NoExits exits;
    cpu::Arm64Core core(0, exits);
    const cpu::RunResult r = run(
        {
            0xd40000e1, // svc #7             (the vector's first fetch is the alias's)
            0xd503207f, // wfi
        },
        core, ram);
    ASSERT_EQ(r.reason, cpu::StopReason::budget) << core.fault().description;
    EXPECT_EQ(core.pc(), alias + 0x800 + 0x200 + 8) << "in the handler, at its virtual address";
    EXPECT_EQ(core.x(2) >> 26, 0x15u);
    EXPECT_EQ(core.x(4), ram_base + 17 * 4) << "ELR: past the SVC";
    EXPECT_EQ(core.placeholders(), 1u);
}

// A WFI at the alias (Linux's idle loop runs at such addresses): with
// model.wfi_through_stage1 the core reads it through stage 1 and reports a
// wait at its virtual address; without, it reads the placeholder's zeros
// at that address and the WFI ends the run as if its budget had (the
// figures before 2026-12-01, decision 29).
TEST(PlaceholderFetch, AWfiAtAnAliasIsAWaitOnlyThroughStage1) {
    const std::vector<uint32_t> to_the_wfi = {
        0xd2c00029, // movz x9, #1, lsl #32
        0xf2a80009, // movk x9, #0x4000, lsl #16
        0xf2808109, // movk x9, #0x408
        0xd61f0120, // br   x9            (alias + 0x408: the WFI)
    };
    for (const bool through_stage1 : {false, true}) {
        HostPages ram(ram_size);
        NoExits exits;
        cpu::Arm64Core core(0, exits);
        ASSERT_TRUE(core.set_wfi_through_stage1(through_stage1));
        const cpu::RunResult r = run(to_the_wfi, core, ram);
        ASSERT_NE(r.reason, cpu::StopReason::fault) << core.fault().description;
        EXPECT_EQ(core.pc(), alias + 0x40c) << "past the WFI, at its virtual address";
        EXPECT_LT(r.instructions, 100'000u) << "the WFI ended the run early, both ways";
        if (through_stage1) {
            EXPECT_EQ(r.reason, cpu::StopReason::wfi);
            EXPECT_EQ(r.exit.kind, cpu::Exit::Kind::wait);
            EXPECT_EQ(r.exit.pc, alias + 0x408);
        } else {
            EXPECT_EQ(r.reason, cpu::StopReason::budget) << "the zeros of the placeholder";
        }
    }
}

// An HVC at the alias: its immediate (the ISS) is read through stage 1, not
// from the placeholder's zeros.
TEST(PlaceholderFetch, AnHvcAtAnAliasReportsItsImmediate) {
    struct LastExit final : cpu::ExitHandler {
        cpu::TrapAction on_exit(cpu::Core&, cpu::Exit& e) override {
            last = e;
            return cpu::TrapAction::resume;
        }
        std::optional<uint64_t> read_sysreg(cpu::Core&, uint32_t) override { return std::nullopt; }
        bool write_sysreg(cpu::Core&, uint32_t, uint64_t) override { return false; }
        cpu::Exit last;
    } exits;
    HostPages ram(ram_size);
    cpu::Arm64Core core(0, exits);
    // The tail starts after the 16-word prologue, at 0x40: its HVC is at 0x50.
    const cpu::RunResult r = run(
        {
            0xd2c00029, // movz x9, #1, lsl #32
            0xf2a80009, // movk x9, #0x4000, lsl #16
            0xf2800a09, // movk x9, #0x50
            0xd61f0120, // br   x9            (alias + 0x50: the HVC)
            0xd4024682, // hvc  #0x1234
            0x14000000, // b    .
        },
        core, ram);
    ASSERT_NE(r.reason, cpu::StopReason::fault) << core.fault().description;
    EXPECT_EQ(exits.last.kind, cpu::Exit::Kind::call);
    EXPECT_EQ(exits.last.pc, alias + 0x54) << "ELR_EL2: past the HVC, at its virtual address";
    EXPECT_EQ(exits.last.syndrome.detail, 0x1234u);
}

// Unicorn 2.0.1's empty TLB entries (all ones) match the last page of the
// address space: an access there read through a flushed entry (SIGSEGV in
// load_helper; AArch64 seeds 33 and 37 natively, through TTBR1). No region
// covers that page, and the access stops the core with a reason.
TEST(PlaceholderFetch, AnAccessToTheLastPageOfTheAddressSpaceStopsWithAReason) {
    HostPages ram(ram_size);
    NoExits exits;
    cpu::Arm64Core core(0, exits);
    const cpu::RunResult r = run(
        {
            0xd2800321, // movz x1, #25
            0xf2b00321, // movk x1, #0x8019, lsl #16   T1SZ 25, TG1 4 KiB
            0xf2c00041, // movk x1, #2, lsl #32
            0xd5182041, // msr  tcr_el1, x1
            0xd2a80001, // movz x1, #0x4000, lsl #16
            0xf2840001, // movk x1, #0x2000
            0xd5182021, // msr  ttbr1_el1, x1
            0xd5033fdf, // isb
            0x92800549, // mov  x9, #-43               (0xffff_ffff_ffff_ffd5)
            0x39400120, // ldrb w0, [x9]
            0x14000000, // b    .
        },
        core, ram);
    ASSERT_EQ(r.reason, cpu::StopReason::fault);
    EXPECT_NE(core.fault().description.find(
                  "access at virtual address 0xffffffffffffffd5 (IPA 0x40000fd5): Unicorn 2.0.1 "
                  "cannot access the last 4 KiB page of the address space"),
              std::string::npos)
        << core.fault().description;
    EXPECT_EQ(core.fault().pc, ram_base + 25 * 4);
}

// DC ZVA is the first access to the alias. Unicorn 2.0.1's helper zeroes
// the block a byte store at a time, each through the unmapped hook: mapping
// the placeholder from there flushed Unicorn's TLB under the store in flight
// (SIGSEGV in store_helper; a random guest, docs/fuzzing.md). The core now
// stops at the DC ZVA, maps the region and runs it again.
TEST(PlaceholderFetch, DcZvaAtAnAliasNoRegionCoversZeroesTheBlock) {
    HostPages ram(ram_size);
    NoExits exits;
    cpu::Arm64Core core(0, exits);
    const cpu::RunResult r = run(
        {
            0xd2a80008, // movz x8, #0x4000, lsl #16   x8 = RAM + 0x5000 (identity)
            0xf28a0008, // movk x8, #0x5000
            0x92800004, // movn x4, #0                x4 = -1
            0xf9000104, // str  x4, [x8]
            0xf9000504, // str  x4, [x8, #8]
            0xd2c00029, // movz x9, #1, lsl #32        x9 = the alias + 0x5000
            0xf2a80009, // movk x9, #0x4000, lsl #16
            0xf28a0009, // movk x9, #0x5000
            0xd50b7429, // dc   zva, x9
            0xf9400103, // ldr  x3, [x8]
            0xf9400526, // ldr  x6, [x9, #8]
            0xd503207f, // wfi
        },
        core, ram);
    ASSERT_EQ(r.reason, cpu::StopReason::wfi) << core.fault().description;
    EXPECT_EQ(core.x(4), ~uint64_t{0});
    EXPECT_EQ(core.x(3), 0u) << "DC ZVA zeroed the block (seen through the identity map)";
    EXPECT_EQ(core.x(6), 0u) << "and through the alias";
    uint64_t word = 1;
    std::memcpy(&word, ram.p + 0x5008, sizeof word);
    EXPECT_EQ(word, 0u);
}

// Two placeholder windows, 16 MiB apart at the alias + 16 MiB: the alias's
// GiB through a level-2 table, its pages at + 16 MiB - 4 KiB and + 16 MiB
// mapped to RAM + 0x8000 and + 0x9000. Runs `tail` after the MMU is on,
// with x9 = the alias + 16 MiB - 4 and x4 = -1.
cpu::RunResult run_across_windows(const std::vector<uint32_t>& tail, cpu::Arm64Core& core,
                                  HostPages& ram, bool uncounted = false) {
    std::vector<uint32_t> code = test::mmu_on_prologue({
        0xd2c00025, // movz x5, #1, lsl #32  VBAR_EL1: the alias + 0x800
        0xf2a80005, // movk x5, #0x4000, lsl #16
        0xf2810005, // movk x5, #0x800
    });
    code.insert(code.end(), {
                                0xd2c00029, // movz x9, #1, lsl #32
                                0xf2a82009, // movk x9, #0x4100, lsl #16  the alias + 16 MiB
                                0xd1001129, // sub  x9, x9, #4
                                0x92800004, // movn x4, #0
                            });
    code.insert(code.end(), tail.begin(), tail.end());
    std::memset(ram.p, 0, ram_size);
    std::memcpy(ram.p, code.data(), code.size() * 4);
    uint64_t l1[512] = {}, l2[512] = {}, l3_below[512] = {}, l3_above[512] = {};
    l1[1] = ram_base | 0x705;
    l1[alias >> 30] = (ram_base + 0x5000) | 3;
    l2[7] = (ram_base + 0x6000) | 3;
    l2[8] = (ram_base + 0x7000) | 3;
    l3_below[511] = (ram_base + 0x8000) | 0x707;
    l3_above[0] = (ram_base + 0x9000) | 0x707;
    std::memcpy(ram.p + 0x1000, l1, sizeof l1);
    std::memcpy(ram.p + 0x5000, l2, sizeof l2);
    std::memcpy(ram.p + 0x6000, l3_below, sizeof l3_below);
    std::memcpy(ram.p + 0x7000, l3_above, sizeof l3_above);
    core.map_memory(ram_base, ram_size, ram.p);
    core.reset(ram_base, 0);
    if (uncounted)
        test::run_uncounted(core);
    return core.run(100'000, 0, 1);
}

// Runs `tail` (which stores x4 at x9, 4 bytes in each window) and checks
// that both halves reached RAM.
void store_across_windows(const std::vector<uint32_t>& tail, bool uncounted = false) {
    HostPages ram(ram_size);
    NoExits exits;
    cpu::Arm64Core core(0, exits);
    const cpu::RunResult r = run_across_windows(tail, core, ram, uncounted);
    ASSERT_EQ(r.reason, cpu::StopReason::wfi) << core.fault().description;
    uint32_t below = 0, above = 0;
    std::memcpy(&below, ram.p + 0x8ffc, 4);
    std::memcpy(&above, ram.p + 0x9000, 4);
    EXPECT_EQ(below, 0xffffffffu);
    EXPECT_EQ(above, 0xffffffffu);
}

// An unaligned store across the boundary of two placeholder windows: Unicorn
// 2.0.1 splits it into byte stores, and mapping the second window from one of
// those stores' unmapped hook flushed the TLB under it (SIGSEGV in
// store_helper). The store's own hooks now cover the second window first:
// its unmapped hook when it is also the first access to the first window...
TEST(PlaceholderFetch, AStoreIntoTheNextWindowCoversBothWindows) {
    store_across_windows({
        0xf9000124, // str  x4, [x9]
        0xd503207f, // wfi
    });
}

// ... and when the first window is covered already, with the memory hook
// and without it (--fast-forward-uncounted: the store helper's wrapper).
const std::vector<uint32_t> store_after_the_first_is_covered = {
    0xf85fc127, // ldur x7, [x9, #-4]          covers the first window
    0xf9000124, // str  x4, [x9]
    0xd503207f, // wfi
};

TEST(PlaceholderFetch, AStoreIntoTheNextWindowAfterTheFirstIsCovered) {
    store_across_windows(store_after_the_first_is_covered);
}

TEST(PlaceholderFetch, AStoreIntoTheNextWindowAfterTheFirstIsCoveredUncounted) {
#ifndef BAO_UNICORN_ACCESS_PC
    GTEST_SKIP() << "needs Unicorn 2.0.1's store helpers wrapped (sim/CMakeLists.txt)";
#endif
    store_across_windows(store_after_the_first_is_covered, true);
}

TEST(PlaceholderFetch, AStoreIntoTheNextWindowCoversBothWindowsUncounted) {
#ifndef BAO_UNICORN_ACCESS_PC
    GTEST_SKIP() << "needs Unicorn 2.0.1's store helpers wrapped (sim/CMakeLists.txt)";
#endif
    store_across_windows({0xf9000124 /* str x4, [x9] */, 0xd503207f /* wfi */}, true);
}

// A load across the boundary splits into two aligned loads, each with its own
// hooks: it never crashed; checked so that it stays so.
TEST(PlaceholderFetch, ALoadIntoTheNextWindowAfterTheFirstIsCovered) {
    HostPages ram(ram_size);
    NoExits exits;
    cpu::Arm64Core core(0, exits);
    const cpu::RunResult r = run_across_windows(
        {
            0xf85fc127, // ldur x7, [x9, #-4]          covers the first window
            0xb2407fe8, // mov  x8, #0xffffffff
            0xf9400128, // ldr  x8, [x9]               4 bytes from each window
            0xd503207f, // wfi
        },
        core, ram);
    ASSERT_EQ(r.reason, cpu::StopReason::wfi) << core.fault().description;
    EXPECT_EQ(core.x(8), 0u);
}

} // namespace placeholder_fetch
} // namespace
} // namespace sim

// The guest's own stage 1 in the timing model (tlb.guest_stage1,
// docs/timing-model.md "Guest stage 1"): the walker's block sizes, TTBR1,
// the global bit and the ASID; the `stage1` guest natively and under hv
// (nested walks, superpages against 4 KiB pages, colored against not, TLBI,
// MMU off unchanged, determinism).
#include "sim/cpu/stage1_walk.h"
#include "sim/simulation.h"

#include "guest_files.h"

#include <gtest/gtest.h>

#include <map>
#include <sstream>

namespace sim {
namespace {

// Guest tables in a map: 4 KiB granule, 39-bit VAs in both halves.
struct Tables {
    std::map<uint64_t, uint64_t> mem;
    static bool read(void* ctx, uint64_t ipa, uint64_t& d) {
        auto& m = static_cast<Tables*>(ctx)->mem;
        auto it = m.find(ipa);
        d = it == m.end() ? 0 : it->second;
        return true;
    }
    cpu::Stage1Regs regs() const {
        cpu::Stage1Regs r;
        r.sctlr = 1;
        r.tcr = 25 | (25ull << 16) | (2ull << 30); // T0SZ = T1SZ = 25, TG1 4 KiB
        r.ttbr0 = 0x1000 | (5ull << 48);
        r.ttbr1 = 0x8000 | (9ull << 48);
        return r;
    }
    cpu::Stage1Walk walk(uint64_t va) {
        return cpu::stage1_walk(regs(), va, cpu::Stage1Access::read, false,
                                cpu::DescriptorReader{&Tables::read, this});
    }
};

constexpr uint64_t af = 1ull << 10, ng = 1ull << 11;

TEST(Stage1Walk, PagesTwoMegabyteAndOneGigabyteBlocksAndTtbr1) {
    Tables t;
    t.mem[0x1000 + 0 * 8] = 0x0 | af | 1;             // L1[0]: 1 GiB block
    t.mem[0x1000 + 1 * 8] = 0x2000 | 3;               // L1[1] -> L2
    t.mem[0x2000 + 0 * 8] = 0x40000000 | af | 1;      // 2 MiB block
    t.mem[0x2000 + 1 * 8] = 0x3000 | 3;               // -> L3
    t.mem[0x3000 + 2 * 8] = 0x77002000 | af | ng | 3; // 4 KiB page, not global
    t.mem[0x8000 + 511 * 8] = 0x9000 | 3;             // TTBR1: L1[511] -> L2
    t.mem[0x9000 + 511 * 8] = 0x60000000 | af | 1;    // 2 MiB block at the top

    cpu::Stage1Walk g = t.walk(0x12345678);
    EXPECT_EQ(g.out, 0x12345678u);
    EXPECT_EQ(g.block_size, 1ull << 30);
    EXPECT_EQ(g.num_desc, 1u);
    EXPECT_TRUE(g.global);
    cpu::Stage1Walk m = t.walk(0x40123456);
    EXPECT_EQ(m.out, 0x40123456u);
    EXPECT_EQ(m.block_size, 2ull << 20);
    EXPECT_EQ(m.num_desc, 2u);
    cpu::Stage1Walk p = t.walk(0x40202abc);
    EXPECT_EQ(p.out, 0x77002abcu);
    EXPECT_EQ(p.block_size, 4096u);
    EXPECT_EQ(p.num_desc, 3u);
    EXPECT_FALSE(p.global);
    EXPECT_EQ(p.desc_ipa[2], 0x3000u + 2 * 8);
    cpu::Stage1Walk k = t.walk(0xffff'ffff'ffe0'1234ull); // TTBR1, the top 2 MiB
    EXPECT_EQ(k.fault, cpu::Stage1Walk::Fault::none);
    EXPECT_EQ(k.out, 0x60001234u);
    EXPECT_EQ(k.desc_ipa[0], 0x8000u + 511 * 8);
    // Neither half: a translation fault at level 0.
    EXPECT_EQ(t.walk(0x0000'8000'0000'0000ull).status_code(), 0x04u);
}

TEST(Stage1Walk, AsidComesFromTheTtbrTcrA1NamesAndItsWidth) {
    Tables t;
    cpu::Stage1Regs r = t.regs();
    EXPECT_EQ(cpu::stage1_asid(r), 5u);
    r.tcr |= 1ull << 22; // A1: TTBR1's ASID
    EXPECT_EQ(cpu::stage1_asid(r), 9u);
    r.ttbr1 = 0x8000 | (0x1234ull << 48);
    EXPECT_EQ(cpu::stage1_asid(r), 0x34u); // 8-bit ASIDs
    r.tcr |= 1ull << 36;                   // AS: 16 bits
    EXPECT_EQ(cpu::stage1_asid(r), 0x1234u);
}

TEST(Stage1Walk, OtherGranulesAreRefused) {
    Tables t;
    cpu::Stage1Regs r = t.regs();
    r.tcr |= 1ull << 14; // TG0 = 64 KiB
    cpu::Stage1Walk w = cpu::stage1_walk(r, 0x1000, cpu::Stage1Access::read, false,
                                         cpu::DescriptorReader{&Tables::read, &t});
    EXPECT_TRUE(w.unsupported);
    EXPECT_EQ(w.fault, cpu::Stage1Walk::Fault::translation);
}

// AArch64.TranslateAddressS1Off: with the MMU off an address is its own
// output if it fits the 40-bit physical address size (below the top byte
// when TBI applies), else a level-0 address size fault (DFSC 0).
TEST(Stage1Walk, MmuOffAddressesAboveThePhysicalSizeFault) {
    Tables t;
    cpu::Stage1Regs r = t.regs();
    r.sctlr = 0;
    auto walk = [&](uint64_t va, cpu::Stage1Access a = cpu::Stage1Access::read) {
        return cpu::stage1_walk(r, va, a, false, cpu::DescriptorReader{&Tables::read, &t});
    };
    EXPECT_EQ(walk(0xff'ffff'f000ull).fault, cpu::Stage1Walk::Fault::none);
    EXPECT_EQ(walk(0xff'ffff'f000ull).out, 0xff'ffff'f000ull);
    const cpu::Stage1Walk high = walk(1ull << 40);
    EXPECT_EQ(high.fault, cpu::Stage1Walk::Fault::address_size);
    EXPECT_EQ(high.status_code(), 0x00u);
    EXPECT_FALSE(high.mmu_on);
    EXPECT_EQ(walk(0xff00'0000'4000'0000ull).fault, cpu::Stage1Walk::Fault::address_size);
    r.tcr |= 1ull << 37; // TBI0: the top byte is a tag
    EXPECT_EQ(walk(0x5a00'0000'4000'0000ull).fault, cpu::Stage1Walk::Fault::none);
    EXPECT_EQ(walk(0x5a00'0100'4000'0000ull).fault, cpu::Stage1Walk::Fault::address_size);
    r.tcr |= 1ull << 51; // TBID0: not for instruction fetches
    EXPECT_EQ(walk(0x5a00'0000'4000'0000ull, cpu::Stage1Access::fetch).fault,
              cpu::Stage1Walk::Fault::address_size);
}

struct Stage1Run {
    cache::CoreMemoryStats core;
    uint64_t instructions = 0;
    uint64_t cycles = 0;
    std::string stats;
    double dtlb_mpki() const { return 1000.0 * double(core.dtlb.misses) / double(instructions); }
};

// The A53's walk and IPA caches off (on by default): every walk reads every descriptor.
const std::vector<std::string> kWalkCachesOff = {"tlb.walk_cache.entries=0",
                                                 "tlb.ipa_cache.entries=0"};

// The stage1 guest: `mapping` 0 off, 1 4 KiB, 2 2 MiB, 3 1 GiB; 4 MiB (twice the main TLB's reach
// in 4 KiB pages), `passes` passes; `sets` more model settings.
Stage1Run run_stage1(const std::string& config, unsigned mapping, bool model,
                     std::vector<std::string> extra = {}, unsigned passes = 4,
                     const std::vector<std::string>& sets = {}) {
    RunOptions o;
    o.config = config;
    o.image = test::workloads_dir() + "/stage1.elf";
    o.workloads_dir = test::workloads_dir();
    o.guest_params = {"0=" + std::to_string(mapping), "1=4096", "2=" + std::to_string(passes)};
    for (auto& e : extra)
        o.guest_params.push_back(e);
    o.sets = {std::string("tlb.guest_stage1=") + (model ? "1" : "0")};
    o.sets.insert(o.sets.end(), sets.begin(), sets.end());
    std::ostringstream out;
    Simulation s(o, &out);
    RunOutcome r = s.run();
    EXPECT_EQ(r.code, ExitCode::ok) << r.detail << out.str();
    EXPECT_NE(out.str().find("stage1: mapping " + std::to_string(mapping)), std::string::npos)
        << out.str();
    Stage1Run run;
    run.core = s.machine().hierarchy()->stats().cores[0];
    run.instructions = s.machine().total_instructions();
    run.cycles = s.machine().now(0);
    run.stats = s.stats_json();
    return run;
}

// What four more passes over the array add: the set-up (table building with
// the MMU off, the console) cancels out, only the loop's own accesses remain.
Stage1Run loop_only(const std::string& config, unsigned mapping, bool model = true,
                    const std::vector<std::string>& sets = {}) {
    const Stage1Run a = run_stage1(config, mapping, model, {}, 4, sets);
    const Stage1Run b = run_stage1(config, mapping, model, {}, 8, sets);
    Stage1Run d;
    d.instructions = b.instructions - a.instructions;
    d.cycles = b.cycles - a.cycles;
    d.core.dtlb.misses = b.core.dtlb.misses - a.core.dtlb.misses;
    d.core.walks = b.core.walks - a.core.walks;
    d.core.walk_reads = b.core.walk_reads - a.core.walk_reads;
    d.core.walk_cycles = b.core.walk_cycles - a.core.walk_cycles;
    return d;
}

// Drops the lines that name the host (time, MIPS) and the version.
std::string without_host(const std::string& stats) {
    std::istringstream in(stats);
    std::string line, kept;
    while (std::getline(in, line))
        if (line.find("host") == std::string::npos && line.find("mips") == std::string::npos &&
            line.find("version") == std::string::npos &&
            line.find("guest_stage1") == std::string::npos)
            kept += line + "\n";
    return kept;
}

TEST(GuestStage1, MmuOffRunsAreUnchangedByTheModel) {
    for (const char* config : {"native", "solo"}) {
        const Stage1Run off = run_stage1(config, 0, false);
        const Stage1Run on = run_stage1(config, 0, true);
        EXPECT_EQ(without_host(off.stats), without_host(on.stats)) << config;
    }
}

TEST(GuestStage1, FourKilobytePagesMissTheDtlbAndCostCyclesNatively) {
    const Stage1Run off = run_stage1("native", 0, true);
    const Stage1Run small = loop_only("native", 1);
    const Stage1Run large = loop_only("native", 2);
    const Stage1Run huge = loop_only("native", 3);
    // One page per load+store pair of about 8 instructions: 4 KiB pages miss
    // the DTLB on every page, blocks hardly ever.
    EXPECT_GT(small.dtlb_mpki(), 50.0);
    EXPECT_LT(large.dtlb_mpki(), 1.0);
    EXPECT_LT(huge.dtlb_mpki(), 1.0);
    EXPECT_EQ(off.core.walks, 0u); // no stage 2, MMU off: nothing to walk
    // Native 4 KiB walks read three stage-1 descriptors (levels 1-3).
    EXPECT_EQ(small.core.walks, 4u * 1024u);
    EXPECT_EQ(small.core.walk_reads, 3 * small.core.walks);
    EXPECT_GT(small.cycles, large.cycles + small.core.walks * 3);
}

// The nested walk's structure, with the walk caches off (they would serve most of these reads).
TEST(GuestStage1, NestedWalksTranslateEveryDescriptorByStage2) {
    // solo: stage 2 in 2 MiB blocks (2 reads), solo-col: 4 KiB pages (3 reads).
    const Stage1Run solo = loop_only("solo", 1, true, kWalkCachesOff);
    const Stage1Run col = loop_only("solo-col", 1, true, kWalkCachesOff);
    // Three stage-1 descriptors, each behind a stage-2 walk, then the output IPA's.
    EXPECT_EQ(solo.core.walks, 4u * 1024u);
    EXPECT_EQ(solo.core.walk_reads, solo.core.walks * (3 * (2 + 1) + 2));
    EXPECT_EQ(col.core.walk_reads, col.core.walks * (3 * (3 + 1) + 3));
    EXPECT_GT(col.core.walk_cycles, solo.core.walk_cycles);
    // Superpages on both stages: the entries cover 2 MiB, the DTLB hardly misses.
    const Stage1Run solo_large = loop_only("solo", 2, true, kWalkCachesOff);
    const Stage1Run col_large = loop_only("solo-col", 2, true, kWalkCachesOff);
    EXPECT_LT(solo_large.dtlb_mpki(), 1.0);
    EXPECT_GT(col_large.dtlb_mpki(), 50.0); // colored: stage 2's 4 KiB pages size the entries
    EXPECT_LT(solo_large.cycles, col_large.cycles);
    EXPECT_LT(solo_large.cycles, solo.cycles);
    // Without the model the same guest costs only stage 2 (identity VAs).
    const Stage1Run solo_unmodeled = loop_only("solo", 1, false, kWalkCachesOff);
    EXPECT_LT(solo_unmodeled.core.walk_reads, solo.core.walk_reads / 4);
    EXPECT_LT(solo_unmodeled.cycles, solo.cycles);
}

// The defaults (the A53's walk and IPA caches): a nested walk over the
// array's 4 KiB pages reads about what a native one does (its stage-1 tables
// from the walk cache, their stage-2 translations and the output IPA's from
// the IPA cache) and costs a fraction of the uncached nested walk.
TEST(GuestStage1, WalkAndIpaCachesMakeANestedWalkCostAboutANativeOne) {
    const Stage1Run native = loop_only("native", 1);
    const Stage1Run cached = loop_only("solo", 1);
    const Stage1Run uncached = loop_only("solo", 1, true, kWalkCachesOff);
    EXPECT_EQ(cached.core.walks, uncached.core.walks);
    EXPECT_LE(cached.core.walk_reads, native.core.walk_reads + native.core.walks / 8);
    EXPECT_LT(3 * cached.core.walk_cycles, uncached.core.walk_cycles);
    EXPECT_LT(cached.cycles, uncached.cycles);
}

TEST(GuestStage1, GuestTlbiDropsEntries) {
    const Stage1Run kept = run_stage1("native", 2, true);
    const Stage1Run flushed = run_stage1("native", 2, true, {"4=1"});
    // 4 MiB in 2 MiB blocks: a TLBI VMALLE1IS after each of 4 passes forces new walks.
    EXPECT_GE(flushed.core.walks, kept.core.walks + 3);
}

// Core 1 reads the array (2 MiB blocks: two entries) forever; core 0 issues
// a TLBI after each of its 8 passes: the IS form empties core 1's TLBs too.
TEST(GuestStage1, InnerShareableTlbiReachesTheOtherCores) {
    const auto core1_walks = [](const std::string& tlbi) {
        RunOptions o;
        o.config = "native";
        o.cores = 2;
        o.image = test::workloads_dir() + "/stage1.elf";
        o.workloads_dir = test::workloads_dir();
        o.guest_params = {"0=2", "1=4096", "2=8", "4=" + tlbi, "6=1"};
        o.sets = {"tlb.guest_stage1=1"};
        std::ostringstream out;
        Simulation s(o, &out);
        RunOutcome r = s.run();
        EXPECT_EQ(r.code, ExitCode::ok) << r.detail << out.str();
        return s.machine().hierarchy()->stats().cores[1].walks;
    };
    const uint64_t none = core1_walks("0");
    const uint64_t local = core1_walks("2");
    const uint64_t shareable = core1_walks("1");
    EXPECT_GT(none, 0u);
    EXPECT_EQ(local, none);
    EXPECT_GE(shareable, none + 4);
}

TEST(GuestStage1, NonGlobalPagesOfOneAsidBehaveAsGlobalOnes) {
    const Stage1Run global = run_stage1("native", 1, true);
    const Stage1Run asid = run_stage1("native", 1, true, {"5=1"});
    EXPECT_EQ(asid.core.walks, global.core.walks);
    EXPECT_EQ(asid.cycles, global.cycles);
}

// TCR_EL1.TG0 = 64 KiB as the MMU turns on: the core stops, saying why.
TEST(GuestStage1, OtherGranulesStopTheGuestWithAClearReason) {
    for (const char* config : {"native", "solo"}) {
        RunOptions o;
        o.config = config;
        o.image = test::workloads_dir() + "/stage1.elf";
        o.workloads_dir = test::workloads_dir();
        o.guest_params = {"0=1", "7=1"};
        o.sets = {"tlb.guest_stage1=1"};
        std::ostringstream out;
        Simulation s(o, &out);
        RunOutcome r = s.run();
        EXPECT_EQ(r.code, ExitCode::guest_fault) << config;
        EXPECT_NE(r.detail.find("granule is not 4 KiB (TCR_EL1.TG0/TG1)"), std::string::npos)
            << r.detail;
    }
}

TEST(GuestStage1, TwoRunsGiveIdenticalStatistics) {
    const Stage1Run a = run_stage1("solo-col", 1, true);
    const Stage1Run b = run_stage1("solo-col", 1, true);
    EXPECT_EQ(without_host(a.stats), without_host(b.stats));
}

} // namespace
} // namespace sim

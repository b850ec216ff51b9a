// TLBs: superpage reach, walker descriptor reads charged through the caches.
#include "sim/cache/hierarchy.hpp"
#include "sim/cache/tlb.hpp"

#include "one_core.h"

#include <gtest/gtest.h>

namespace sim::cache {
namespace {

// Identity mapping with one page size; reads `levels` descriptors at fixed PAs
// (one table page per level), all but the last intermediate.
struct IdentityWalker {
    unsigned page_shift = kPageShift4K;
    unsigned levels = 4;
    std::uint64_t table_base = 0x7000'0000;
    unsigned calls = 0;

    void operator()(std::uint64_t address, AccessKind /*kind*/, WalkResult& out) {
        ++calls;
        for (unsigned level = 0; level < levels; ++level) {
            const unsigned shift = 39 - 9 * level;
            const std::uint64_t index = (address >> shift) & 511;
            out.add_read(table_base + level * 4096 + index * 8, level + 1 < levels);
        }
        out.pa = address;
        out.page_shift = page_shift;
    }
};

using test::one_core;

struct SweepCounts {
    std::uint64_t micro_misses;
    std::uint64_t walks;
};

SweepCounts sweep(unsigned page_shift, std::uint64_t region, int passes) {
    Hierarchy h(one_core());
    IdentityWalker walker{page_shift, page_shift == kPageShift4K ? 4u : 3u};
    std::uint64_t now = 0;
    for (int pass = 0; pass < passes; ++pass) {
        for (std::uint64_t offset = 0; offset < region; offset += 4096) {
            const Translation t =
                h.translate(0, 0x4000'0000 + offset, AccessKind::read, now, WalkerRef(walker));
            EXPECT_EQ(t.pa, 0x4000'0000 + offset);
            now += 1 + t.cycles;
        }
    }
    const CoreMemoryStats stats = h.stats().cores[0];
    EXPECT_EQ(stats.walks, walker.calls);
    return {stats.dtlb.misses, stats.walks};
}

TEST(Tlb, TwoMegabytePagesCover512TimesMore) {
    const std::uint64_t region = 64ull << 20;
    const SweepCounts small = sweep(kPageShift4K, region, 1);
    const SweepCounts large = sweep(kPageShift2M, region, 1);
    EXPECT_EQ(small.walks, region >> 12);
    EXPECT_EQ(large.walks, region >> 21);
    EXPECT_EQ(small.walks, 512 * large.walks);
    EXPECT_EQ(small.micro_misses, 512 * large.micro_misses);
}

TEST(Tlb, MainTlbReachIs512SmallPages) {
    // 2 MiB of 4 KiB pages fits the 512-entry main TLB: the second pass never walks.
    EXPECT_EQ(sweep(kPageShift4K, 2ull << 20, 2).walks, 512u);
    // 4 MiB does not (LRU, sequential): every page walks again.
    EXPECT_EQ(sweep(kPageShift4K, 4ull << 20, 2).walks, 2u * 1024);
    // The same 4 MiB in 2 MiB pages: two walks in all.
    EXPECT_EQ(sweep(kPageShift2M, 4ull << 20, 2).walks, 2u);
}

TEST(Tlb, MixedPageSizesCoexist) {
    Tlb tlb(16, 4);
    tlb.insert(0x4000'0000, 0x8000'0000, kPageShift2M);
    tlb.insert(0x4020'0000, 0x9000'0000, kPageShift4K);
    tlb.insert(0x8000'0000, 0xC000'0000, kPageShift1G);
    std::uint64_t pa = 0;
    EXPECT_EQ(tlb.lookup(0x4012'3456, pa), kPageShift2M);
    EXPECT_EQ(pa, 0x8012'3456u);
    EXPECT_EQ(tlb.lookup(0x4020'0ABC, pa), kPageShift4K);
    EXPECT_EQ(pa, 0x9000'0ABCu);
    EXPECT_EQ(tlb.lookup(0x4020'1000, pa), 0u); // next 4 KiB page: absent
    EXPECT_EQ(tlb.lookup(0xBFFF'FFF0, pa), kPageShift1G);
    EXPECT_EQ(pa, 0xFFFF'FFF0u);
    tlb.flush();
    EXPECT_EQ(tlb.lookup(0x4012'3456, pa), 0u);
}

TEST(Tlb, WalkDescriptorReadsAreChargedThroughTheCaches) {
    const HierarchyConfig config = one_core();
    Hierarchy h(config);
    IdentityWalker walker;
    const Translation cold = h.translate(0, 0x4000'1000, AccessKind::read, 0, WalkerRef(walker));
    const CoreMemoryStats after_cold = h.stats().cores[0];
    EXPECT_EQ(after_cold.walk_reads, 4u);
    EXPECT_EQ(after_cold.l1d.accesses, 4u);
    EXPECT_EQ(after_cold.l1d.misses, 4u); // four different table pages
    EXPECT_EQ(after_cold.l2.misses, 4u);
    const std::uint32_t refill = config.l2.latency + config.mem.latency;
    EXPECT_EQ(cold.cycles, config.tlb.l2_latency + 4 * refill);
    EXPECT_EQ(after_cold.walk_cycles, cold.cycles);

    // Same walk again: the descriptors are now L1 D hits.
    h.flush_tlbs(0);
    const Translation warm = h.translate(0, 0x4000'1000, AccessKind::read, 1000, WalkerRef(walker));
    EXPECT_EQ(warm.cycles, config.tlb.l2_latency + 4 * config.l1d.latency);

    // Micro-TLB hit: free. Main-TLB hit from the other micro-TLB: its latency only.
    EXPECT_EQ(h.translate(0, 0x4000'1008, AccessKind::read, 2000, WalkerRef(walker)).cycles, 0u);
    EXPECT_EQ(h.translate(0, 0x4000'1008, AccessKind::fetch, 2000, WalkerRef(walker)).cycles,
              config.tlb.l2_latency);
    EXPECT_EQ(walker.calls, 2u);
}

TEST(Tlb, WalkCacheServesIntermediateDescriptors) {
    HierarchyConfig config = one_core();
    config.tlb.walk_cache_entries = 64;
    Hierarchy h(config);
    IdentityWalker walker;
    h.translate(0, 0x4000'1000, AccessKind::read, 0, WalkerRef(walker));
    h.flush_tlbs(0); // also empties the walk cache
    h.translate(0, 0x4000'1000, AccessKind::read, 1000, WalkerRef(walker));
    // Next page: the three upper levels come from the walk cache, the leaf from L1 D.
    const Translation next = h.translate(0, 0x4000'2000, AccessKind::read, 2000, WalkerRef(walker));
    EXPECT_EQ(next.cycles,
              config.tlb.l2_latency + 3 * config.tlb.walk_cache_latency + config.l1d.latency);
    EXPECT_EQ(h.stats().cores[0].walk_cache_hits, 3u);
}

TEST(Tlb, NestedWalkOf24ReadsAndFaults) {
    Hierarchy h(one_core());
    auto nested = [](std::uint64_t address, AccessKind, WalkResult& out) {
        for (unsigned i = 0; i < kMaxWalkReads + 2; ++i) { // extra reads are dropped
            out.add_read(0x7100'0000 + i * 64, i + 1 < kMaxWalkReads);
        }
        out.pa = address;
        out.fault = address >= 0x9000'0000;
    };
    const Translation ok = h.translate(0, 0x4000'0000, AccessKind::write, 0, WalkerRef(nested));
    EXPECT_FALSE(ok.fault);
    EXPECT_EQ(h.stats().cores[0].walk_reads, kMaxWalkReads);
    const Translation bad = h.translate(0, 0x9000'0000, AccessKind::read, 0, WalkerRef(nested));
    EXPECT_TRUE(bad.fault);
    EXPECT_GT(bad.cycles, 0u);
    // A fault caches nothing: the same address walks again.
    h.translate(0, 0x9000'0000, AccessKind::read, 0, WalkerRef(nested));
    EXPECT_EQ(h.stats().cores[0].walks, 3u);
}

// A walker whose entries are global or not (the leaf's nG bit).
struct TaggedWalker {
    bool global = false;
    unsigned calls = 0;
    void operator()(std::uint64_t address, AccessKind, WalkResult& out) {
        ++calls;
        out.add_read(0x7000'0000 + (address >> 12) % 512 * 8, false);
        out.pa = address + 0x1000'0000;
        out.global = global;
    }
};

TEST(Tlb, AsidSwitchKeepsEachAsidsEntries) {
    Hierarchy h(one_core());
    TaggedWalker w;
    h.set_asid(0, 1);
    h.translate(0, 0x4000'0000, AccessKind::read, 0, WalkerRef(w));
    EXPECT_EQ(w.calls, 1u);
    h.set_asid(0, 2); // another process: the entry is not its
    EXPECT_EQ(h.translate(0, 0x4000'0000, AccessKind::read, 10, WalkerRef(w)).pa, 0x5000'0000u);
    EXPECT_EQ(w.calls, 2u);
    h.set_asid(0, 1); // back: both entries are still there
    h.translate(0, 0x4000'0000, AccessKind::read, 20, WalkerRef(w));
    h.set_asid(0, 2);
    h.translate(0, 0x4000'0000, AccessKind::read, 30, WalkerRef(w));
    EXPECT_EQ(w.calls, 2u);
}

TEST(Tlb, GlobalEntriesMatchEveryAsid) {
    Hierarchy h(one_core());
    TaggedWalker w{true};
    h.set_asid(0, 1);
    h.translate(0, 0x4000'0000, AccessKind::read, 0, WalkerRef(w));
    h.set_asid(0, 7);
    h.translate(0, 0x4000'0000, AccessKind::read, 10, WalkerRef(w));
    h.translate(0, 0x4000'0000, AccessKind::fetch, 20, WalkerRef(w)); // main TLB hit
    EXPECT_EQ(w.calls, 1u);
    h.invalidate_tlb_asid(0, 7); // by ASID: global entries stay
    h.translate(0, 0x4000'0000, AccessKind::read, 30, WalkerRef(w));
    EXPECT_EQ(w.calls, 1u);
    h.invalidate_tlb_address(0, 0x4000'0123, 3, false); // by VA: global entries go
    h.translate(0, 0x4000'0000, AccessKind::read, 40, WalkerRef(w));
    EXPECT_EQ(w.calls, 2u);
}

TEST(Tlb, TlbiByVaByAsidAndAll) {
    Hierarchy h(one_core());
    TaggedWalker w;
    const auto fill = [&](std::uint16_t asid, std::uint64_t va) {
        h.set_asid(0, asid);
        h.translate(0, va, AccessKind::read, 0, WalkerRef(w));
    };
    fill(1, 0x1000);
    fill(1, 0x2000);
    fill(2, 0x1000);
    const unsigned filled = w.calls;
    // By VA of ASID 1: only that page of that ASID.
    h.invalidate_tlb_address(0, 0x1000, 1, false);
    fill(2, 0x1000);
    fill(1, 0x2000);
    EXPECT_EQ(w.calls, filled);
    fill(1, 0x1000);
    EXPECT_EQ(w.calls, filled + 1);
    // By VA, all ASIDs.
    h.invalidate_tlb_address(0, 0x1000, 0, true);
    fill(1, 0x1000);
    fill(2, 0x1000);
    EXPECT_EQ(w.calls, filled + 3);
    // By ASID: ASID 1's pages go, ASID 2's stay.
    h.invalidate_tlb_asid(0, 1);
    fill(2, 0x1000);
    EXPECT_EQ(w.calls, filled + 3);
    fill(1, 0x2000);
    EXPECT_EQ(w.calls, filled + 4);
    // All.
    h.flush_tlbs(0);
    fill(2, 0x1000);
    EXPECT_EQ(w.calls, filled + 5);
}

// A nested walk as stage1_timing.cpp records it (4 KiB guest pages, 4
// stage-1 levels, hv's stage 2 in 2 MiB blocks): before each stage-1
// descriptor the stage-2 translation of its IPA (a table read, then the
// block descriptor), and at the end the output IPA's. 4 x (2 + 1) + 2 = 14
// reads. Stage 2 maps IPA = PA, its tables at 0x7800_0000.
struct NestedWalker {
    unsigned calls = 0;
    static void stage2(std::uint64_t ipa, WalkResult& out) {
        out.add_read(0x7800'0000 + ((ipa >> 30) & 511) * 8, true, true);
        out.add_read(0x7800'1000 + ((ipa >> 21) & 511) * 8, false, true);
    }
    void operator()(std::uint64_t address, AccessKind, WalkResult& out) {
        ++calls;
        for (unsigned level = 0; level < 4; ++level) {
            const std::uint64_t table = 0x7000'0000 + level * 4096;
            const std::uint64_t descriptor = table + ((address >> (39 - 9 * level)) & 511) * 8;
            stage2(descriptor, out);
            out.add_read(descriptor, level < 3);
        }
        stage2(address, out);
        out.pa = address;
    }
};

struct NestedCounts {
    std::uint64_t reads, walk_cache_hits, ipa_cache_hits, cycles;
};

// Two walks, to neighbouring pages (the second after a main-TLB flush would
// be the same walk; a neighbour keeps the caches' contents): the second's counts.
NestedCounts second_nested_walk(unsigned walk_cache, unsigned ipa_cache) {
    HierarchyConfig config = one_core();
    config.tlb.walk_cache_entries = walk_cache;
    config.tlb.ipa_cache_entries = ipa_cache;
    Hierarchy h(config);
    NestedWalker walker;
    h.translate(0, 0x4000'1000, AccessKind::read, 0, WalkerRef(walker));
    const CoreMemoryStats before = h.stats().cores[0];
    const Translation t = h.translate(0, 0x4000'2000, AccessKind::read, 1000, WalkerRef(walker));
    const CoreMemoryStats after = h.stats().cores[0];
    EXPECT_EQ(t.pa, 0x4000'2000u);
    EXPECT_EQ(walker.calls, 2u);
    return {after.walk_reads - before.walk_reads, after.walk_cache_hits - before.walk_cache_hits,
            after.ipa_cache_hits - before.ipa_cache_hits, t.cycles};
}

TEST(Tlb, IpaCacheAnswersANestedWalksStage2Translations) {
    const HierarchyConfig config = one_core();
    const unsigned l1 = config.l1d.latency, wc = config.tlb.walk_cache_latency,
                   ipa = config.tlb.ipa_cache_latency, main = config.tlb.l2_latency;
    // Both off (the model before issue 21's calibration): all 14 descriptors
    // are read again, from the L1 D.
    const NestedCounts off = second_nested_walk(0, 0);
    EXPECT_EQ(off.reads, 14u);
    EXPECT_EQ(off.ipa_cache_hits, 0u);
    EXPECT_EQ(off.cycles, main + 14 * l1);
    // The IPA cache alone: the five stage-2 translations hit, the four
    // stage-1 descriptors are read.
    const NestedCounts ipa_only = second_nested_walk(0, 64);
    EXPECT_EQ(ipa_only.reads, 4u);
    EXPECT_EQ(ipa_only.ipa_cache_hits, 5u);
    EXPECT_EQ(ipa_only.cycles, main + 5 * ipa + 4 * l1);
    // With the walk cache (the A53's pair, the defaults): the three stage-1 table
    // descriptors come from it without their stage-2 translations; the
    // leaf's table and the output IPA from the IPA cache; the leaf is read.
    const NestedCounts both = second_nested_walk(64, 64);
    EXPECT_EQ(both.walk_cache_hits, 3u);
    EXPECT_EQ(both.ipa_cache_hits, 2u);
    EXPECT_EQ(both.reads, 3u + 1u); // walk-cache hits count as reads, as without the IPA cache
    EXPECT_EQ(both.cycles, main + 3 * wc + 2 * ipa + l1);
    // The walk cache alone caches single descriptors: the stage-2 block
    // descriptors (final) are read every time.
    const NestedCounts walk_only = second_nested_walk(64, 0);
    EXPECT_EQ(walk_only.reads, 14u);
    EXPECT_EQ(walk_only.walk_cache_hits, 8u); // 3 stage-1 tables + 5 stage-2 tables
    EXPECT_EQ(walk_only.cycles, main + 8 * wc + 6 * l1);
}

TEST(Tlb, IpaCacheOutlivesAGuestTlbiNotAStage2Flush) {
    HierarchyConfig config = one_core();
    config.tlb.ipa_cache_entries = 64;
    Hierarchy h(config);
    NestedWalker walker;
    auto hits = [&h] { return h.stats().cores[0].ipa_cache_hits; };
    // Cold: the four table pages share one 2 MiB block, so three of the five
    // stage-2 translations already hit.
    h.translate(0, 0x4000'1000, AccessKind::read, 0, WalkerRef(walker));
    EXPECT_EQ(hits(), 3u);
    // A guest's TLBI by VA changes stage 1 only: the IPA cache keeps stage 2.
    h.invalidate_tlb_address(0, 0x4000'1000, 0, true);
    h.translate(0, 0x4000'1000, AccessKind::read, 100, WalkerRef(walker));
    EXPECT_EQ(walker.calls, 2u);
    EXPECT_EQ(hits(), 3u + 5u);
    // hv's flush (stage 2 changed) empties it: cold again.
    h.flush_tlbs(0);
    h.translate(0, 0x4000'1000, AccessKind::read, 200, WalkerRef(walker));
    EXPECT_EQ(hits(), 3u + 5u + 3u);
    EXPECT_TRUE(h.stats().ipa_cache);
    HierarchyConfig without = one_core();
    without.tlb.ipa_cache_entries = 0;
    Hierarchy off(without);
    EXPECT_FALSE(off.stats().ipa_cache);
}

// Stage 2 in 4 KiB pages, as hv maps a colored VM: three levels, a table per
// GiB and per 2 MiB of IPA (IPA = PA).
void colored_stage2(std::uint64_t ipa, WalkResult& out) {
    out.add_read(0x7800'0000 + ((ipa >> 30) & 511) * 8, true, true);
    out.add_read(0x7801'0000 + ((ipa >> 30) & 15) * 4096 + ((ipa >> 21) & 511) * 8, true, true);
    out.add_read(0x7900'0000 + ((ipa >> 21) & 0xfff) * 4096 + ((ipa >> 12) & 511) * 8, false, true);
}

// A Linux guest's nested walk under coloring: 3 stage-1 levels (39-bit VA),
// each descriptor's IPA translated first, then the output IPA's: 4 x 3 + 3 = 15 reads.
struct ColoredNestedWalker {
    void operator()(std::uint64_t address, AccessKind, WalkResult& out) {
        for (unsigned level = 1; level < 4; ++level) {
            const std::uint64_t table = 0x7000'0000 + level * 4096;
            const std::uint64_t descriptor = table + ((address >> (39 - 9 * level)) & 511) * 8;
            colored_stage2(descriptor, out);
            out.add_read(descriptor, level < 3);
        }
        colored_stage2(address, out);
        out.pa = address;
    }
};

// hv's own walk of that stage 2 (a bare-metal guest's, report_walk).
struct ColoredStage2Walker {
    void operator()(std::uint64_t address, AccessKind, WalkResult& out) {
        colored_stage2(address, out);
        out.pa = address;
    }
};

struct WalkCounts {
    std::uint64_t reads, walk_cache_hits, ipa_cache_hits, cycles;
};

// The second of two walks to neighbouring 4 KiB pages, with the walk cache
// keeping stage-2 tables (1, the model before) or stage 1 only (0, the A53's).
template <class Walker> WalkCounts second_colored_walk(unsigned walk_cache_stage2) {
    HierarchyConfig config = one_core();
    config.tlb.walk_cache_stage2 = walk_cache_stage2;
    Hierarchy h(config);
    Walker walker;
    h.translate(0, 0x4000'1000, AccessKind::read, 0, WalkerRef(walker));
    const CoreMemoryStats before = h.stats().cores[0];
    const Translation t = h.translate(0, 0x4000'2000, AccessKind::read, 1000, WalkerRef(walker));
    const CoreMemoryStats after = h.stats().cores[0];
    EXPECT_EQ(t.pa, 0x4000'2000u);
    return {after.walk_reads - before.walk_reads, after.walk_cache_hits - before.walk_cache_hits,
            after.ipa_cache_hits - before.ipa_cache_hits, t.cycles};
}

// Cortex-A53 TRM 5.2.4: the walk cache holds the result of a stage-1 walk up
// to its last level; stage-2 translations are kept by the IPA cache only
// (5.2.3). The output IPA's page is new, so its stage-2 translation misses
// the IPA cache: its two table descriptors come from the walk cache in the
// model before, and are read on the A53.
TEST(Tlb, WalkCacheHoldsStage1OnlyAsOnTheA53) {
    const HierarchyConfig config = one_core();
    const unsigned l1 = config.l1d.latency, wc = config.tlb.walk_cache_latency,
                   ipa = config.tlb.ipa_cache_latency, main = config.tlb.l2_latency;
    EXPECT_EQ(config.tlb.walk_cache_stage2, 1u); // the default keeps today's figures
    // Both: the two stage-1 tables from the walk cache (their stage-2
    // translations skipped), the leaf's table page from the IPA cache, the
    // leaf read; then the output IPA's stage-2 tables from the walk cache.
    const WalkCounts before = second_colored_walk<ColoredNestedWalker>(1);
    EXPECT_EQ(before.walk_cache_hits, 4u);
    EXPECT_EQ(before.ipa_cache_hits, 1u);
    EXPECT_EQ(before.cycles, main + 4 * wc + ipa + 2 * l1);
    const WalkCounts a53 = second_colored_walk<ColoredNestedWalker>(0);
    EXPECT_EQ(a53.walk_cache_hits, 2u);
    EXPECT_EQ(a53.ipa_cache_hits, 1u);
    EXPECT_EQ(a53.reads, 2u + 1u + 3u);
    EXPECT_EQ(a53.cycles, main + 2 * wc + ipa + 4 * l1);
}

// A stage-2-only walk (a guest whose own MMU the model does not walk): the
// model before keeps its table descriptors in the walk cache and never asks
// the IPA cache; the A53's setting asks the IPA cache for the whole
// translation, as for any EL1/EL0 stage-2 translation (TRM 5.2.3).
TEST(Tlb, Stage2OnlyWalksAskTheIpaCacheWhenTheWalkCacheHoldsStage1Only) {
    const HierarchyConfig config = one_core();
    const unsigned l1 = config.l1d.latency, wc = config.tlb.walk_cache_latency,
                   ipa = config.tlb.ipa_cache_latency, main = config.tlb.l2_latency;
    const WalkCounts before = second_colored_walk<ColoredStage2Walker>(1);
    EXPECT_EQ(before.walk_cache_hits, 2u);
    EXPECT_EQ(before.ipa_cache_hits, 0u);
    EXPECT_EQ(before.cycles, main + 2 * wc + l1);
    const WalkCounts a53 = second_colored_walk<ColoredStage2Walker>(0);
    EXPECT_EQ(a53.walk_cache_hits, 0u);
    EXPECT_EQ(a53.ipa_cache_hits, 0u); // a new page
    EXPECT_EQ(a53.reads, 3u);
    EXPECT_EQ(a53.cycles, main + 3 * l1);
    // A guest's TLBI keeps the IPA cache: the page's translation is found whole.
    HierarchyConfig a53_config = one_core();
    a53_config.tlb.walk_cache_stage2 = 0;
    Hierarchy h(a53_config);
    ColoredStage2Walker walker;
    h.translate(0, 0x4000'1000, AccessKind::read, 0, WalkerRef(walker));
    h.invalidate_tlb_address(0, 0x4000'1000, 0, true);
    const Translation t = h.translate(0, 0x4000'1000, AccessKind::read, 100, WalkerRef(walker));
    EXPECT_EQ(h.stats().cores[0].ipa_cache_hits, 1u);
    EXPECT_EQ(t.cycles, main + ipa);
}

TEST(Tlb, WalkCacheStage2SettingIsZeroOrOne) {
    HierarchyConfig config = one_core();
    apply_setting(config, "tlb.walk_cache.stage2=0");
    EXPECT_EQ(config.tlb.walk_cache_stage2, 0u);
    apply_setting(config, "tlb.walk_cache.stage2=2");
    EXPECT_THROW(validate(config), std::invalid_argument);
}

// One 2 MiB block (a stage-2 block under an identity stage 1).
struct BlockWalker {
    unsigned calls = 0;
    void operator()(std::uint64_t address, AccessKind, WalkResult& out) {
        ++calls;
        out.add_read(0x7800'0000 + ((address >> 30) & 511) * 8, true, true);
        out.add_read(0x7800'1000 + ((address >> 21) & 511) * 8, false, true);
        out.pa = address;
        out.page_shift = kPageShift2M;
    }
};

// Measured on the Juno board's Cortex-A53 (github.com/lgeek/arm_tlb_huge_pages):
// the data micro-TLB keeps a 4 KiB piece of a huge page, the instruction
// micro-TLB the whole page. Twelve pages of one 2 MiB block: one walk either
// way; with 0 every new page of data misses the micro-TLB and hits the main TLB.
TEST(Tlb, DataMicroTlbKeeps4KOfABlockAsMeasuredOnTheA53) {
    for (unsigned huge : {1u, 0u}) {
        HierarchyConfig config = one_core();
        config.tlb.l1d_huge_pages = huge;
        Hierarchy h(config);
        BlockWalker walker;
        std::uint64_t cycles = 0;
        for (unsigned page = 0; page < 12; ++page) {
            const std::uint64_t va = 0x4000'0000 + page * 4096;
            cycles += h.translate(0, va, AccessKind::read, page * 100, WalkerRef(walker)).cycles;
            const Translation fetch =
                h.translate(0, va + 0x10'0000, AccessKind::fetch, page * 100, WalkerRef(walker));
            EXPECT_EQ(fetch.pa, va + 0x10'0000);
        }
        const MemoryStats stats = h.stats(); // a copy: stats() returns by value
        const CoreMemoryStats& s = stats.cores[0];
        EXPECT_EQ(walker.calls, 1u); // the main TLB keeps the block
        EXPECT_EQ(s.itlb.misses, 1u);
        EXPECT_EQ(s.dtlb.misses, huge != 0 ? 1u : 12u);
        const std::uint64_t walk = s.walk_cycles;
        EXPECT_EQ(cycles, huge != 0 ? walk : walk + 11 * config.tlb.l2_latency);
    }
}

} // namespace
} // namespace sim::cache

// The Cortex-A53 cache policies that can be switched one by one (config.hpp):
// instruction allocation in the L2, the L1 D stride prefetcher, write
// streaming, the LFSR replacement. Each test checks the policy against its
// alternative, so it fails if the two behaved alike.
#include "sim/cache/cache.hpp"
#include "sim/cache/hierarchy.hpp"

#include "one_core.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace sim::cache {
namespace {

constexpr std::uint64_t kBase = 0x4000'0000;
using test::kLine;

using test::one_core;

std::uint64_t line_of(std::uint64_t pa) {
    return pa / kLine;
}

std::uint64_t stat(const Hierarchy& h, const std::string& key) {
    for (const StatEntry& e : flatten(h.stats())) {
        if (e.key == key) {
            return e.value;
        }
    }
    ADD_FAILURE() << "no stats key " << key;
    return 0;
}

// --- L2 allocation of instructions (TRM 7.6) ---------------------------------

TEST(InstAllocation, FetchAllocatesInTheL2ByDefault) {
    Hierarchy h(one_core());
    h.fetch_block(0, kBase, 16, 0);
    EXPECT_TRUE(h.l2().contains(line_of(kBase))); // inclusive on fetch
}

TEST(InstAllocation, OnEvictionLeavesTheL2WithoutTheLineUntilTheL1IDropsIt) {
    HierarchyConfig config = one_core();
    config.l2_inst_allocation = L2Allocation::on_l1_eviction;
    config.l1i.replacement = Replacement::lru;
    Hierarchy h(config);
    h.fetch_block(0, kBase, 16, 0);
    EXPECT_FALSE(h.l2().contains(line_of(kBase)));
    // The 2-way L1 I has 16 KiB ways: two more lines of the same set evict it.
    h.fetch_block(0, kBase + 16 * 1024, 16, 100);
    h.fetch_block(0, kBase + 32 * 1024, 16, 200);
    EXPECT_FALSE(h.l1i(0).contains(line_of(kBase)));
    EXPECT_TRUE(h.l2().contains(line_of(kBase)));
}

// Data (the default since the memory model): a first fetch leaves the L2
// without the line, the L1 D's victim enters it; on_fill allocates at once.
TEST(DataAllocation, ExclusiveUntilEvictedAgainstOnFill) {
    for (const L2Allocation policy : {L2Allocation::on_l1_eviction, L2Allocation::on_fill}) {
        HierarchyConfig config = one_core();
        config.l2_allocation = policy;
        config.l1d.replacement = Replacement::lru;
        Hierarchy h(config);
        h.access_data(0, kBase, 8, false, 0);
        EXPECT_EQ(h.l2().contains(line_of(kBase)), policy == L2Allocation::on_fill)
            << to_string(policy);
        for (std::uint64_t k = 1; k <= 4; ++k) { // 4-way L1 D, 8 KiB ways
            h.access_data(0, kBase + k * 8192, 8, false, 100 * k);
        }
        EXPECT_FALSE(h.l1d(0).contains(line_of(kBase)));
        EXPECT_TRUE(h.l2().contains(line_of(kBase))) << to_string(policy);
    }
}

// --- The L1 D stride prefetcher (TRM 6.6.2) -----------------------------------

// Loads one word of each line in `lines` (line indexes from kBase), 1000
// cycles apart (every refill has arrived before the next access).
std::uint64_t load_lines(Hierarchy& h, std::initializer_list<std::uint64_t> lines,
                         std::uint64_t& now) {
    std::uint64_t stall = 0;
    for (const std::uint64_t line : lines) {
        stall += h.access_data(0, kBase + line * kLine, 8, false, now);
        now += 1000;
    }
    return stall;
}

TEST(Prefetcher, ThreeMissesAtOneStrideBringTheNextLinesIntoTheL1) {
    for (const unsigned degree : {0u, 2u}) {
        HierarchyConfig config = one_core();
        config.l1d_prefetch.degree = degree;
        config.l1d_prefetch.streams = 1; // the whole degree for the one scan
        Hierarchy h(config);
        std::uint64_t now = 0;
        load_lines(h, {0, 2, 4}, now); // stride 2 lines
        EXPECT_EQ(h.l1d(0).contains(line_of(kBase) + 6), degree != 0) << degree;
        EXPECT_EQ(h.l1d(0).contains(line_of(kBase) + 8), degree != 0) << degree;
        EXPECT_FALSE(h.l1d(0).contains(line_of(kBase) + 10)) << "only `degree` lines ahead";
        // The prefetched line, used after its refill arrived, costs nothing.
        EXPECT_EQ(load_lines(h, {6}, now) == 0, degree != 0) << degree;
        EXPECT_EQ(stat(h, "cores[0].l1d.prefetches"), degree != 0 ? 3u : 0u) << "topped up";
        EXPECT_EQ(stat(h, "cores[0].l1d.prefetch_hits"), degree != 0 ? 1u : 0u);
    }
}

TEST(Prefetcher, StridesBeyondFourLinesAndTwoMissesDoNotTrigger) {
    HierarchyConfig config = one_core();
    config.l1d_prefetch.degree = 2;
    Hierarchy h(config);
    std::uint64_t now = 0;
    load_lines(h, {0, 5, 10, 15}, now); // stride 5: outside +-4 lines
    EXPECT_FALSE(h.l1d(0).contains(line_of(kBase) + 20));
    load_lines(h, {30, 31}, now); // two misses: one stride seen once
    EXPECT_FALSE(h.l1d(0).contains(line_of(kBase) + 32));
    EXPECT_EQ(stat(h, "cores[0].l1d.prefetches"), 0u);
}

TEST(Prefetcher, ALateUseWaitsForTheRestOfTheRefill) {
    HierarchyConfig config = one_core();
    config.l1d_prefetch.degree = 1;
    Hierarchy h(config);
    std::uint64_t now = 0;
    load_lines(h, {0, 1, 2}, now); // the third miss (at now - 1000) prefetched line 3
    const std::uint64_t issued = now - 1000;
    const std::uint32_t miss = config.l2.latency + config.mem.latency - config.l1d.latency;
    // Used 10 cycles after the prefetch left: it waits for the rest only. The
    // third load's own refill took `miss` cycles of the core first.
    const std::uint64_t at = issued + miss + 10;
    const std::uint32_t wait = h.access_data(0, kBase + 3 * kLine, 8, false, at);
    EXPECT_GT(wait, 0u);
    EXPECT_LT(wait, miss);
}

// Two scans interleaved (a partition's two ends, the interference loop beside
// a copy): with one stream each miss breaks the other's training and nothing
// is prefetched; with the A53's two streams (CPUACTLR_EL1.NPFSTRM) both are.
TEST(Prefetcher, TwoStreamsFollowTwoInterleavedScans) {
    for (const unsigned streams : {1u, 2u}) {
        HierarchyConfig config = one_core();
        config.l1d_prefetch.degree = 4;
        config.l1d_prefetch.streams = streams;
        Hierarchy h(config);
        std::uint64_t now = 0;
        load_lines(h, {0, 200, 1, 199, 2, 198}, now); // up by 1, down by 1
        EXPECT_EQ(h.l1d(0).contains(line_of(kBase) + 3), streams == 2) << streams;
        EXPECT_EQ(h.l1d(0).contains(line_of(kBase) + 197), streams == 2) << streams;
        EXPECT_EQ(stat(h, "cores[0].l1d.prefetches") != 0, streams == 2) << streams;
        // The next line of each scan costs nothing with two streams.
        EXPECT_EQ(load_lines(h, {3, 197}, now) == 0, streams == 2) << streams;
    }
}

// The degree bounds the prefetches in flight of all streams together
// (CPUACTLR_EL1.L1PCTL counts the L1 memory system's); each stream takes at
// most its share, degree / streams rounded up: with degree 2 and two streams
// each scan keeps one line in flight, not two.
TEST(Prefetcher, TheDegreeIsSharedByTheStreams) {
    HierarchyConfig config = one_core();
    config.l1d_prefetch.degree = 2;
    config.l1d_prefetch.streams = 2;
    Hierarchy h(config);
    std::uint64_t now = 0;
    load_lines(h, {0, 200, 1, 199, 2, 198}, now);
    EXPECT_EQ(stat(h, "cores[0].l1d.prefetches"), 2u);
    EXPECT_TRUE(h.l1d(0).contains(line_of(kBase) + 3));
    EXPECT_FALSE(h.l1d(0).contains(line_of(kBase) + 4));
    EXPECT_TRUE(h.l1d(0).contains(line_of(kBase) + 197));
}

TEST(Prefetcher, StreamsOutsideOneToFourAreRejected) {
    for (const unsigned streams : {0u, 5u}) {
        HierarchyConfig config = one_core();
        config.l1d_prefetch.streams = streams;
        EXPECT_THROW(Hierarchy{config}, std::invalid_argument) << streams;
    }
    HierarchyConfig config = one_core();
    apply_setting(config, "l1d.prefetch.streams=2");
    EXPECT_EQ(config.l1d_prefetch.streams, 2u);
}

// --- Write streaming (TRM chapter 6, read allocate mode) ----------------------

// Writes every byte of `count` lines from `first`, 8 bytes per store.
void write_lines(Hierarchy& h, std::uint64_t first, std::uint64_t count, std::uint64_t& now) {
    for (std::uint64_t line = first; line < first + count; ++line) {
        for (std::uint64_t offset = 0; offset < kLine; offset += 8) {
            now += 1 + h.access_data(0, kBase + line * kLine + offset, 8, true, now);
        }
    }
}

TEST(WriteStreaming, FullLineWritesStopAllocatingAfterTheThresholds) {
    for (const unsigned enabled : {0u, 1u}) {
        HierarchyConfig config = one_core();
        config.l1d_prefetch.degree = 0; // write streaming alone: no prefetched lines to hit
        config.write_streaming.enabled = enabled;
        config.write_streaming.l1_lines = 4;
        config.write_streaming.l2_lines = 8;
        Hierarchy h(config);
        std::uint64_t now = 0;
        write_lines(h, 0, 16, now);
        // The first four linefills happen either way.
        for (std::uint64_t line = 0; line < 4; ++line) {
            EXPECT_TRUE(h.l1d(0).contains(line_of(kBase) + line)) << line;
        }
        // From the fifth full line on, streaming allocates nothing in the L1 D ...
        for (std::uint64_t line = 4; line < 16; ++line) {
            EXPECT_EQ(h.l1d(0).contains(line_of(kBase) + line), enabled == 0) << line;
        }
        // ... lines 5-8 go to the L2, from the ninth on straight to memory.
        EXPECT_EQ(h.l2().contains(line_of(kBase) + 5), enabled != 0);
        EXPECT_FALSE(h.l2().contains(line_of(kBase) + 12));
        EXPECT_EQ(stat(h, "cores[0].l1d.streamed_lines"), enabled != 0 ? 12u : 0u);
        // No linefill read memory for a streamed line.
        EXPECT_EQ(stat(h, "mem.reads"), enabled != 0 ? 4u : 16u);
        EXPECT_EQ(stat(h, "mem.writebacks"), enabled != 0 ? 8u : 0u);
    }
}

TEST(WriteStreaming, PartialLineWritesNeverStream) {
    // The interference loop's pattern: one 8-byte store per line.
    HierarchyConfig config = one_core();
    config.write_streaming.enabled = 1;
    config.write_streaming.l1_lines = 2;
    Hierarchy h(config);
    std::uint64_t now = 0;
    for (std::uint64_t line = 0; line < 64; ++line) {
        now += 1 + h.access_data(0, kBase + line * kLine, 8, true, now);
    }
    EXPECT_EQ(stat(h, "cores[0].l1d.streamed_lines"), 0u);
    EXPECT_TRUE(h.l1d(0).contains(line_of(kBase) + 63));
}

TEST(WriteStreaming, ALoadOfTheLineBeingWrittenEndsStreaming) {
    HierarchyConfig config = one_core();
    config.write_streaming.enabled = 1;
    config.write_streaming.l1_lines = 2;
    Hierarchy h(config);
    std::uint64_t now = 0;
    write_lines(h, 0, 3, now); // the third line streams
    EXPECT_EQ(stat(h, "cores[0].l1d.streamed_lines"), 1u);
    h.access_data(0, kBase + 3 * kLine, 8, true, now);      // line 3 streams, half written
    h.access_data(0, kBase + 3 * kLine, 8, false, now + 1); // read it back
    write_lines(h, 10, 1, now);                             // a linefill again
    EXPECT_TRUE(h.l1d(0).contains(line_of(kBase) + 10));
    EXPECT_EQ(stat(h, "cores[0].l1d.streamed_lines"), 2u);
}

// --- LFSR replacement: one generator per cache --------------------------------

TEST(LfsrReplacement, VictimsDependOnOtherSetsUnlikeRandom) {
    // The same misses in set 0 with and without traffic in set 1: `random`
    // draws per set (same victims, tested in cache_test), `lfsr` shares one
    // generator (different victims).
    const std::uint64_t ways = 4;
    for (const Replacement policy : {Replacement::random, Replacement::lfsr}) {
        Cache quiet(CacheGeometry{2 * ways * kLine, 4, kLine, policy, 5});
        Cache busy(CacheGeometry{2 * ways * kLine, 4, kLine, policy, 5});
        unsigned differ = 0;
        for (std::uint64_t k = 0; k < 40; ++k) {
            const std::uint64_t line = 2 * k; // set 0
            if (!busy.lookup(2 * k + 1, false)) {
                busy.fill(2 * k + 1, false); // set 1 traffic
            }
            const bool quiet_hit = quiet.lookup(line, false);
            const bool busy_hit = busy.lookup(line, false);
            if (!quiet_hit && !busy_hit) {
                differ += quiet.fill(line, false).line != busy.fill(line, false).line ? 1 : 0;
            } else {
                differ += quiet_hit != busy_hit ? 1 : 0;
                if (!quiet_hit) {
                    quiet.fill(line, false);
                }
                if (!busy_hit) {
                    busy.fill(line, false);
                }
            }
        }
        EXPECT_EQ(differ != 0, policy == Replacement::lfsr) << to_string(policy);
    }
}

TEST(LfsrReplacement, PicksEveryWayAndIsSeeded) {
    auto victims = [](std::uint64_t seed) {
        Cache cache(CacheGeometry{16 * kLine, 16, kLine, Replacement::lfsr, seed});
        std::map<std::uint64_t, unsigned> way_of; // shadow: which way holds which line
        std::map<unsigned, unsigned> count;
        std::string order;
        for (std::uint64_t line = 0; line < 16 + 800; ++line) {
            const Eviction e = cache.fill(line, false);
            unsigned way = static_cast<unsigned>(line); // empty ways fill in order
            if (e.valid) {
                way = way_of.at(e.line);
                way_of.erase(e.line);
                ++count[way];
                order += std::to_string(way) + ",";
            }
            way_of[line] = way;
        }
        EXPECT_EQ(count.size(), 16u) << "every way chosen";
        return order;
    };
    EXPECT_EQ(victims(3), victims(3));
    EXPECT_NE(victims(3), victims(4));
}

} // namespace
} // namespace sim::cache

// The hierarchy: latencies, L2 allocation, page colors, instruction fetch per
// block, determinism, stats keys.
#include "sim/cache/hierarchy.hpp"

#include "one_core.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace sim::cache {
namespace {

using test::kPage;

HierarchyConfig cores(unsigned n) {
    HierarchyConfig config;
    config.cores = n;
    return config;
}

std::uint64_t color_of(std::uint64_t pa) {
    return (pa / kPage) % 16;
}

// `bytes` of physical pages whose colors lie in [first, last], from `base` upward.
std::vector<std::uint64_t> pages_of_colors(std::uint64_t base, std::uint64_t bytes, unsigned first,
                                           unsigned last) {
    std::vector<std::uint64_t> pages;
    for (std::uint64_t pa = base; pages.size() * kPage < bytes; pa += kPage) {
        if (color_of(pa) >= first && color_of(pa) <= last) {
            pages.push_back(pa);
        }
    }
    return pages;
}

std::uint64_t read_pages(Hierarchy& h, unsigned core, const std::vector<std::uint64_t>& pages,
                         std::uint64_t& now) {
    std::uint64_t stall = 0;
    for (const std::uint64_t page : pages) {
        for (std::uint64_t offset = 0; offset < kPage; offset += 64) {
            const std::uint32_t s = h.access_data(core, page + offset, 8, false, now);
            stall += s;
            now += 1 + s;
        }
    }
    return stall;
}

TEST(Hierarchy, LatenciesOfEachLevel) {
    HierarchyConfig config = cores(1);
    config.l1d.replacement = Replacement::lru;
    Hierarchy h(config);
    const std::uint32_t refill = config.l2.latency + config.mem.latency - config.l1d.latency;
    EXPECT_EQ(h.access_data(0, 0x4000'0000, 8, false, 0), refill); // cold: memory
    EXPECT_EQ(h.access_data(0, 0x4000'0008, 8, true, 100), 0u);    // L1 hit
    // Push the line out of the 4-way L1 D set (stride = L1 way size, 8 KiB).
    for (std::uint64_t k = 1; k <= 4; ++k) {
        h.access_data(0, 0x4000'0000 + k * 8192, 8, false, 200 + k * 100);
    }
    EXPECT_FALSE(h.l1d(0).contains(0x4000'0000 >> 6));
    EXPECT_TRUE(h.l2().contains(0x4000'0000 >> 6)); // the L1 victim went to the L2
    EXPECT_TRUE(h.l2().is_dirty(0x4000'0000 >> 6)); // with the store's data
    EXPECT_EQ(h.access_data(0, 0x4000'0000, 8, false, 5000),
              config.l2.latency - config.l1d.latency); // about 13 cycles from the load
}

TEST(Hierarchy, DataEntersTheL2OnlyWhenTheL1EvictsIt) {
    Hierarchy victim(cores(1));
    victim.access_data(0, 0x4000'0000, 8, false, 0);
    EXPECT_TRUE(victim.l1d(0).contains(0x4000'0000 >> 6));
    EXPECT_FALSE(victim.l2().contains(0x4000'0000 >> 6)); // Cortex-A53 TRM 7.6
    victim.fetch_block(0, 0x5000'0000, 16, 0);
    EXPECT_TRUE(victim.l2().contains(0x5000'0000 >> 6)); // instructions allocate on fetch

    HierarchyConfig config = cores(1);
    config.l2_allocation = L2Allocation::on_fill;
    Hierarchy on_fill(config);
    on_fill.access_data(0, 0x4000'0000, 8, false, 0);
    EXPECT_TRUE(on_fill.l2().contains(0x4000'0000 >> 6));
}

TEST(Hierarchy, StoreMissesWaitOnlyForAMissRegister) {
    HierarchyConfig config = cores(1);
    config.mem.mshrs = 2;
    Hierarchy h(config);
    EXPECT_EQ(h.access_data(0, 0x4000'0000, 8, true, 0), 0u);
    EXPECT_EQ(h.access_data(0, 0x4000'1000, 8, true, 1), 0u);
    // Both registers busy until cycle 77 and 78: the third store waits for the first.
    const std::uint32_t refill = config.l2.latency + config.mem.latency;
    EXPECT_EQ(h.access_data(0, 0x4000'2000, 8, true, 2), refill - 2);
    EXPECT_EQ(h.stats().cores[0].mshr_stall_cycles, refill - 2);
}

TEST(Hierarchy, DisjointColorsNeverConflictInTheL2) {
    // Core 0 reads 256 KiB of colors 0-7 and then again after core 1 streamed
    // 2 MiB: of colors 8-15 (disjoint) or of colors 0-7 (shared).
    for (const bool shared : {false, true}) {
        Hierarchy h(cores(2));
        const auto mine = pages_of_colors(0x4000'0000, 256 * 1024, 0, 7);
        const auto theirs = shared ? pages_of_colors(0x5000'0000, 2 << 20, 0, 7)
                                   : pages_of_colors(0x5000'0000, 2 << 20, 8, 15);
        std::uint64_t now0 = 0;
        std::uint64_t now1 = 0;
        read_pages(h, 0, mine, now0);
        read_pages(h, 0, mine, now0); // every line of `mine` has been through L1 into L2
        read_pages(h, 1, theirs, now1);
        const std::uint64_t misses_before = h.stats().cores[0].l2.misses;
        read_pages(h, 0, mine, now0);
        const std::uint64_t misses = h.stats().cores[0].l2.misses - misses_before;
        if (shared) {
            EXPECT_GT(misses, 4096u / 2) << "same colors must conflict";
        } else {
            EXPECT_EQ(misses, 0u) << "disjoint colors must not conflict";
        }
    }
}

TEST(Hierarchy, L2SetIndexComesFromPhysicalAddressBits) {
    // 1 MiB / 16 ways = 64 KiB per way: bits 12..15 of the PA (the color) select
    // a 64-set group; two pages of different colors share no set.
    Hierarchy h(cores(1));
    const Cache& l2 = h.l2();
    EXPECT_EQ(l2.sets(), 1024u);
    for (std::uint64_t a = 0; a < 16; ++a) {
        for (std::uint64_t b = 0; b < 16; ++b) {
            const std::uint64_t set_a = l2.set_of((0x4000'0000 + a * kPage) >> 6) >> 6;
            const std::uint64_t set_b = l2.set_of((0x4321'0000 + b * kPage) >> 6) >> 6;
            EXPECT_EQ(set_a == set_b, a == b);
        }
    }
}

TEST(Hierarchy, FetchCountsEveryLineABlockTouches) {
    Hierarchy h(cores(1));
    h.fetch_block(0, 0x4000'0030, 100, 0); // 0x30..0x93: lines 0, 1, 2
    EXPECT_EQ(h.stats().cores[0].l1i.accesses, 3u);
    EXPECT_EQ(h.stats().cores[0].l1i.misses, 3u);
    EXPECT_EQ(h.fetch_block(0, 0x4000'0040, 64, 10), 0u);
    EXPECT_EQ(h.stats().cores[0].l1i.accesses, 4u);
}

// A53 instruction prefetch: a sequential line's refill overlaps the previous
// line's execution, so L2 hits after a block's first line are hidden and a
// memory refill is shortened by l1i.prefetch_overlap cycles, not hidden.
TEST(Hierarchy, SequentialCodeLinesArePrefetched) {
    HierarchyConfig config = cores(1);
    const std::uint32_t memory = config.l2.latency + config.mem.latency - config.l1i.latency;
    const std::uint32_t overlap = config.l1i_prefetch_overlap;
    ASSERT_GT(overlap, config.l2.latency - config.l1i.latency); // hides an L2 hit
    {
        Hierarchy h(config); // cold: three lines from memory
        EXPECT_EQ(h.fetch_block(0, 0x4000'0000, 192, 0), memory + 2 * (memory - overlap));
    }
    config.l1i_prefetch_overlap = 0; // off: every line pays in full
    Hierarchy off(config);
    EXPECT_EQ(off.fetch_block(0, 0x4000'0000, 192, 0), 3 * memory);
}

// l1i.own_linefill: a sequential run's refills are issued in one cycle (the
// overlap charges them one after another); from the L2 they are hidden, but
// with the core's 4 data miss registers the 6th line on waits for one. With
// the IFU's own linefill buffer (A53 TRM, "Instruction Fetch Unit") only the
// first line's L2 latency is exposed.
TEST(Hierarchy, OwnLinefillBufferKeepsCodeRefillsOffTheDataMissRegisters) {
    auto run_from_l2 = [](unsigned own) {
        HierarchyConfig config = cores(1);
        config.l1i_own_linefill = own;
        config.l1i.replacement = Replacement::lru; // the two conflicting runs evict it surely
        Hierarchy h(config);
        h.fetch_block(0, 0x4000'0000, 640, 0); // 10 lines into the L1 I and the L2
        // The same L1 I sets, twice (2 ways of 16 KiB): the run leaves the L1 I.
        h.fetch_block(0, 0x4000'4000, 640, 10'000);
        h.fetch_block(0, 0x4000'8000, 640, 20'000);
        const std::uint32_t stall = h.fetch_block(0, 0x4000'0000, 640, 30'000);
        EXPECT_EQ(h.stats().cores[0].l1i.misses, 40u);
        return std::pair{stall, h.stats().cores[0].mshr_stall_cycles};
    };
    const HierarchyConfig config = cores(1);
    const auto [own, own_waits] = run_from_l2(1);
    EXPECT_EQ(own, config.l2.latency - config.l1i.latency);
    EXPECT_EQ(own_waits, 0u);
    const auto [shared, shared_waits] = run_from_l2(0);
    EXPECT_GT(shared, own);
    EXPECT_GT(shared_waits, 0u);
}

TEST(Hierarchy, AccessesCrossingALineTouchBoth) {
    Hierarchy h(cores(1));
    h.access_data(0, 0x4000'003C, 8, false, 0);
    EXPECT_EQ(h.stats().cores[0].l1d.accesses, 2u);
    EXPECT_EQ(h.stats().cores[0].l1d.misses, 2u);
    h.access_range(0, 0x4000'1000, 4096, true, 1000);
    EXPECT_EQ(h.stats().cores[0].l1d.accesses, 2u + 64);
}

std::vector<StatEntry> run_mixed(std::uint64_t seed) {
    HierarchyConfig config = cores(2);
    config.seed = seed;
    Hierarchy h(config);
    std::uint64_t now[2] = {0, 0};
    std::uint64_t x = 12345;
    for (int i = 0; i < 200000; ++i) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        const unsigned core = i & 1;
        const std::uint64_t pa = 0x4000'0000 + ((x >> 20) % (3 << 20));
        now[core] += 1 + h.access_data(core, pa, 8, (x >> 60) == 0, now[core]);
        if (i % 2000 == 1999) {
            h.end_quantum(std::min(now[0], now[1]));
        }
    }
    return flatten(h.stats());
}

TEST(Hierarchy, DeterministicForASeed) {
    const auto first = run_mixed(1);
    const auto second = run_mixed(1);
    ASSERT_EQ(first.size(), second.size());
    for (std::size_t i = 0; i < first.size(); ++i) {
        EXPECT_EQ(first[i].key, second[i].key);
        EXPECT_EQ(first[i].value, second[i].value) << first[i].key;
    }
    const auto other = run_mixed(2);
    const auto l2_misses = [](const std::vector<StatEntry>& s) {
        return std::find_if(s.begin(), s.end(),
                            [](const StatEntry& e) { return e.key == "l2.misses"; })
            ->value;
    };
    EXPECT_NE(l2_misses(first), l2_misses(other)) << "random replacement ignores the seed";
}

TEST(Hierarchy, StatsUseTheDocumentedKeys) {
    Hierarchy h(cores(2));
    h.access_data(1, 0x4000'0000, 8, false, 0);
    std::map<std::string, std::uint64_t> stats;
    for (const StatEntry& entry : flatten(h.stats())) {
        EXPECT_TRUE(stats.emplace(entry.key, entry.value).second) << "duplicate " << entry.key;
    }
    for (const char* key :
         {"l2.accesses", "l2.misses", "l2.writebacks", "mem.queue_cycles", "mem.reads",
          "cores[0].l1d.misses", "cores[0].dtlb.misses", "cores[0].itlb.accesses",
          "cores[0].stall_cycles_mem", "cores[1].l2.accesses", "cores[1].walk_cycles"}) {
        EXPECT_EQ(stats.count(key), 1u) << key;
    }
    EXPECT_EQ(stats["cores[1].l1d.misses"], 1u);
    EXPECT_EQ(stats["cores[0].l1d.misses"], 0u);
    EXPECT_EQ(stats["l2.misses"], 1u);
    EXPECT_GT(stats["cores[1].stall_cycles_mem"], 0u);
    EXPECT_EQ(stats.count("l2.queue_cycles"), 1u);
    EXPECT_EQ(stats.count("cores[1].l2.queue_cycles"), 1u);
    // The row conflicts' cycles by default (mem.bank_conflict_cycles = 34);
    // at 0, the model before, its statistics have no such key.
    EXPECT_EQ(stats.count("mem.bank_conflict_cycles"), 1u);
    HierarchyConfig off = cores(2);
    off.mem.bank_conflict_cycles = 0;
    for (const StatEntry& entry : flatten(Hierarchy(off).stats())) {
        EXPECT_NE(entry.key, "mem.bank_conflict_cycles");
    }
}

// The stats writer nests dotted keys into objects as they come, so the keys of
// one group ("cores[1].l2.") must be consecutive or the group would be written
// twice (duplicate JSON keys).
TEST(Hierarchy, KeysOfAGroupAreConsecutive) {
    const std::vector<StatEntry> entries = flatten(Hierarchy(cores(2)).stats());
    std::map<std::string, std::size_t> last; // group prefix -> index of its last key
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const std::string& key = entries[i].key;
        for (std::size_t dot = key.find('.'); dot != std::string::npos;
             dot = key.find('.', dot + 1)) {
            const std::string group = key.substr(0, dot + 1);
            auto it = last.find(group);
            if (it != last.end()) {
                EXPECT_EQ(it->second + 1, i) << key << " is apart from the rest of " << group;
            }
            last[group] = i;
        }
    }
}

TEST(Hierarchy, FlushWritesBackDirtyLines) {
    Hierarchy h(cores(1));
    h.access_data(0, 0x4000'0000, 8, true, 0);
    h.access_data(0, 0x4000'0040, 8, true, 100);
    h.flush_caches(200);
    EXPECT_EQ(h.stats().l2_writebacks, 2u);
    EXPECT_FALSE(h.l1d(0).contains(0x4000'0000 >> 6));
}

} // namespace
} // namespace sim::cache

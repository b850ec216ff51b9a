// One cache level: hits and misses on known sequences, each replacement policy's
// victim, dirty evictions.
#include "sim/cache/cache.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <vector>

namespace sim::cache {
namespace {

constexpr unsigned kLineBytes = 64;

// Looks a line up; on a miss fills it. Returns whether it hit.
bool touch(Cache& cache, std::uint64_t line, bool write = false, Eviction* evicted = nullptr) {
    if (cache.lookup(line, write)) {
        return true;
    }
    const Eviction e = cache.fill(line, write);
    if (evicted != nullptr) {
        *evicted = e;
    }
    return false;
}

Cache make(std::uint64_t sets, unsigned ways, Replacement r, std::uint64_t seed = 1) {
    return Cache(CacheGeometry{sets * ways * kLineBytes, ways, kLineBytes, r, seed});
}

TEST(Cache, KnownSequenceLru) {
    Cache cache = make(4, 2, Replacement::lru);
    // Lines 0, 4, 8 share set 0; line 1 lives in set 1.
    const std::vector<std::uint64_t> lines{0, 1, 0, 4, 8, 0, 1, 8};
    const std::vector<bool> expected{false, false, true, false, false, false, true, true};
    for (std::size_t i = 0; i < lines.size(); ++i) {
        EXPECT_EQ(touch(cache, lines[i]), expected[i]) << "access " << i;
    }
}

TEST(Cache, SequentialSweepMissesOncePerLine) {
    Cache cache = make(128, 4, Replacement::lru); // 32 KiB
    unsigned misses = 0;
    for (int pass = 0; pass < 2; ++pass) {
        for (std::uint64_t line = 0; line < 512; ++line) { // exactly the capacity
            misses += touch(cache, line) ? 0 : 1;
        }
    }
    EXPECT_EQ(misses, 512u);
}

TEST(Cache, WaySizeStrideThrashesLru) {
    Cache cache = make(128, 4, Replacement::lru);
    unsigned misses = 0;
    for (int pass = 0; pass < 10; ++pass) {
        for (std::uint64_t k = 0; k < 5; ++k) { // 5 lines, one set, 4 ways
            misses += touch(cache, k * 128) ? 0 : 1;
        }
    }
    EXPECT_EQ(misses, 50u);
}

TEST(Cache, LruAndPlruChooseDifferentCraftedVictims) {
    // Fill A B C D into one 4-way set, use A again, then miss on E.
    // LRU evicts B (least recent). The PLRU tree after A,B,C,D,A points to the
    // upper pair (A was used last) and, within it, to C (D was used after C).
    for (const auto& [policy, victim] :
         {std::pair{Replacement::lru, 1u}, {Replacement::plru, 2u}}) {
        Cache cache = make(1, 4, policy);
        for (std::uint64_t line = 0; line < 4; ++line) {
            touch(cache, line);
        }
        touch(cache, 0);
        Eviction evicted;
        EXPECT_FALSE(touch(cache, 4, false, &evicted));
        ASSERT_TRUE(evicted.valid);
        EXPECT_EQ(evicted.line, victim) << to_string(policy);
    }
}

TEST(Cache, PlruProtectsRecentlyUsedHalf) {
    Cache cache = make(1, 8, Replacement::plru);
    for (std::uint64_t line = 0; line < 8; ++line) {
        touch(cache, line);
    }
    // Keep using lines 0..3: every victim must come from the other half.
    for (std::uint64_t line = 8; line < 16; ++line) {
        for (std::uint64_t hot = 0; hot < 4; ++hot) {
            ASSERT_TRUE(touch(cache, hot));
        }
        Eviction evicted;
        touch(cache, line, false, &evicted);
        EXPECT_GE(evicted.line, 4u);
    }
}

std::vector<std::uint64_t> random_victims(std::uint64_t seed) {
    Cache cache = make(1, 16, Replacement::random, seed);
    std::vector<std::uint64_t> victims;
    for (std::uint64_t line = 0; line < 16 + 64; ++line) {
        Eviction evicted;
        touch(cache, line, false, &evicted);
        if (line < 16) {
            EXPECT_FALSE(evicted.valid) << "empty ways are filled first";
        } else {
            victims.push_back(evicted.line % 1000003);
        }
    }
    return victims;
}

TEST(Cache, RandomIsSeededAndDeterministic) {
    const auto first = random_victims(7);
    EXPECT_EQ(first, random_victims(7));
    EXPECT_NE(first, random_victims(8));
}

TEST(Cache, RandomEventuallyPicksEveryWay) {
    Cache cache = make(1, 16, Replacement::random, 3);
    std::map<std::uint64_t, unsigned> way_of; // shadow: which way holds which line
    for (std::uint64_t line = 0; line < 16; ++line) {
        touch(cache, line);
        way_of[line] = static_cast<unsigned>(line); // empty ways fill in order
    }
    std::set<unsigned> ways;
    for (std::uint64_t line = 16; line < 16 + 400; ++line) {
        Eviction evicted;
        touch(cache, line, false, &evicted);
        const unsigned way = way_of.at(evicted.line);
        way_of.erase(evicted.line);
        way_of[line] = way;
        ways.insert(way);
    }
    EXPECT_EQ(ways.size(), 16u);
}

TEST(Cache, RandomChoiceInOneSetIgnoresOtherSets) {
    // The same misses in set 0 pick the same victims whatever happens in set 1.
    Cache quiet = make(2, 4, Replacement::random, 5);
    Cache busy = make(2, 4, Replacement::random, 5);
    for (std::uint64_t k = 0; k < 40; ++k) {
        Eviction a;
        Eviction b;
        touch(quiet, 2 * k, false, &a);
        touch(busy, 2 * k + 1); // set 1 traffic
        touch(busy, 2 * k, false, &b);
        EXPECT_EQ(a.line, b.line);
        EXPECT_EQ(a.valid, b.valid);
    }
}

TEST(Cache, WriteBackReportsExactlyTheDirtyEvictions) {
    Cache cache = make(1, 2, Replacement::lru);
    std::vector<Eviction> evictions;
    auto access = [&](std::uint64_t line, bool write) {
        Eviction evicted;
        if (!touch(cache, line, write, &evicted) && evicted.valid) {
            evictions.push_back(evicted);
        }
    };
    access(10, true);  // A dirty
    access(11, true);  // B dirty
    access(12, false); // evicts A (dirty)
    access(13, false); // evicts B (dirty)
    access(14, false); // evicts C (clean)
    access(14, true);  // hit makes E dirty
    access(15, false); // evicts D (clean)
    access(16, false); // evicts E (dirty)
    ASSERT_EQ(evictions.size(), 5u);
    const std::vector<std::pair<std::uint64_t, bool>> expected{
        {10, true}, {11, true}, {12, false}, {13, false}, {14, true}};
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(evictions[i].line, expected[i].first);
        EXPECT_EQ(evictions[i].dirty, expected[i].second);
    }
}

TEST(Cache, InsertMergesDirtyAndInvalidateReportsIt) {
    Cache cache = make(4, 2, Replacement::lru);
    EXPECT_FALSE(cache.insert(5, false).valid);
    EXPECT_FALSE(cache.is_dirty(5));
    EXPECT_FALSE(cache.insert(5, true).valid); // already present: merge
    EXPECT_TRUE(cache.is_dirty(5));
    EXPECT_TRUE(cache.invalidate(5));
    EXPECT_FALSE(cache.contains(5));
    EXPECT_FALSE(cache.lookup(5, false)); // the fast path forgot it too
}

TEST(Cache, StaticPolicyLookupMatchesDispatchedOne) {
    Cache a = make(64, 4, Replacement::lru);
    Cache b = make(64, 4, Replacement::lru);
    for (std::uint64_t i = 0; i < 5000; ++i) {
        const std::uint64_t line = (i * 2654435761u) % 700;
        const bool hit_a = a.lookup(line, false);
        const bool hit_b = b.lookup_as<Replacement::lru>(line, false);
        ASSERT_EQ(hit_a, hit_b);
        if (!hit_a) {
            ASSERT_EQ(a.fill(line, false).line, b.fill(line, false).line);
        }
    }
}

TEST(Cache, RejectsImpossibleGeometry) {
    EXPECT_THROW(Cache(CacheGeometry{3000, 4, 64, Replacement::lru, 1}), std::invalid_argument);
    EXPECT_THROW(Cache(CacheGeometry{64 * 6, 6, 64, Replacement::plru, 1}), std::invalid_argument);
}

} // namespace
} // namespace sim::cache

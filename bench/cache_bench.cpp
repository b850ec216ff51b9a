// Host cost of the memory-hierarchy model: ns per guest access on the paths the
// simulator's memory hook takes (L1 hit, L1 miss + L2 hit, L2 miss), and the cost
// of the replacement-policy dispatch (runtime switch vs compile-time policy).
#include "sim/cache/cache.hpp"
#include "sim/cache/hierarchy.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

namespace {

using sim::cache::Cache;
using sim::cache::CacheGeometry;
using sim::cache::Hierarchy;
using sim::cache::HierarchyConfig;
using sim::cache::Replacement;

// Addresses of a working set of `bytes`, one per line, in a shuffled order (so
// that neither the model's last-line shortcut nor the host prefetcher helps).
std::vector<std::uint64_t> working_set(std::uint64_t bytes, std::uint64_t stride = 64) {
    std::vector<std::uint64_t> addresses;
    for (std::uint64_t offset = 0; offset < bytes; offset += stride) {
        addresses.push_back(0x4000'0000 + offset + 8);
    }
    std::uint64_t x = 88172645463325252ull;
    for (std::size_t i = addresses.size(); i > 1; --i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        std::swap(addresses[i - 1], addresses[x % i]);
    }
    return addresses;
}

void run_loads(benchmark::State& state, Hierarchy& h, const std::vector<std::uint64_t>& set) {
    std::uint64_t now = 0;
    std::size_t i = 0;
    for (auto _ : state) {
        const std::uint32_t stall = h.access_data(0, set[i], 8, false, now);
        benchmark::DoNotOptimize(stall);
        now += 1 + stall;
        if (++i == set.size()) {
            i = 0;
            h.end_quantum(now);
        }
    }
    state.SetItemsProcessed(state.iterations());
}

HierarchyConfig four_cores() {
    return HierarchyConfig{};
}

// Loads that hit the L1 D: 16 KiB of lines, shuffled.
void BM_L1HitLoad(benchmark::State& state) {
    Hierarchy h(four_cores());
    const auto set = working_set(16 * 1024);
    for (const std::uint64_t pa : set) {
        h.access_data(0, pa, 8, false, 0);
    }
    run_loads(state, h, set);
}
BENCHMARK(BM_L1HitLoad);

// Consecutive loads to the same line (the common case in real code).
void BM_L1HitSameLine(benchmark::State& state) {
    Hierarchy h(four_cores());
    std::uint64_t now = 0;
    std::uint64_t pa = 0x4000'0000;
    for (auto _ : state) {
        const std::uint32_t stall = h.access_data(0, pa, 8, false, now);
        benchmark::DoNotOptimize(stall);
        now += 1 + stall;
        pa = 0x4000'0000 + ((pa + 8) & 63);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_L1HitSameLine);

// Loads that miss the L1 D and hit the L2: 512 KiB shuffled.
void BM_L2HitLoad(benchmark::State& state) {
    Hierarchy h(four_cores());
    const auto set = working_set(512 * 1024);
    for (int pass = 0; pass < 3; ++pass) {
        for (const std::uint64_t pa : set) {
            h.access_data(0, pa, 8, false, 0);
        }
    }
    run_loads(state, h, set);
}
BENCHMARK(BM_L2HitLoad);

// Loads that miss the L2 and go to the memory controller: 64 MiB shuffled.
void BM_L2MissLoad(benchmark::State& state) {
    Hierarchy h(four_cores());
    run_loads(state, h, working_set(64 << 20));
}
BENCHMARK(BM_L2MissLoad);

// One 16-byte basic block fetch hitting the L1 I.
void BM_FetchBlockHit(benchmark::State& state) {
    Hierarchy h(four_cores());
    const auto set = working_set(16 * 1024);
    std::uint64_t now = 0;
    std::size_t i = 0;
    for (const std::uint64_t pa : set) {
        h.fetch_block(0, pa, 16, 0);
    }
    for (auto _ : state) {
        benchmark::DoNotOptimize(h.fetch_block(0, set[i], 16, now));
        ++now;
        i = i + 1 == set.size() ? 0 : i + 1;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FetchBlockHit);

// Replacement dispatch: the same L2-sized LRU lookups through the runtime switch
// (Cache::lookup) and with the policy fixed at compile time (lookup_as<lru>).
template <bool kStatic> void BM_LookupDispatch(benchmark::State& state) {
    Cache cache(CacheGeometry{1 << 20, 16, 64, Replacement::lru, 1});
    auto set = working_set(1 << 20);
    for (std::uint64_t& pa : set) {
        pa >>= 6;
        cache.fill(pa, false);
    }
    std::size_t i = 0;
    for (auto _ : state) {
        bool hit = false;
        if constexpr (kStatic) {
            hit = cache.lookup_as<Replacement::lru>(set[i], false);
        } else {
            hit = cache.lookup(set[i], false);
        }
        benchmark::DoNotOptimize(hit);
        i = i + 1 == set.size() ? 0 : i + 1;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK_TEMPLATE(BM_LookupDispatch, false)->Name("BM_LookupLruRuntimeSwitch");
BENCHMARK_TEMPLATE(BM_LookupDispatch, true)->Name("BM_LookupLruCompileTime");

} // namespace

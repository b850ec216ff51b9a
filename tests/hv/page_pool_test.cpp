#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "hv/core/page_pool.h"

namespace {

constexpr std::uint64_t kBase = 0x4000'0000;

// A pool with its bitmap (hv keeps it in its run-time state).
struct OwnedPool : hv::PagePool {
    std::vector<std::uint64_t> bits;
};

std::unique_ptr<OwnedPool> make_pool(std::uint64_t size = 64ull << 20, std::uint32_t colors = 16) {
    auto pool = std::make_unique<OwnedPool>();
    const hv::MemRange ram[] = {{kBase, size}};
    pool->bits.resize(hv::PagePool::bitmap_words(ram));
    pool->init(ram, colors, pool->bits);
    return pool;
}

} // namespace

TEST(PagePool, ReserveAndRelease) {
    auto pool = make_pool();
    EXPECT_EQ(pool->free_pages(), (64u << 20) / 4096);
    EXPECT_TRUE(pool->reserve(kBase, 512));
    EXPECT_FALSE(pool->reserve(kBase + 0x1000, 1)); // already used
    EXPECT_FALSE(pool->reserve(kBase - 0x1000, 1)); // outside RAM
    EXPECT_TRUE(pool->is_used(kBase + 0x1000));
    pool->release(kBase, 512);
    EXPECT_FALSE(pool->is_used(kBase + 0x1000));
}

TEST(PagePool, ContiguousAllocationHonoursAlignmentAndPhase) {
    auto pool = make_pool();
    ASSERT_TRUE(pool->reserve(kBase, 1)); // spoil the first 2 MiB block
    std::uint64_t pa = 0;
    ASSERT_TRUE(pool->alloc_contig(512, 2ull << 20, 0, pa));
    EXPECT_EQ(pa, kBase + (2ull << 20));
    // PA must equal 0x1000 modulo 2 MiB (an IPA 4 KiB above a block boundary).
    ASSERT_TRUE(pool->alloc_contig(16, 2ull << 20, 0x1000, pa));
    EXPECT_EQ(pa % (2ull << 20), 0x1000u);
    EXPECT_FALSE(pool->alloc_contig(1 << 20, 0x1000, 0, pa)); // more than RAM
}

TEST(PagePool, HighAllocationTakesTheTopAndHonoursColors) {
    auto pool = make_pool();
    std::uint64_t pa = 0;
    ASSERT_TRUE(pool->alloc_high(1, 0x1000, 0, pa));
    EXPECT_EQ(pa, kBase + (64ull << 20) - 0x1000);
    ASSERT_TRUE(pool->alloc_high(1, 0x1000, 1ull << 3, pa));
    EXPECT_EQ(pool->color_of(pa), 3u);
    ASSERT_TRUE(pool->alloc_high(2, 0x2000, 0xc000, pa)); // colors 14, 15: a pair
    EXPECT_EQ(pool->color_of(pa), 14u);
    EXPECT_EQ(pool->color_of(pa + 0x1000), 15u);
    EXPECT_FALSE(pool->alloc_high(2, 0x2000, 1ull << 5, pa)); // one color cannot hold a pair
}

TEST(PagePool, ColoredAllocationReturnsOnlyItsColorsInAscendingRuns) {
    auto pool = make_pool();
    const std::uint64_t colors = 0x00f0; // colors 4-7
    std::vector<std::pair<std::uint64_t, std::uint64_t>> runs;
    ASSERT_TRUE(pool->alloc_colored(100, colors, [&](std::uint64_t pa, std::uint64_t n) {
        runs.emplace_back(pa, n);
        return true;
    }));
    std::uint64_t total = 0;
    std::uint64_t last = 0;
    for (auto [pa, n] : runs) {
        EXPECT_GT(pa, last);
        EXPECT_LE(n, 4u); // four consecutive colors at most
        for (std::uint64_t i = 0; i < n; ++i) {
            const std::uint32_t c = pool->color_of(pa + i * 4096);
            EXPECT_TRUE(c >= 4 && c <= 7) << "color " << c;
            EXPECT_TRUE(pool->is_used(pa + i * 4096));
        }
        last = pa + n * 4096;
        total += n;
    }
    EXPECT_EQ(total, 100u);
    EXPECT_EQ(runs.size(), 25u);
}

TEST(PagePool, ColoredAllocationFailsWithoutTouchingThePool) {
    auto pool = make_pool(1ull << 20); // 256 pages, 16 per color
    const auto before = pool->free_pages();
    bool called = false;
    EXPECT_FALSE(pool->alloc_colored(17, 1, [&](std::uint64_t, std::uint64_t) {
        called = true;
        return true;
    }));
    EXPECT_FALSE(called);
    EXPECT_EQ(pool->free_pages(), before);
    EXPECT_EQ(pool->free_pages(1), 16u);
}

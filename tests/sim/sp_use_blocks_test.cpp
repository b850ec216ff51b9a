// The SP alignment check's table of blocks (sim/cpu/sp_use_blocks.h): what
// it remembers, and what each kind of invalidation drops.
#include "sim/cpu/sp_use_blocks.h"

#include <gtest/gtest.h>

namespace sim::cpu {
namespace {

using Use = SpUseBlocks::Use;

constexpr unsigned page_shift = 12, block_2m_shift = 21, block_1g_shift = 30;
constexpr uint64_t kernel_text = 0xffff800008010000ull;

TEST(SpUseBlocks, RemembersABlockByAddressAndSize) {
    SpUseBlocks t;
    EXPECT_EQ(t.find(kernel_text, 16), Use::unknown);
    t.insert(kernel_text, 16, Use::none, page_shift);
    t.insert(kernel_text + 0x40, 8, Use::through_sp, page_shift);
    EXPECT_EQ(t.find(kernel_text, 16), Use::none);
    EXPECT_TRUE(t.known_free(kernel_text, 16));
    EXPECT_EQ(t.find(kernel_text + 0x40, 8), Use::through_sp);
    EXPECT_FALSE(t.known_free(kernel_text + 0x40, 8));
    // Unicorn may end a block elsewhere at the same address: a new block.
    EXPECT_EQ(t.find(kernel_text, 12), Use::unknown);
    t.invalidate();
    EXPECT_EQ(t.find(kernel_text, 16), Use::unknown);
    EXPECT_EQ(t.find(kernel_text + 0x40, 8), Use::unknown);
}

TEST(SpUseBlocks, ATlbiByVaDropsOnlyTheBlocksTranslatedThroughIt) {
    SpUseBlocks t;
    const uint64_t other_page = kernel_text + 0x1000;
    const uint64_t in_2m = 0xffff800008400040ull;   // a 2 MiB block at ...08400000
    const uint64_t in_1g = 0x0000000080001000ull;   // a 1 GiB block at 0x80000000
    const uint64_t mmu_off = 0x0000000040080000ull; // read with the MMU off
    t.insert(kernel_text, 16, Use::none, page_shift);
    t.insert(other_page, 16, Use::none, page_shift);
    t.insert(in_2m, 16, Use::none, block_2m_shift);
    t.insert(in_1g, 16, Use::none, block_1g_shift);
    t.insert(mmu_off, 16, Use::none, 0);

    t.invalidate_va(kernel_text + 0xff8); // the first block's page, another offset
    EXPECT_EQ(t.find(kernel_text, 16), Use::unknown);
    EXPECT_EQ(t.find(other_page, 16), Use::none);
    EXPECT_EQ(t.find(in_2m, 16), Use::none);

    t.invalidate_va(0xffff8000085ff000ull); // the 2 MiB block's last page
    EXPECT_EQ(t.find(in_2m, 16), Use::unknown);
    EXPECT_EQ(t.find(other_page, 16), Use::none);

    t.invalidate_va(0x00000000a0000000ull); // 512 MiB into the 1 GiB block
    EXPECT_EQ(t.find(in_1g, 16), Use::unknown);

    t.invalidate_va(mmu_off); // no translation to drop
    EXPECT_EQ(t.find(mmu_off, 16), Use::none);
    EXPECT_EQ(t.find(other_page, 16), Use::none);
}

TEST(SpUseBlocks, ATlbiFarFromEveryBlockDropsNothing) {
    SpUseBlocks t;
    t.insert(kernel_text, 16, Use::none, page_shift);
    for (uint64_t va = 0xffff800010000000ull; va < 0xffff800010000000ull + (64u << 20);
         va += 0x1000)
        t.invalidate_va(va); // vmalloc space
    EXPECT_EQ(t.find(kernel_text, 16), Use::none);
}

// The newest blocks are kept, whatever set they fall in: 2048 sets of four.
TEST(SpUseBlocks, KeepsTheLastBlocksRun) {
    SpUseBlocks t;
    constexpr uint64_t blocks = 20000;
    for (uint64_t k = 0; k < blocks; ++k)
        t.insert(kernel_text + 16 * k, 16, Use::none, page_shift);
    unsigned kept = 0;
    for (uint64_t k = blocks - 64; k < blocks; ++k)
        kept += t.known_free(kernel_text + 16 * k, 16);
    EXPECT_EQ(kept, 64u);
    unsigned total = 0;
    for (uint64_t k = 0; k < blocks; ++k)
        total += t.known_free(kernel_text + 16 * k, 16);
    EXPECT_LE(total, 2048u * 4u);
    EXPECT_GT(total, 2048u * 3u); // the hash spreads consecutive blocks over the sets
}

} // namespace
} // namespace sim::cpu

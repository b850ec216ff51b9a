// The block hook's memo (sim/cpu/block_memo.h): a direct-mapped table in
// front of a map. Blocks that share a table slot must both stay known (the
// map keeps what the table evicts), a clear must forget the table too, and
// the sorted view (checkpoints) must not depend on the hash order.
#include "sim/cpu/block_memo.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace sim::cpu {
namespace {

TEST(BlockMemo, BlocksSharingASlotAreBothKept) {
    BlockMemo<uint16_t> memo;
    const uint64_t a = 0x80001000, b = a + 4 * 1024; // same slot of 1024
    EXPECT_EQ(memo.find(a), nullptr);
    memo.insert(a, 7);
    memo.insert(b, 9); // takes the slot
    ASSERT_NE(memo.find(a), nullptr);
    EXPECT_EQ(*memo.find(a), 7); // from the map, back into the slot
    ASSERT_NE(memo.find(b), nullptr);
    EXPECT_EQ(*memo.find(b), 9);
    memo.insert(a, 3); // a new value replaces the old one in both
    EXPECT_EQ(*memo.find(a), 3);
    EXPECT_EQ(memo.find(a + 4), nullptr);
}

TEST(BlockMemo, ClearForgetsTheTableToo) {
    BlockMemo<uint16_t> memo;
    memo.insert(0x1000, 1);
    ASSERT_NE(memo.find(0x1000), nullptr);
    memo.clear();
    EXPECT_EQ(memo.find(0x1000), nullptr);
}

TEST(BlockMemo, SortedByAddress) {
    BlockMemo<uint16_t> memo;
    for (uint64_t a : {0x9000u, 0x1000u, 0x5000u})
        memo.insert(a, static_cast<uint16_t>(a >> 12));
    const auto all = memo.sorted();
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].first, 0x1000u);
    EXPECT_EQ(all[1].first, 0x5000u);
    EXPECT_EQ(all[2].first, 0x9000u);
    EXPECT_EQ(all[2].second, 9);
}

} // namespace
} // namespace sim::cpu

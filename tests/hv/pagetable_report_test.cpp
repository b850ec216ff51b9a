// Stage-2 table pages with and without coloring (the paper's Table 2).
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "fake_port.h"
#include "hv/core/hypervisor.h"
#include "hv/core/pagetable_report.h"
#include "test_config.h"

namespace {
using hvtest::kMiB;
}

TEST(PageTableReport, UncoloredUsesBlocksColoredNeedsAnL3TablePer2MiB) {
    const hv::L2Geometry l2{};
    struct Row {
        std::uint64_t mem;
        std::uint32_t uncolored;
        std::uint32_t colored;
    };
    // root (2 concatenated pages) + L2 tables + L3 tables
    const Row rows[] = {
        {32 * kMiB, 3, 2 + 1 + 16},
        {128 * kMiB, 3, 2 + 1 + 64},
        {512 * kMiB, 3, 2 + 1 + 256},
        {1024 * kMiB, 2, 2 + 1 + 512}, // uncolored: one 1 GiB block in the root
    };
    for (const Row& row : rows) {
        std::vector<std::byte> scratch(hv::pagetable_scratch_bytes(row.mem));
        const hv::PageTableCount c = hv::pagetable_report(row.mem, l2, scratch);
        ASSERT_TRUE(c.ok) << row.mem;
        EXPECT_EQ(c.uncolored, row.uncolored) << row.mem;
        EXPECT_EQ(c.colored, row.colored) << row.mem;
    }
}

TEST(PageTableReport, FailsCleanlyWithATooSmallScratch) {
    std::vector<std::byte> scratch(4096);
    EXPECT_FALSE(hv::pagetable_report(32 * kMiB, hv::L2Geometry{}, scratch).ok);
}

TEST(PageTableReport, MatchesWhatVmCreationBuilds) {
    for (std::uint64_t colors : {0x0ull, 0x00ffull}) {
        hvtest::FakePort port;
        std::vector<std::byte> state;
        auto hv = std::make_unique<hv::Hypervisor>(port);
        auto cfg = hvtest::two_vms();
        cfg.vms[0].regions[0].size = 128 * kMiB;
        cfg.vms[0].colors = colors;
        ASSERT_TRUE(hvtest::init(*hv, cfg.view(), state).ok());
        std::vector<std::byte> scratch(hv::pagetable_scratch_bytes(128 * kMiB));
        std::uint32_t pages = 0;
        ASSERT_TRUE(hv::stage2_table_pages(128 * kMiB, colors, cfg.platform.l2, scratch, pages));
        EXPECT_EQ(hv->vm(0).stage2_table_pages(), pages) << "colors " << colors;
    }
}

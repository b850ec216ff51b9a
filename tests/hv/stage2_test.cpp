// hv's stage-2 builder against the independent walker in fake_port.h.
#include <gtest/gtest.h>

#include <memory>

#include "fake_port.h"
#include "hv/arch/armv8/stage2.h"
#include "hv/core/page_pool.h"

using hv::armv8::MapStatus;
using hv::armv8::Stage2;
using hvtest::FakePort;
using hvtest::ref_walk;

namespace {

constexpr std::uint64_t kGiB = 1ull << 30;
using hvtest::kMiB;

struct Fixture {
    FakePort port;
    std::unique_ptr<hv::PagePool> pool = std::make_unique<hv::PagePool>();
    std::vector<std::uint64_t> pool_bits;
    Stage2 s2;

    Fixture() {
        const hv::MemRange ram[] = {{0x1'0000'0000, 64 * kMiB}}; // tables live here
        pool_bits.resize(hv::PagePool::bitmap_words(ram));
        pool->init(ram, 16, pool_bits);
        EXPECT_EQ(s2.init(port, {&alloc, pool.get()}), MapStatus::Ok);
    }
    static bool alloc(void* ctx, std::uint64_t pages, std::uint64_t align, std::uint64_t& pa) {
        return static_cast<hv::PagePool*>(ctx)->alloc_high(pages, align, 0, pa);
    }
};

} // namespace

TEST(Stage2, RootIsTwoConcatenatedAlignedPages) {
    Fixture f;
    EXPECT_EQ(f.s2.table_pages(), 2u);
    EXPECT_EQ(f.s2.root() % 0x2000, 0u);
    EXPECT_EQ(hv::armv8::kVtcr, 0x80023558u); // T0SZ 24, SL0 1, WBWA, IS, 4K, 40-bit PA
}

TEST(Stage2, GigabyteAndTwoMegabyteBlocksRoundTrip) {
    Fixture f;
    // 1 GiB + 2 MiB + 8 KiB, all aligned: one L1 block, one L2 block, two pages.
    const std::uint64_t ipa = 0x4000'0000;
    const std::uint64_t pa = 0x8000'0000;
    const std::uint64_t size = kGiB + 2 * kMiB + 0x2000;
    ASSERT_EQ(f.s2.map(ipa, pa, size, hv::armv8::kNormalRwx, true), MapStatus::Ok);
    // root (2) + one L2 table + one L3 table
    EXPECT_EQ(f.s2.table_pages(), 4u);
    auto w = ref_walk(f.port, f.s2.root(), ipa + 0x1234'5678);
    ASSERT_TRUE(w.valid);
    EXPECT_EQ(w.size, kGiB);
    EXPECT_EQ(w.pa, pa + 0x1234'5678);
    EXPECT_EQ(w.memattr, 0xfu);
    EXPECT_TRUE(w.r && w.w && w.x);
    w = ref_walk(f.port, f.s2.root(), ipa + kGiB + 0x1'0000);
    ASSERT_TRUE(w.valid);
    EXPECT_EQ(w.size, 2 * kMiB);
    EXPECT_EQ(w.pa, pa + kGiB + 0x1'0000);
    w = ref_walk(f.port, f.s2.root(), ipa + kGiB + 2 * kMiB + 0x1008);
    ASSERT_TRUE(w.valid);
    EXPECT_EQ(w.size, 0x1000u);
    EXPECT_EQ(w.pa, pa + kGiB + 2 * kMiB + 0x1008);
    EXPECT_FALSE(ref_walk(f.port, f.s2.root(), ipa + size).valid);
    EXPECT_FALSE(ref_walk(f.port, f.s2.root(), ipa - 0x1000).valid);
}

TEST(Stage2, MisalignedPaFallsBackToPages) {
    Fixture f;
    // IPA 2 MiB aligned but PA only 4 KiB aligned: no block is possible.
    ASSERT_EQ(f.s2.map(0x4000'0000, 0x8000'1000, 4 * kMiB, hv::armv8::kNormalRwx, true),
              MapStatus::Ok);
    EXPECT_EQ(f.s2.table_pages(), 2u + 1 + 2);
    for (std::uint64_t off = 0; off < 4 * kMiB; off += 0x1000) {
        const auto w = ref_walk(f.port, f.s2.root(), 0x4000'0000 + off);
        ASSERT_TRUE(w.valid);
        ASSERT_EQ(w.size, 0x1000u);
        ASSERT_EQ(w.pa, 0x8000'1000 + off);
    }
}

TEST(Stage2, ColoredPagesRoundTripAgainstTheIndependentWalker) {
    Fixture f;
    // Scattered PAs (every other 32 KiB run), pages only.
    std::uint64_t ipa = 0x4000'0000;
    for (int run = 0; run < 200; ++run) {
        const std::uint64_t pa = 0x8000'0000 + run * 0x1'0000;
        ASSERT_EQ(f.s2.map(ipa, pa, 0x8000, hv::armv8::kNormalRwx, false), MapStatus::Ok);
        ipa += 0x8000;
    }
    for (int run = 0; run < 200; ++run) {
        for (int p = 0; p < 8; ++p) {
            const std::uint64_t i = 0x4000'0000 + run * 0x8000 + p * 0x1000 + 0x10;
            const auto w = ref_walk(f.port, f.s2.root(), i);
            ASSERT_TRUE(w.valid);
            ASSERT_EQ(w.size, 0x1000u);
            ASSERT_EQ(w.pa, 0x8000'0000 + run * 0x1'0000 + p * 0x1000 + 0x10);
            // hv's own walk agrees with the reference.
            const auto h = hv::armv8::stage2_walk(f.port, f.s2.root(), i);
            ASSERT_TRUE(h.valid);
            ASSERT_EQ(h.pa, w.pa);
            ASSERT_EQ(h.block_size, 0x1000u);
            ASSERT_EQ(h.level, 3);
            ASSERT_EQ(h.num_desc, 3);
        }
    }
    // 6.25 MiB of pages: four L3 tables (2 MiB each) and one L2.
    EXPECT_EQ(f.s2.table_pages(), 2u + 1 + 4);
}

TEST(Stage2, DeviceMappingsAreNotExecutable) {
    Fixture f;
    ASSERT_EQ(f.s2.map(0x0a00'0000, 0x0a00'0000, 0x1000, hv::armv8::kDeviceRw, true),
              MapStatus::Ok);
    const auto w = ref_walk(f.port, f.s2.root(), 0x0a00'0010);
    ASSERT_TRUE(w.valid);
    EXPECT_EQ(w.memattr, 0x1u); // Device-nGnRE
    EXPECT_TRUE(w.r && w.w);
    EXPECT_FALSE(w.x);
    const auto h = hv::armv8::stage2_walk(f.port, f.s2.root(), 0x0a00'0010);
    EXPECT_EQ(h.type, hv::armv8::MemType::Device);
    EXPECT_FALSE(h.exec);
}

TEST(Stage2, RejectsOverlapsAndBadRanges) {
    Fixture f;
    ASSERT_EQ(f.s2.map(0x4000'0000, 0x8000'0000, 2 * kMiB, hv::armv8::kNormalRwx, true),
              MapStatus::Ok);
    EXPECT_EQ(f.s2.map(0x4010'0000, 0x9000'0000, 0x1000, hv::armv8::kNormalRwx, true),
              MapStatus::Overlap); // inside the 2 MiB block
    EXPECT_EQ(f.s2.map(0x4020'0000, 0x9000'0000, 0x1000, hv::armv8::kNormalRwx, true),
              MapStatus::Ok);
    EXPECT_EQ(f.s2.map(0x4020'0000, 0x9000'0000, 0x1000, hv::armv8::kNormalRwx, true),
              MapStatus::Overlap); // same page twice
    EXPECT_EQ(f.s2.map(0x4030'0800, 0x9000'0000, 0x1000, hv::armv8::kNormalRwx, true),
              MapStatus::Unaligned);
    EXPECT_EQ(f.s2.map(1ull << 40, 0x9000'0000, 0x1000, hv::armv8::kNormalRwx, true),
              MapStatus::OutOfRange);
}

TEST(Stage2, WalkReportsFaultsAndDescriptorAddresses) {
    Fixture f;
    auto h = hv::armv8::stage2_walk(f.port, f.s2.root(), 0x4000'0000);
    EXPECT_FALSE(h.valid);
    EXPECT_EQ(h.level, 1);
    EXPECT_EQ(h.desc_pa[0], f.s2.root() + 1 * 8);
    ASSERT_EQ(f.s2.map(0x4000'0000, 0x8000'0000, 0x1000, hv::armv8::kNormalRwx, true),
              MapStatus::Ok);
    h = hv::armv8::stage2_walk(f.port, f.s2.root(), 0x4000'1000);
    EXPECT_FALSE(h.valid);
    EXPECT_EQ(h.level, 3);
    EXPECT_EQ(h.num_desc, 3);
    // An IPA in the second concatenated root page.
    ASSERT_EQ(f.s2.map(600 * kGiB, 0x8000'0000, 0x1000, hv::armv8::kNormalRwx, true),
              MapStatus::Ok);
    h = hv::armv8::stage2_walk(f.port, f.s2.root(), 600 * kGiB);
    EXPECT_TRUE(h.valid);
    EXPECT_EQ(h.desc_pa[0], f.s2.root() + 600 * 8);
}

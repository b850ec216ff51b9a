// The Sv39x4 G-stage builder against a walker written here from the
// privileged spec's PTE format (not from hv's code): round trips, superpage
// choice, colored 4 KiB pages, and the 16 KiB root.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <set>

#include "hv/arch/armv8/stage2.h"
#include "hv/arch/riscv64/gstage.h"
#include "hv/core/hypervisor.h"
#include "tests/hv/riscv64/fake_port_riscv64.h"
#include "tests/hv/riscv64/test_config_riscv64.h"

namespace {

using hv::riscv64::GStage;
using hv::riscv64::MapStatus;

// An independent Sv39x4 walk: GPA[40:30] indexes a 2048-entry root, then
// GPA[29:21] and GPA[20:12]; a PTE with any of R, W, X is a leaf, which for
// the G-stage must also have U set; PPN is PTE[53:10].
struct Ref {
    bool valid = false;
    std::uint64_t pa = 0, size = 0;
    bool r = false, w = false, x = false;
};

Ref sv39x4_walk(hvtest::FakePort& m, std::uint64_t root, std::uint64_t gpa) {
    Ref out;
    if (gpa >> 41) {
        return out;
    }
    std::uint64_t table = root;
    const unsigned shifts[3] = {30, 21, 12};
    const std::uint64_t masks[3] = {0x7ff, 0x1ff, 0x1ff};
    for (int i = 0; i < 3; ++i) {
        const std::uint64_t pte = m.read64(table + ((gpa >> shifts[i]) & masks[i]) * 8);
        if (!(pte & 1)) {
            return out;
        }
        const std::uint64_t ppn_pa = ((pte >> 10) & ((1ull << 44) - 1)) << 12;
        if ((pte & 0xe) == 0) {
            table = ppn_pa;
            continue;
        }
        if (!(pte & 0x10)) {
            return out; // a G-stage leaf without U faults
        }
        out.size = 1ull << shifts[i];
        out.valid = true;
        out.pa = ppn_pa + (gpa & (out.size - 1));
        out.r = pte & 2;
        out.w = pte & 4;
        out.x = pte & 8;
        return out;
    }
    return out;
}

struct Bump {
    std::uint64_t next = 0x9000'0000;
    static bool alloc(void* ctx, std::uint64_t pages, std::uint64_t align, std::uint64_t& pa) {
        auto* b = static_cast<Bump*>(ctx);
        b->next = (b->next + align - 1) & ~(align - 1);
        pa = b->next;
        b->next += pages * 4096;
        return true;
    }
};

class GStageTest : public ::testing::Test {
  protected:
    hvtest::FakeRvPort port;
    Bump bump;
    GStage g;
    void SetUp() override { ASSERT_EQ(g.init(port, {&Bump::alloc, &bump}), MapStatus::Ok); }
    Ref walk(std::uint64_t gpa) { return sv39x4_walk(port.mem, g.root(), gpa); }
};

TEST_F(GStageTest, RootIsFourPagesSixteenKiBAligned) {
    EXPECT_EQ(g.root() % (16 * 1024), 0u);
    EXPECT_EQ(g.table_pages(), 4u);
    // hgatp: Sv39x4 (mode 8), the VMID, the root's PPN.
    EXPECT_EQ(hv::riscv64::hgatp(g.root(), 3), (8ull << 60) | (3ull << 44) | (g.root() >> 12));
}

TEST_F(GStageTest, RoundTripOfPagesAcrossTheWholeRoot) {
    // GPAs above 1 TiB exercise the fourth root page (index >= 1536).
    const std::uint64_t gpas[] = {0x0, 0x8000'0000, 0x100'0000'0000, 0x1ff'ffff'f000};
    std::uint64_t pa = 0x4000'0000;
    for (const std::uint64_t gpa : gpas) {
        ASSERT_EQ(g.map(gpa, pa, 0x1000, hv::riscv64::kNormalRwx, true), MapStatus::Ok);
        const Ref r = walk(gpa + 0x123);
        ASSERT_TRUE(r.valid) << std::hex << gpa;
        EXPECT_EQ(r.pa, pa + 0x123);
        EXPECT_EQ(r.size, 0x1000u);
        EXPECT_TRUE(r.r && r.w && r.x);
        const hv::riscv64::GWalk w = hv::riscv64::gstage_walk(port, g.root(), gpa + 0x123);
        EXPECT_TRUE(w.valid);
        EXPECT_EQ(w.pa, pa + 0x123);
        EXPECT_EQ(w.level, 0);
        pa += 0x1000;
    }
    EXPECT_FALSE(walk(0x1000).valid);
    EXPECT_EQ(g.map(0x200'0000'0000, pa, 0x1000, hv::riscv64::kNormalRwx, true),
              MapStatus::OutOfRange);
}

TEST_F(GStageTest, SuperpagesWhereGpaAndPaAgree) {
    // 1 GiB + 2 MiB + 4 KiB, all aligned: one leaf of each size.
    const std::uint64_t size = (1ull << 30) + (2ull << 20) + 0x1000;
    ASSERT_EQ(g.map(0x8000'0000, 0x1'0000'0000, size, hv::riscv64::kNormalRwx, true),
              MapStatus::Ok);
    EXPECT_EQ(walk(0x8000'0000).size, 1ull << 30);
    EXPECT_EQ(walk(0xc000'0000).size, 2ull << 20);
    EXPECT_EQ(walk(0xc020'0000).size, 0x1000u);
    EXPECT_EQ(walk(0xbfff'fff8).pa, 0x1'3fff'fff8u);
    EXPECT_EQ(walk(0xc010'0000).pa, 0x1'4010'0000u);
    EXPECT_FALSE(walk(0xc020'1000).valid);
    // GPA and PA disagree modulo 2 MiB: pages only.
    ASSERT_EQ(g.map(0x2'0000'0000, 0x3'0000'1000, 4ull << 20, hv::riscv64::kNormalRwx, true),
              MapStatus::Ok);
    EXPECT_EQ(walk(0x2'0020'0000).size, 0x1000u);
    EXPECT_EQ(walk(0x2'0020'0000).pa, 0x3'0020'1000u);
    // Mapping into a superpage's range is an overlap.
    EXPECT_EQ(g.map(0x8010'0000, 0x5000'0000, 0x1000, hv::riscv64::kNormalRwx, true),
              MapStatus::Overlap);
}

TEST_F(GStageTest, SamePolicyAsArmForTheSameRequests) {
    // Without blocks (colored memory) even aligned 2 MiB gets 512 pages.
    ASSERT_EQ(g.map(0x8000'0000, 0x1'0000'0000, 2ull << 20, hv::riscv64::kNormalRwx, false),
              MapStatus::Ok);
    std::set<std::uint64_t> sizes;
    for (std::uint64_t off = 0; off < (2ull << 20); off += 0x1000) {
        const Ref r = walk(0x8000'0000 + off);
        ASSERT_TRUE(r.valid);
        EXPECT_EQ(r.pa, 0x1'0000'0000 + off);
        sizes.insert(r.size);
    }
    EXPECT_EQ(sizes, std::set<std::uint64_t>{0x1000});
    EXPECT_EQ(g.table_pages(), 4u + 2u); // root, one 2 MiB table, one page table
}

TEST_F(GStageTest, DeviceMappingsAreNotExecutable) {
    ASSERT_EQ(g.map(0x1000'0000, 0x1000'0000, 0x1000, hv::riscv64::kDeviceRw, true), MapStatus::Ok);
    const Ref r = walk(0x1000'0000);
    ASSERT_TRUE(r.valid);
    EXPECT_TRUE(r.r && r.w);
    EXPECT_FALSE(r.x);
    EXPECT_EQ(g.map(0x1001, 0x1000, 0x1000, hv::riscv64::kNormalRwx, true), MapStatus::Unaligned);
}

// A colored VM built by hv: every 4 KiB page of its region sits on one of
// its colors, the walk agrees with the independent walker, and no two pages
// share a PA.
TEST(GStageHv, ColoredVmGetsPagesOfItsColorsOnly) {
    hvtest::FakeRvPort port;
    hv::ConfigStorage cfg = hvtest::rv_two_vms();
    cfg.vms[0].colors = 0b0011; // colors 0 and 1 of 16
    cfg.vms[1].colors = 0b1100;
    std::vector<std::byte> state;
    auto h = std::make_unique<hv::Hypervisor>(port);
    const hv::Error err = hvtest::init(*h, cfg.view(), state);
    ASSERT_TRUE(err.ok()) << err.message;
    const hv::L2Geometry& l2 = cfg.platform.l2;
    for (std::uint32_t i = 0; i < 2; ++i) {
        const hv::Vm& vm = h->vm(i);
        std::set<std::uint64_t> pas;
        for (std::uint64_t off = 0; off < vm.cfg->regions[0].size; off += 0x1000) {
            const Ref r = sv39x4_walk(port.mem, vm.stage2.root(), hvtest::kRvGuestBase + off);
            ASSERT_TRUE(r.valid);
            EXPECT_EQ(r.size, 0x1000u);
            EXPECT_TRUE(hv::bit_test(vm.cfg->colors, l2.color_of(r.pa))) << std::hex << r.pa;
            EXPECT_EQ(h->walk(i, hvtest::kRvGuestBase + off).pa, r.pa);
            EXPECT_TRUE(pas.insert(r.pa).second);
        }
    }
}

TEST(GStageHv, UncoloredVmGetsSuperpages) {
    hvtest::FakeRvPort port;
    hv::ConfigStorage cfg = hvtest::rv_two_vms();
    std::vector<std::byte> state;
    auto h = std::make_unique<hv::Hypervisor>(port);
    ASSERT_TRUE(hvtest::init(*h, cfg.view(), state).ok());
    const Ref r = sv39x4_walk(port.mem, h->vm(0).stage2.root(), hvtest::kRvGuestBase);
    ASSERT_TRUE(r.valid);
    EXPECT_EQ(r.size, 2ull << 20);
    EXPECT_EQ(h->vm(0).stage2_base() >> 60, 8u); // hgatp mode Sv39x4
}

} // namespace

namespace {

// The same requests through Arm's stage-2 builder and the G-stage: the same
// leaves (where each starts, its size, where it points), as both follow
// hv/lib/superpage.h.
TEST(GStagePolicy, SameLeavesAsArmsStage2) {
    struct Req {
        std::uint64_t ipa, pa, size;
        bool blocks;
    };
    const Req reqs[] = {
        {0x1'0000'0000, 0x1'0000'0000, (1ull << 30) + (6ull << 20) + 0x3000, true},
        {0x8020'0000, 0x1'8060'0000, 8ull << 20, true},   // 2 MiB aligned, not 1 GiB
        {0x9000'1000, 0x1'9000'1000, 4ull << 20, true},   // starts off a 2 MiB boundary
        {0xa000'0000, 0x1'a000'1000, 4ull << 20, true},   // PA disagrees: pages
        {0xc000'0000, 0x2'0000'0000, 4ull << 20, false}}; // colored: pages
    hvtest::FakeRvPort rv;
    hvtest::FakePort arm;
    Bump rb, ab;
    GStage g;
    hv::armv8::Stage2 s;
    ASSERT_EQ(g.init(rv, {&Bump::alloc, &rb}), MapStatus::Ok);
    ASSERT_EQ(s.init(arm, {&Bump::alloc, &ab}), hv::armv8::MapStatus::Ok);
    for (const Req& q : reqs) {
        ASSERT_EQ(g.map(q.ipa, q.pa, q.size, hv::riscv64::kNormalRwx, q.blocks), MapStatus::Ok);
        ASSERT_EQ(s.map(q.ipa, q.pa, q.size, hv::armv8::kNormalRwx, q.blocks),
                  hv::armv8::MapStatus::Ok);
        std::uint64_t leaves = 0;
        for (std::uint64_t off = 0; off < q.size;) {
            const auto a = hv::armv8::stage2_walk(arm, s.root(), q.ipa + off);
            const auto r = hv::riscv64::gstage_walk(rv, g.root(), q.ipa + off);
            ASSERT_TRUE(a.valid && r.valid);
            ASSERT_EQ(a.block_size, r.block_size) << std::hex << q.ipa + off;
            ASSERT_EQ(a.pa, r.pa);
            off += r.block_size;
            ++leaves;
        }
        EXPECT_GT(leaves, 0u);
    }
}

} // namespace

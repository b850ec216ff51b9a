// GICv3 CPU interface as system registers: acknowledge, priority drop and
// deactivation (EOImode), the priority mask, the running priority and
// preemption, group 1 only, and SGIs by affinity through ICC_SGI1R_EL1.
#include "harness.h"

#include <gtest/gtest.h>

namespace sim::gic::v3::test {
namespace {

constexpr uint32_t kSpi = 33;

uint64_t sgi1r(uint32_t intid, uint64_t targets, uint64_t aff1 = 0, uint64_t rs = 0) {
    return targets | aff1 << icc::kSgiAff1Shift | uint64_t{intid} << icc::kSgiIntIdShift |
           rs << icc::kSgiRsShift;
}

TEST(V3CpuInterface, SystemRegisterEnableAndPriorityBits) {
    Harness h(1);
    EXPECT_EQ(h.icc(0, R::IccSreEl1), icc::kSreEl1);
    h.icc(0, R::IccSreEl1, 0); // SRE is RAO/WI: no memory-mapped interface
    EXPECT_EQ(h.icc(0, R::IccSreEl1) & 1, 1u);
    EXPECT_EQ(h.icc(0, R::IccCtlrEl1) >> icc::kCtlrPriBitsShift & 7, 4u); // 5 bits
    h.icc(0, R::IccPmrEl1, 0xFF);
    EXPECT_EQ(h.icc(0, R::IccPmrEl1), 0xF8u);
    EXPECT_EQ(h.icc(0, R::IccBpr1El1), icc::kMinBpr1);
    h.icc(0, R::IccBpr1El1, 0);
    EXPECT_EQ(h.icc(0, R::IccBpr1El1), icc::kMinBpr1);
}

TEST(V3CpuInterface, EoiModeZeroDropsAndDeactivates) {
    Harness h(1);
    h.enable_all();
    h.enable_spi(kSpi, 0x60, 0);
    h.gic.set_level(kSpi, true);
    EXPECT_TRUE(h.gic.lines(0).irq);
    EXPECT_EQ(h.icc(0, R::IccHppir1El1), kSpi);
    EXPECT_EQ(h.icc(0, R::IccIar1El1), kSpi);
    EXPECT_EQ(h.icc(0, R::IccRprEl1), 0x60u);
    EXPECT_TRUE(h.gic.common().is_active(0, kSpi));
    EXPECT_FALSE(h.gic.lines(0).irq); // pending+active: waits for deactivation
    h.gic.set_level(kSpi, false);
    h.icc(0, R::IccEoir1El1, kSpi);
    EXPECT_EQ(h.icc(0, R::IccRprEl1), kIdlePriority);
    EXPECT_FALSE(h.gic.common().is_active(0, kSpi));
}

TEST(V3CpuInterface, EoiModeOneSplitsPriorityDropFromDeactivation) {
    Harness h(1);
    h.enable_all(true);
    h.enable_spi(kSpi, 0x60, 0);
    h.gic.set_level(kSpi, true);
    ASSERT_EQ(h.icc(0, R::IccIar1El1), kSpi);
    h.icc(0, R::IccEoir1El1, kSpi);
    EXPECT_EQ(h.icc(0, R::IccRprEl1), kIdlePriority); // dropped
    EXPECT_TRUE(h.gic.common().is_active(0, kSpi));   // still active
    h.icc(0, R::IccDirEl1, kSpi);
    EXPECT_FALSE(h.gic.common().is_active(0, kSpi));
    // With EOImode 0, DIR does nothing and is counted.
    h.icc(0, R::IccCtlrEl1, 0);
    const uint64_t before = h.gic.diagnostics().unmatched_eois;
    h.icc(0, R::IccDirEl1, kSpi);
    EXPECT_EQ(h.gic.diagnostics().unmatched_eois, before + 1);
}

TEST(V3CpuInterface, PriorityMaskAndPreemption) {
    Harness h(1);
    h.enable_all();
    h.enable_spi(kSpi, 0x80, 0);
    h.enable_spi(kSpi + 1, 0x40, 0);
    h.icc(0, R::IccPmrEl1, 0x80);
    h.gic.set_level(kSpi, true);
    EXPECT_FALSE(h.gic.lines(0).irq); // 0x80 is not above a 0x80 mask
    h.icc(0, R::IccPmrEl1, 0x88);
    EXPECT_TRUE(h.gic.lines(0).irq);
    ASSERT_EQ(h.icc(0, R::IccIar1El1), kSpi);
    // A higher priority preempts the running 0x80; an equal one would not.
    h.gic.set_level(kSpi + 1, true);
    EXPECT_TRUE(h.gic.lines(0).irq);
    ASSERT_EQ(h.icc(0, R::IccIar1El1), kSpi + 1);
    EXPECT_EQ(h.icc(0, R::IccRprEl1), 0x40u);
    EXPECT_EQ(h.icc(0, R::IccAp1r0El1), (1u << (0x40 >> 3)) | (1u << (0x80 >> 3)));
    h.icc(0, R::IccEoir1El1, kSpi + 1); // EOIs nest: the 0x40 one first
    EXPECT_EQ(h.icc(0, R::IccRprEl1), 0x80u);
}

TEST(V3CpuInterface, Iar1TakesGroupOneOnlyAndNeedsIgrpen1) {
    Harness h(1);
    h.enable_all();
    h.set_gicd(gic::gicd::kIpriorityr + kSpi, 0x40, 1);
    h.set_gicd(gic::gicd::kIsenabler + 4, 1u << (kSpi % 32)); // left in group 0
    h.gic.set_level(kSpi, true);
    EXPECT_FALSE(h.gic.lines(0).irq);
    EXPECT_EQ(h.icc(0, R::IccIar1El1), kSpuriousId);
    h.set_gicd(gic::gicd::kIgroupr + 4, 1u << (kSpi % 32));
    h.icc(0, R::IccIgrpen1El1, 0);
    EXPECT_FALSE(h.gic.lines(0).irq);
    EXPECT_EQ(h.icc(0, R::IccIar1El1), kSpuriousId);
    h.icc(0, R::IccIgrpen1El1, 1);
    EXPECT_EQ(h.icc(0, R::IccIar1El1), kSpi);
}

TEST(V3CpuInterface, Sgi1rTargetListReachesOnlyTheNamedCores) {
    Harness h(4);
    h.enable_all();
    for (unsigned core = 0; core < 4; ++core)
        h.enable_private(core, 5, 0x80);
    h.icc(0, R::IccSgi1rEl1, sgi1r(5, 0b1010)); // cores 1 and 3
    for (unsigned core = 0; core < 4; ++core)
        EXPECT_EQ(h.gic.lines(core).irq, core == 1 || core == 3) << core;
    EXPECT_EQ(h.icc(3, R::IccIar1El1), 5u); // no source CPU in a GICv3 IAR
    h.icc(3, R::IccEoir1El1, 5);
    EXPECT_FALSE(h.gic.common().is_active(3, 5));
}

TEST(V3CpuInterface, Sgi1rAffinityOutsideTheMachineReachesNoCore) {
    Harness h(4);
    h.enable_all();
    for (unsigned core = 0; core < 4; ++core)
        h.enable_private(core, 2, 0x80);
    h.icc(0, R::IccSgi1rEl1, sgi1r(2, 0b0010, 1));    // Aff1 = 1: cluster 1 has no cores
    h.icc(0, R::IccSgi1rEl1, sgi1r(2, 0b0001, 0, 1)); // RS = 1: Aff0 16
    for (unsigned core = 0; core < 4; ++core)
        EXPECT_FALSE(h.gic.lines(core).irq) << core;
    EXPECT_EQ(h.gic.diagnostics().bad_inputs, 2u);
}

TEST(V3CpuInterface, Sgi1rIrmBroadcastsToEveryCoreButTheSender) {
    Harness h(4);
    h.enable_all();
    for (unsigned core = 0; core < 4; ++core)
        h.enable_private(core, 9, 0x80);
    h.icc(2, R::IccSgi1rEl1, sgi1r(9, 0) | icc::kSgiIrm);
    for (unsigned core = 0; core < 4; ++core)
        EXPECT_EQ(h.gic.lines(core).irq, core != 2) << core;
}

TEST(V3CpuInterface, TwoSendersOfOneSgiMakeOnePendingInterrupt) {
    Harness h(3);
    h.enable_all();
    h.enable_private(2, 4, 0x80);
    h.icc(0, R::IccSgi1rEl1, sgi1r(4, 0b100));
    h.icc(1, R::IccSgi1rEl1, sgi1r(4, 0b100));
    ASSERT_EQ(h.icc(2, R::IccIar1El1), 4u);
    h.icc(2, R::IccEoir1El1, 4);
    EXPECT_FALSE(h.gic.lines(2).irq);
    EXPECT_FALSE(h.gic.common().is_pending(2, 4));
}

} // namespace
} // namespace sim::gic::v3::test

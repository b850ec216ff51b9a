#include "tests/gic/harness.h"

#include <gtest/gtest.h>

namespace sim::gic::test {
namespace {

TEST(CpuInterface, SpiEnablePendAcknowledgeEoi) {
    Harness h;
    h.enable_all();
    h.enable_spi(40, 0xA0);
    EXPECT_FALSE(h.gic.irq_line(0));
    h.gic.set_level(40, true);
    EXPECT_TRUE(h.gic.irq_line(0));
    EXPECT_EQ(h.read(C, gicc::kHppir), 40u);
    EXPECT_EQ(h.read(C, gicc::kIar), 40u);
    EXPECT_FALSE(h.gic.irq_line(0)); // active, so no longer signalled
    EXPECT_TRUE(h.gic.distributor().is_active(0, 40));
    EXPECT_TRUE(h.gic.distributor().is_pending(0, 40)); // the line is still high
    EXPECT_EQ(h.read(C, gicc::kRpr), 0xA0u);
    h.gic.set_level(40, false);
    h.write(C, gicc::kEoir, 40);
    EXPECT_FALSE(h.gic.distributor().is_active(0, 40));
    EXPECT_EQ(h.read(C, gicc::kRpr), 0xFFu);
    EXPECT_EQ(h.read(C, gicc::kIar), kSpuriousId);
}

TEST(CpuInterface, LevelStillHighAfterEoiIsSignalledAgain) {
    Harness h;
    h.enable_all();
    h.enable_spi(40, 0xA0);
    h.gic.set_level(40, true);
    EXPECT_EQ(h.read(C, gicc::kIar), 40u);
    h.write(C, gicc::kEoir, 40);
    EXPECT_TRUE(h.gic.irq_line(0));
}

TEST(CpuInterface, NothingIsSignalledWhileDisabled) {
    Harness h;
    h.enable_spi(40, 0xA0);
    h.gic.set_level(40, true);
    h.write(C, gicc::kCtlr, 1);
    h.write(C, gicc::kPmr, 0xFF);
    EXPECT_FALSE(h.gic.irq_line(0)); // distributor off
    h.write(D, gicd::kCtlr, 1);
    EXPECT_TRUE(h.gic.irq_line(0));
    h.write(C, gicc::kCtlr, 0);
    EXPECT_FALSE(h.gic.irq_line(0)); // CPU interface off
    EXPECT_EQ(h.read(C, gicc::kIar), kSpuriousId);
}

// Groups are not told apart physically: either enable bit (Bao's Non-secure
// bit 0, or EnableGrp1 of a GIC without security extensions) enables all.
TEST(CpuInterface, EitherEnableBitEnablesEverything) {
    Harness h;
    h.write(D, gicd::kCtlr, gicd::kCtlrEnableGrp1);
    h.write(C, gicc::kCtlr, gicc::kCtlrEnableGrp1);
    h.write(C, gicc::kPmr, 0xFF);
    h.write(D, gicd::kIgroupr + 4, 0xFFFF'FFFF);
    h.enable_spi(40, 0x80);
    h.enable_spi(41, 0x40);
    h.write(D, gicd::kIgroupr + 4, 0xFFFF'FDFF); // 41 in group 0
    h.gic.raise(40);
    h.gic.raise(41);
    EXPECT_EQ(h.read(C, gicc::kIar), 41u);
    h.write(C, gicc::kEoir, 41);
    EXPECT_EQ(h.read(C, gicc::kAiar), 40u); // the alias acknowledges the same way
}

TEST(CpuInterface, HighestPriorityFirstThenLowestId) {
    Harness h;
    h.enable_all();
    h.enable_spi(40, 0xC0);
    h.enable_spi(41, 0x40);
    h.enable_spi(42, 0x80);
    h.enable_spi(43, 0x80);
    for (uint32_t id = 40; id <= 43; ++id) {
        h.gic.raise(id);
    }
    // Without EOI nothing of lower priority gets through the running priority.
    EXPECT_EQ(h.read(C, gicc::kIar), 41u);
    EXPECT_FALSE(h.gic.irq_line(0));
    EXPECT_EQ(h.read(C, gicc::kIar), kSpuriousId);
    EXPECT_EQ(h.read(C, gicc::kHppir), 42u); // HPPIR ignores the running priority
    h.write(C, gicc::kEoir, 41);
    EXPECT_EQ(h.read(C, gicc::kIar), 42u);
    h.write(C, gicc::kEoir, 42);
    EXPECT_EQ(h.read(C, gicc::kIar), 43u);
    h.write(C, gicc::kEoir, 43);
    EXPECT_EQ(h.read(C, gicc::kIar), 40u);
    h.write(C, gicc::kEoir, 40);
    EXPECT_EQ(h.gic.diagnostics().unmatched_eois, 0u);
}

TEST(CpuInterface, PriorityMaskHidesEqualAndLowerPriorities) {
    Harness h;
    h.enable_all();
    h.write(C, gicc::kPmr, 0x80);
    h.enable_spi(40, 0x80);
    h.gic.raise(40);
    EXPECT_FALSE(h.gic.irq_line(0));
    EXPECT_EQ(h.read(C, gicc::kIar), kSpuriousId);
    h.write(C, gicc::kPmr, 0x88);
    EXPECT_TRUE(h.gic.irq_line(0));
    h.write(C, gicc::kPmr, 0xFF);
    EXPECT_EQ(h.read(C, gicc::kPmr), 0xF8u); // 5 priority bits
    EXPECT_EQ(h.read(C, gicc::kIar), 40u);
}

TEST(CpuInterface, HigherPriorityPreemptsAndNests) {
    Harness h;
    h.enable_all();
    h.enable_spi(40, 0xC0);
    h.enable_spi(41, 0x40);
    h.gic.raise(40);
    EXPECT_EQ(h.read(C, gicc::kIar), 40u);
    EXPECT_EQ(h.read(C, gicc::kRpr), 0xC0u);
    h.gic.raise(41);
    EXPECT_TRUE(h.gic.irq_line(0)); // preemption
    EXPECT_EQ(h.read(C, gicc::kIar), 41u);
    EXPECT_EQ(h.read(C, gicc::kRpr), 0x40u);
    h.write(C, gicc::kEoir, 41);
    EXPECT_EQ(h.read(C, gicc::kRpr), 0xC0u);
    h.write(C, gicc::kEoir, 40);
    EXPECT_EQ(h.read(C, gicc::kRpr), 0xFFu);
}

TEST(CpuInterface, BinaryPointGroupsPriorities) {
    Harness h;
    h.enable_all();
    EXPECT_EQ(h.read(C, gicc::kBpr), 2u);
    h.write(C, gicc::kBpr, 0);
    EXPECT_EQ(h.read(C, gicc::kBpr), 2u); // clamped to the minimum
    h.write(C, gicc::kBpr, 5);            // group priority = priority[7:6]
    h.enable_spi(40, 0xA0);
    h.enable_spi(41, 0x88);
    h.enable_spi(42, 0x40);
    h.gic.raise(40);
    EXPECT_EQ(h.read(C, gicc::kIar), 40u);
    EXPECT_EQ(h.read(C, gicc::kRpr), 0x80u); // group priority of 0xA0
    h.gic.raise(41);                         // same group priority: no preemption
    EXPECT_FALSE(h.gic.irq_line(0));
    h.gic.raise(42);
    EXPECT_EQ(h.read(C, gicc::kIar), 42u);
    h.write(C, gicc::kEoir, 42);
    // The running priority was fixed when 40 was acknowledged: a finer binary
    // point now does not let 0x88 preempt it.
    h.write(C, gicc::kBpr, 2);
    EXPECT_EQ(h.read(C, gicc::kRpr), 0x80u);
    EXPECT_FALSE(h.gic.irq_line(0));
    h.write(C, gicc::kEoir, 40);
    EXPECT_EQ(h.read(C, gicc::kIar), 41u);
    EXPECT_EQ(h.read(C, gicc::kRpr), 0x88u);
}

TEST(CpuInterface, SplitEoiDropsPriorityButKeepsActive) {
    Harness h;
    h.enable_all(/*split_eoi=*/true);
    h.enable_spi(40, 0xA0);
    h.gic.raise(40);
    EXPECT_EQ(h.read(C, gicc::kIar), 40u);
    h.write(C, gicc::kEoir, 40);
    EXPECT_EQ(h.read(C, gicc::kRpr), 0xFFu);
    EXPECT_TRUE(h.gic.distributor().is_active(0, 40));
    h.gic.raise(40);
    EXPECT_FALSE(h.gic.irq_line(0)); // still active: not signalled again
    h.write(C, gicc::kDir, 40);
    EXPECT_FALSE(h.gic.distributor().is_active(0, 40));
    EXPECT_TRUE(h.gic.irq_line(0));
}

TEST(CpuInterface, DirWithoutSplitEoiAndStrayEoisAreCounted) {
    Harness h;
    h.enable_all();
    h.write(C, gicc::kDir, 40);
    h.write(C, gicc::kEoir, 41);
    h.write(C, gicc::kEoir, kSpuriousId);              // ignored silently
    EXPECT_EQ(h.gic.diagnostics().unmatched_eois, 3u); // DIR, then EOIR's drop and deactivate
}

TEST(CpuInterface, SgiCarriesItsSourceAndTargetsTheList) {
    Harness h;
    h.enable_all();
    // Core 0 sends SGI 3 to cores 1 and 2.
    h.write(D, gicd::kSgir, 3u | 0x06u << gicd::kSgirTargetShift, 0);
    EXPECT_FALSE(h.gic.irq_line(0));
    EXPECT_TRUE(h.gic.irq_line(1));
    EXPECT_TRUE(h.gic.irq_line(2));
    EXPECT_FALSE(h.gic.irq_line(3));
    // Core 2 sends the same SGI to core 1: each sender has its own copy.
    h.write(D, gicd::kSgir, 3u | 0x02u << gicd::kSgirTargetShift, 2);
    h.set_priority(3, 0x80, 1);
    EXPECT_EQ(h.read(C, gicc::kIar, 1), 3u | 0u << 10);
    h.write(C, gicc::kEoir, 3u | 0u << 10, 1);
    EXPECT_EQ(h.read(C, gicc::kIar, 1), 3u | 2u << 10);
    h.write(C, gicc::kEoir, 3u | 2u << 10, 1);
    EXPECT_FALSE(h.gic.distributor().is_active(1, 3));
    EXPECT_EQ(h.read(C, gicc::kIar, 2), 3u);
    EXPECT_EQ(h.read(C, gicc::kIar, 1), kSpuriousId);
}

TEST(CpuInterface, SpiRoutedToCoreTwoOnly) {
    Harness h;
    h.enable_all();
    h.enable_spi(50, 0x60, /*targets=*/0x04);
    h.gic.raise(50);
    EXPECT_FALSE(h.gic.irq_line(0));
    EXPECT_FALSE(h.gic.irq_line(1));
    EXPECT_TRUE(h.gic.irq_line(2));
    EXPECT_FALSE(h.gic.irq_line(3));
    EXPECT_EQ(h.read(C, gicc::kIar, 0), kSpuriousId);
    EXPECT_EQ(h.read(C, gicc::kIar, 2), 50u);
    h.write(C, gicc::kEoir, 50, 2);
    EXPECT_FALSE(h.gic.distributor().is_active(0, 50));
}

TEST(CpuInterface, SpiForSeveralCoresIsTakenByOne) {
    Harness h;
    h.enable_all();
    h.enable_spi(50, 0x60, /*targets=*/0x03);
    h.gic.raise(50);
    EXPECT_TRUE(h.gic.irq_line(0));
    EXPECT_TRUE(h.gic.irq_line(1));
    EXPECT_EQ(h.read(C, gicc::kIar, 1), 50u);
    EXPECT_FALSE(h.gic.irq_line(0));
    EXPECT_EQ(h.read(C, gicc::kIar, 0), kSpuriousId);
}

TEST(CpuInterface, PpiIsBankedPerCore) {
    Harness h;
    h.enable_all();
    h.enable_ppi(1, 27, 0x20);
    h.gic.set_ppi_level(0, 27, true); // enabled only on core 1
    EXPECT_FALSE(h.gic.irq_line(0));
    h.gic.set_ppi_level(1, 27, true);
    EXPECT_TRUE(h.gic.irq_line(1));
    EXPECT_EQ(h.read(C, gicc::kIar, 1), 27u);
    EXPECT_TRUE(h.gic.distributor().is_active(1, 27));
    EXPECT_FALSE(h.gic.distributor().is_active(0, 27));
}

TEST(CpuInterface, ActivePrioritiesSaveAndRestore) {
    Harness h;
    h.enable_all();
    h.enable_spi(40, 0x40);
    h.gic.raise(40);
    EXPECT_EQ(h.read(C, gicc::kIar), 40u);
    const uint32_t apr = h.read(C, gicc::kApr0);
    EXPECT_EQ(apr, 1u << (0x40 >> 3)); // GIC-400 layout: bit n = priority n << 3
    h.write(C, gicc::kApr0, 0);
    EXPECT_EQ(h.read(C, gicc::kRpr), 0xFFu);
    h.write(C, gicc::kApr0, apr);
    EXPECT_EQ(h.read(C, gicc::kRpr), 0x40u);
}

} // namespace
} // namespace sim::gic::test

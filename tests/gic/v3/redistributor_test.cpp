// GICv3 redistributors: one frame pair per core, TYPER's affinity and Last,
// the WAKER handshake (nothing is forwarded while the core sleeps), and the
// SGI_base registers banked per core.
#include "harness.h"

#include <gtest/gtest.h>

namespace sim::gic::v3::test {
namespace {

constexpr uint32_t kSgi = gicr::kSgiBase;

TEST(V3Redistributor, TyperNamesEachCoresAffinityAndTheLastFrame) {
    Harness h(4);
    for (unsigned core = 0; core < 4; ++core) {
        const uint64_t typer = h.gicr(core, gicr::kTyper, 8);
        EXPECT_EQ(typer >> gicr::kTyperAffinityShift, core);
        EXPECT_EQ(typer >> gicr::kTyperProcessorShift & 0xFFFF, core);
        EXPECT_EQ((typer & gicr::kTyperLast) != 0, core == 3) << core;
        // The same through two 32-bit reads.
        EXPECT_EQ(h.gicr(core, gicr::kTyper + 4) << 32 | h.gicr(core, gicr::kTyper), typer);
    }
    EXPECT_EQ(h.gicr(0, gicr::kPidr2) >> 4 & 0xF, 3u);
}

TEST(V3Redistributor, WakerHandshakeAndSleepingCoreGetsNothing) {
    Harness h(2);
    EXPECT_EQ(h.gicr(0, gicr::kWaker), gicr::kWakerProcessorSleep | gicr::kWakerChildrenAsleep);
    h.set_gicd(gicd::kCtlr, gicd::kCtlrEnableGrp1);
    h.icc(0, R::IccIgrpen1El1, 1);
    h.icc(0, R::IccPmrEl1, 0xFF);
    h.enable_private(0, kVirtualTimerPpi, 0xA0);
    h.gic.set_ppi_level(0, kVirtualTimerPpi, true);
    EXPECT_FALSE(h.gic.lines(0).irq);
    EXPECT_EQ(h.icc(0, R::IccIar1El1), kSpuriousId);
    // The driver clears ProcessorSleep and polls ChildrenAsleep until it reads 0.
    h.set_gicr(0, gicr::kWaker, 0);
    EXPECT_EQ(h.gicr(0, gicr::kWaker) & gicr::kWakerChildrenAsleep, 0u);
    EXPECT_TRUE(h.gic.lines(0).irq);
    EXPECT_FALSE(h.gic.lines(1).irq); // another core's PPI
    // Going back to sleep stops forwarding again.
    h.set_gicr(0, gicr::kWaker, gicr::kWakerProcessorSleep);
    EXPECT_NE(h.gicr(0, gicr::kWaker) & gicr::kWakerChildrenAsleep, 0u);
    EXPECT_FALSE(h.gic.lines(0).irq);
}

TEST(V3Redistributor, SgiEnablesAreProgrammable) {
    Harness h(2);
    EXPECT_EQ(h.gicr(0, kSgi + gicr::kIsenabler0), 0u); // reset: all disabled
    h.set_gicr(0, kSgi + gicr::kIsenabler0, 0x0001'0003);
    EXPECT_EQ(h.gicr(0, kSgi + gicr::kIsenabler0), 0x0001'0003u);
    h.set_gicr(0, kSgi + gicr::kIcenabler0, 0x1);
    EXPECT_EQ(h.gicr(0, kSgi + gicr::kIcenabler0), 0x0001'0002u);
    EXPECT_EQ(h.gicr(1, kSgi + gicr::kIsenabler0), 0u); // banked per core
}

TEST(V3Redistributor, PendingAndActiveWordsActOnTheirCore) {
    Harness h(2);
    h.set_gicr(1, kSgi + gicr::kIspendr0, 1u << 5 | 1u << 20); // an SGI and a PPI
    EXPECT_TRUE(h.gic.common().is_pending(1, 5));
    EXPECT_TRUE(h.gic.common().is_pending(1, 20));
    EXPECT_FALSE(h.gic.common().is_pending(0, 5));
    EXPECT_EQ(h.gicr(1, kSgi + gicr::kIspendr0), 1u << 5 | 1u << 20);
    h.set_gicr(1, kSgi + gicr::kIcpendr0, 1u << 5 | 1u << 20);
    EXPECT_EQ(h.gicr(1, kSgi + gicr::kIspendr0), 0u);
    h.set_gicr(1, kSgi + gicr::kIsactiver0, 1u << 7 | 1u << 27);
    EXPECT_EQ(h.gicr(1, kSgi + gicr::kIsactiver0), 1u << 7 | 1u << 27);
    h.set_gicr(1, kSgi + gicr::kIcactiver0, 1u << 7 | 1u << 27);
    EXPECT_EQ(h.gicr(1, kSgi + gicr::kIsactiver0), 0u);
}

TEST(V3Redistributor, PrioritiesGroupsAndConfigurationAreBanked) {
    Harness h(2);
    h.set_gicr(0, kSgi + gicr::kIpriorityr + 27, 0x50, 1);
    h.set_gicr(1, kSgi + gicr::kIpriorityr + 27, 0xA0, 1);
    EXPECT_EQ(h.gicr(0, kSgi + gicr::kIpriorityr + 27, 1), 0x50u);
    EXPECT_EQ(h.gicr(1, kSgi + gicr::kIpriorityr + 24), 0xA0u << 24);
    h.set_gicr(1, kSgi + gicr::kIgroupr0, 0xFFFF'FFFF);
    EXPECT_EQ(h.gicr(1, kSgi + gicr::kIgroupr0), 0xFFFF'FFFFu);
    EXPECT_EQ(h.gicr(0, kSgi + gicr::kIgroupr0), 0u);
    EXPECT_EQ(h.gicr(0, kSgi + gicr::kIcfgr0), 0xAAAA'AAAAu); // SGIs are edge-triggered
    EXPECT_EQ(h.gicr(0, kSgi + gicr::kIgrpmodr0), 0u);
}

TEST(V3Redistributor, BadAccessesAreCountedNotFatal) {
    Harness h(2);
    EXPECT_EQ(h.gic.redistributor_read(5, gicr::kWaker, 4), 0u); // no such frame
    EXPECT_EQ(h.gicr(0, gicr::kWaker + 1, 4), 0u);               // misaligned
    EXPECT_EQ(h.gicr(0, gicr::kWaker, 2), 0u);                   // bad size
    EXPECT_GE(h.gic.diagnostics().bad_accesses, 3u);
}

} // namespace
} // namespace sim::gic::v3::test

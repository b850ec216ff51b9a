// GICv3 distributor: identification, affinity routing by GICD_IROUTER (one
// core, no core, 1 of N), and the GICv2-only registers gone with ARE.
#include "harness.h"

#include <gtest/gtest.h>

namespace sim::gic::v3::test {
namespace {

constexpr uint32_t kSpi40 = 40;

TEST(V3Distributor, IdentifiesAsGicv3WithAffinityRouting) {
    Harness h;
    EXPECT_EQ(h.gicd(gicd::kPidr2) >> 4 & 0xF, 3u); // ArchRev
    EXPECT_EQ(h.gicd(gicd::kCtlr) & (gicd::kCtlrAre | gicd::kCtlrDs),
              gicd::kCtlrAre | gicd::kCtlrDs);
    const uint64_t typer = h.gicd(gicd::kTyper);
    EXPECT_EQ(typer & 0x1F, 288u / 32 - 1);                 // ITLinesNumber
    EXPECT_EQ(typer >> gicd::kTyperIdBitsShift & 0x1F, 9u); // 10 INTID bits
    EXPECT_EQ(typer >> 17 & 1, 0u);                         // no LPIs
    // ARE cannot be cleared: legacy operation is not modeled.
    h.set_gicd(gicd::kCtlr, 0);
    EXPECT_NE(h.gicd(gicd::kCtlr) & gicd::kCtlrAre, 0u);
}

TEST(V3Distributor, IrouterSendsAnSpiToTheCoreWithThatAffinity) {
    Harness h;
    h.enable_all();
    h.enable_spi(kSpi40, 0x80, 2); // Aff0 = 2
    EXPECT_EQ(h.gicd(gicd::kIrouter + kSpi40 * 8, 8), 2u);
    h.gic.set_level(kSpi40, true);
    for (unsigned core = 0; core < 4; ++core)
        EXPECT_EQ(h.gic.lines(core).irq, core == 2) << core;
    EXPECT_EQ(h.icc(0, R::IccIar1El1), kSpuriousId);
    EXPECT_EQ(h.icc(2, R::IccIar1El1), kSpi40);
}

TEST(V3Distributor, IrouterHalvesAndResetValue) {
    Harness h;
    EXPECT_EQ(h.gicd(gicd::kIrouter + kSpi40 * 8, 8), 0u); // reset: Aff 0.0.0.0
    h.set_gicd(gicd::kIrouter + kSpi40 * 8 + 4, 0x12, 4);  // Aff3
    h.set_gicd(gicd::kIrouter + kSpi40 * 8, 0x0003, 4);
    EXPECT_EQ(h.gicd(gicd::kIrouter + kSpi40 * 8, 8), 0x12'0000'0003ull);
    EXPECT_EQ(h.gicd(gicd::kIrouter + kSpi40 * 8 + 4, 4), 0x12u);
    // SGIs and PPIs have no IROUTER.
    h.set_gicd(gicd::kIrouter + 20 * 8, 1, 8);
    EXPECT_EQ(h.gicd(gicd::kIrouter + 20 * 8, 8), 0u);
}

TEST(V3Distributor, AnAffinityNoCoreHasReachesNoCore) {
    Harness h;
    h.enable_all();
    h.enable_spi(kSpi40, 0x80, 1ull << 8); // Aff1 = 1: no such core on virt
    h.gic.set_level(kSpi40, true);
    for (unsigned core = 0; core < 4; ++core)
        EXPECT_FALSE(h.gic.lines(core).irq) << core;
    // Routed to a core again, it is still pending and arrives.
    h.set_gicd(gicd::kIrouter + kSpi40 * 8, 3, 8);
    EXPECT_TRUE(h.gic.lines(3).irq);
}

TEST(V3Distributor, OneOfNGoesToTheFirstCoreThatAcknowledges) {
    Harness h;
    h.enable_all();
    h.enable_spi(kSpi40, 0x80, gicd::kIrouterIrm);
    h.gic.set_level(kSpi40, true);
    for (unsigned core = 0; core < 4; ++core)
        EXPECT_TRUE(h.gic.lines(core).irq) << core;
    EXPECT_EQ(h.icc(1, R::IccIar1El1), kSpi40);
    for (unsigned core = 0; core < 4; ++core)
        EXPECT_FALSE(h.gic.lines(core).irq) << core; // active: taken by core 1
    EXPECT_EQ(h.icc(0, R::IccIar1El1), kSpuriousId);
}

TEST(V3Distributor, BankedWordsAndGicv2SgirAreGoneWithAre) {
    Harness h;
    h.enable_all();
    // GICD_ISENABLER0 is RAZ/WI: PPI 27 stays disabled.
    h.set_gicd(gic::gicd::kIsenabler, 1u << 27);
    EXPECT_EQ(h.gicd(gic::gicd::kIsenabler), 0u);
    EXPECT_FALSE(h.gic.common().is_enabled(0, 27));
    // GICD_SGIR sends nothing.
    h.enable_private(1, 3, 0x80);
    h.set_gicd(gic::gicd::kSgir, (1u << 1) << 16 | 3);
    EXPECT_FALSE(h.gic.common().is_pending(1, 3));
    EXPECT_GT(h.gic.diagnostics().reserved_writes, 0u);
}

TEST(V3Distributor, SpiConfigurationReachesTheCommonDistributor) {
    Harness h;
    h.enable_all();
    h.enable_spi(kSpi40, 0x40, 0);
    EXPECT_EQ(h.gicd(gic::gicd::kIpriorityr + kSpi40, 1), 0x40u);
    EXPECT_TRUE(h.gic.common().is_enabled(0, kSpi40));
    h.set_gicd(gic::gicd::kIcenabler + 4, 1u << (kSpi40 % 32));
    EXPECT_FALSE(h.gic.common().is_enabled(0, kSpi40));
}

} // namespace
} // namespace sim::gic::v3::test

#include "sim/gic/distributor.h"

#include <gtest/gtest.h>

namespace sim::gic::test {
namespace {

TEST(Distributor, TyperReportsInterruptLinesAndCores) {
    Distributor d({.num_cores = 4, .num_interrupts = 256});
    EXPECT_EQ(d.read(0, gicd::kTyper, 4), 7u | 3u << 5);
    Distributor virt; // QEMU virt: 288 interrupts, 4 cores
    EXPECT_EQ(virt.read(0, gicd::kTyper, 4), 8u | 3u << 5);
    EXPECT_EQ(virt.read(0, gicd::kIidr, 4), gicd::kIidrGic400);
    EXPECT_EQ(virt.read(0, 0xFE8, 4), 0x2Bu); // PIDR2: architecture version 2
}

TEST(Distributor, ConfigurationIsClamped) {
    Distributor d({.num_cores = 99, .num_interrupts = 5000, .priority_bits = 1});
    EXPECT_EQ(d.config().num_cores, kMaxCores);
    EXPECT_EQ(d.config().num_interrupts, 1024u);
    EXPECT_EQ(d.config().priority_bits, 4u);
    EXPECT_FALSE(d.is_pending(0, 1020));
}

TEST(Distributor, EnableSetAndClear) {
    Distributor d;
    d.write(0, gicd::kIsenabler + 4, 0x0000'0300, 4); // SPIs 40, 41
    EXPECT_EQ(d.read(0, gicd::kIsenabler + 4, 4), 0x0000'0300u);
    EXPECT_EQ(d.read(0, gicd::kIcenabler + 4, 4), 0x0000'0300u);
    d.write(0, gicd::kIcenabler + 4, 0x0000'0100, 4);
    EXPECT_FALSE(d.is_enabled(0, 40));
    EXPECT_TRUE(d.is_enabled(0, 41));
}

TEST(Distributor, SgisAreAlwaysEnabledAndPpisBanked) {
    Distributor d;
    d.write(1, gicd::kIcenabler, 0xFFFF'FFFF, 4);
    EXPECT_EQ(d.read(1, gicd::kIsenabler, 4), 0x0000'FFFFu);
    d.write(1, gicd::kIsenabler, 1u << 27, 4);
    EXPECT_TRUE(d.is_enabled(1, 27));
    EXPECT_FALSE(d.is_enabled(0, 27));
}

TEST(Distributor, PriorityByteAndWordAccess) {
    Distributor d; // 5 priority bits: the low 3 bits read as zero
    d.write(0, gicd::kIpriorityr + 33, 0xA5, 1);
    EXPECT_EQ(d.priority(0, 33), 0xA0);
    EXPECT_EQ(d.read(0, gicd::kIpriorityr + 32, 4), 0x0000'A000u);
    EXPECT_EQ(d.read(0, gicd::kIpriorityr + 33, 1), 0xA0u);
    d.write(0, gicd::kIpriorityr + 36, 0x1020'30FF, 4);
    EXPECT_EQ(d.priority(0, 36), 0xF8);
    EXPECT_EQ(d.priority(0, 37), 0x30);
    EXPECT_EQ(d.priority(0, 38), 0x20);
    EXPECT_EQ(d.priority(0, 39), 0x10);
}

TEST(Distributor, PrivatePrioritiesAreBanked) {
    Distributor d;
    d.write(0, gicd::kIpriorityr + 27, 0x40, 1);
    d.write(1, gicd::kIpriorityr + 27, 0x80, 1);
    EXPECT_EQ(d.priority(0, 27), 0x40);
    EXPECT_EQ(d.priority(1, 27), 0x80);
}

TEST(Distributor, PrivateTargetsReadTheAccessingCore) {
    Distributor d;
    EXPECT_EQ(d.read(2, gicd::kItargetsr, 4), 0x0404'0404u);
    EXPECT_EQ(d.read(0, gicd::kItargetsr + 27, 1), 0x01u);
    d.write(2, gicd::kItargetsr, 0xFFFF'FFFF, 4);
    EXPECT_EQ(d.read(2, gicd::kItargetsr, 4), 0x0404'0404u);
    EXPECT_EQ(d.diagnostics().reserved_writes, 4u);
}

TEST(Distributor, SpiTargetsDropNonexistentCores) {
    Distributor d; // 4 cores
    d.write(0, gicd::kItargetsr + 40, 0xFF, 1);
    EXPECT_EQ(d.targets(40), 0x0F);
    EXPECT_EQ(d.read(0, gicd::kItargetsr + 40, 4), 0x0000'000Fu);
}

TEST(Distributor, LevelSensitiveFollowsTheLine) {
    Distributor d;
    d.set_level(40, true);
    EXPECT_TRUE(d.is_pending(0, 40));
    d.set_level(40, false);
    EXPECT_FALSE(d.is_pending(0, 40));
    // A software pend is latched and outlives the line.
    d.write(0, gicd::kIspendr + 4, 1u << 8, 4);
    EXPECT_TRUE(d.is_pending(0, 40));
    d.write(0, gicd::kIcpendr + 4, 1u << 8, 4);
    EXPECT_FALSE(d.is_pending(0, 40));
}

TEST(Distributor, EdgeTriggeredLatchesRisingEdges) {
    Distributor d;
    d.write(0, gicd::kIcfgr + 40 / 16 * 4, 2u << (40 % 16 * 2), 4); // SPI 40 edge
    EXPECT_EQ(d.read(0, gicd::kIcfgr + 8, 4), 2u << 16);
    d.set_level(40, true);
    EXPECT_TRUE(d.is_pending(0, 40));
    d.write(0, gicd::kIcpendr + 4, 1u << 8, 4);
    d.set_level(40, true); // no new edge
    EXPECT_FALSE(d.is_pending(0, 40));
    d.set_level(40, false);
    EXPECT_FALSE(d.is_pending(0, 40));
    d.raise(40);
    EXPECT_TRUE(d.is_pending(0, 40));
}

TEST(Distributor, PrivateTriggerModesAreFixed) {
    Distributor d;
    EXPECT_EQ(d.read(0, gicd::kIcfgr, 4), 0xAAAA'AAAAu); // SGIs: edge
    EXPECT_EQ(d.read(0, gicd::kIcfgr + 4, 4), 0u);       // PPIs: level
    d.write(0, gicd::kIcfgr + 4, 0xFFFF'FFFF, 4);
    EXPECT_EQ(d.read(0, gicd::kIcfgr + 4, 4), 0u);
}

TEST(Distributor, GroupsAreStored) {
    Distributor d;
    d.write(0, gicd::kIgroupr + 4, 0xFFFF'FFFF, 4);
    d.write(1, gicd::kIgroupr, 0x1, 4);
    EXPECT_EQ(d.read(3, gicd::kIgroupr + 4, 4), 0xFFFF'FFFFu);
    EXPECT_EQ(d.read(1, gicd::kIgroupr, 4), 0x1u);
    EXPECT_EQ(d.read(0, gicd::kIgroupr, 4), 0x0u);
}

TEST(Distributor, ActiveSetAndClear) {
    Distributor d;
    d.write(0, gicd::kIsactiver + 4, 1u << 8, 4);
    EXPECT_TRUE(d.is_active(0, 40));
    d.write(0, gicd::kIcactiver + 4, 1u << 8, 4);
    EXPECT_FALSE(d.is_active(0, 40));
}

TEST(Distributor, InterruptsBeyondTheLinesAreRazWi) {
    Distributor d({.num_cores = 4, .num_interrupts = 64});
    d.write(0, gicd::kIsenabler + 8, 0xFFFF'FFFF, 4);
    EXPECT_EQ(d.read(0, gicd::kIsenabler + 8, 4), 0u);
    d.write(0, gicd::kIpriorityr + 70, 0x80, 1);
    EXPECT_EQ(d.read(0, gicd::kIpriorityr + 70, 1), 0u);
    d.set_level(70, true);
    EXPECT_EQ(d.diagnostics().bad_inputs, 1u);
}

TEST(Distributor, BadInputIsCountedNeverFatal) {
    Distributor d;
    EXPECT_EQ(d.read(0, 0xD04, 4), 0u);       // reserved
    EXPECT_EQ(d.read(0, gicd::kSgir, 4), 0u); // write-only
    d.write(0, 0xE00, 1, 4);
    d.write(0, gicd::kTyper, 1, 4); // read-only
    EXPECT_EQ(d.diagnostics().reserved_reads, 2u);
    EXPECT_EQ(d.diagnostics().reserved_writes, 2u);
    EXPECT_EQ(d.read(0, gicd::kCtlr, 1), 0u);           // byte access to a word register
    EXPECT_EQ(d.read(0, gicd::kIpriorityr + 1, 4), 0u); // misaligned
    EXPECT_EQ(d.read(0, gicd::kCtlr, 2), 0u);
    EXPECT_EQ(d.read(9, gicd::kCtlr, 4), 0u); // no such core
    EXPECT_EQ(d.read(0, 0x1000, 4), 0u);      // outside the frame
    EXPECT_EQ(d.diagnostics().bad_accesses, 5u);
    d.set_level(5, true);         // an SGI has no line
    d.set_ppi_level(0, 40, true); // not a PPI
    d.set_ppi_level(7, 27, true); // no such core
    d.deactivate(0, 2000, 0);
    EXPECT_EQ(d.diagnostics().bad_inputs, 4u);
}

TEST(Distributor, SgiPendingRegistersAreBankedByTarget) {
    Distributor d;
    d.write(0, gicd::kSgir, 5u | 0x02u << gicd::kSgirTargetShift, 4); // SGI 5 to core 1
    EXPECT_EQ(d.read(1, gicd::kSpendsgir + 5, 1), 0x01u);             // from core 0
    EXPECT_EQ(d.read(0, gicd::kSpendsgir + 5, 1), 0x00u);
    EXPECT_EQ(d.read(1, gicd::kIspendr, 4), 1u << 5);
    d.write(1, gicd::kSpendsgir + 4, 0x0000'0C00, 4); // SGI 5 from cores 2 and 3
    EXPECT_EQ(d.read(1, gicd::kCpendsgir + 4, 4), 0x0000'0D00u);
    d.write(1, gicd::kCpendsgir + 5, 0x01, 1);
    EXPECT_EQ(d.read(1, gicd::kSpendsgir + 5, 1), 0x0Cu);
    d.write(1, gicd::kSpendsgir + 6, 0xF0, 1); // sources beyond 4 cores are dropped
    EXPECT_EQ(d.read(1, gicd::kSpendsgir + 6, 1), 0x00u);
}

TEST(Distributor, SgirTargetFilters) {
    Distributor d;
    d.write(2, gicd::kSgir, 1u << gicd::kSgirFilterShift | 7, 4); // all but self
    EXPECT_TRUE(d.is_pending(0, 7));
    EXPECT_TRUE(d.is_pending(1, 7));
    EXPECT_FALSE(d.is_pending(2, 7));
    EXPECT_TRUE(d.is_pending(3, 7));
    d.write(3, gicd::kSgir, 2u << gicd::kSgirFilterShift | 8, 4); // self
    EXPECT_TRUE(d.is_pending(3, 8));
    EXPECT_FALSE(d.is_pending(0, 8));
    d.write(3, gicd::kSgir, 3u << gicd::kSgirFilterShift | 9, 4); // reserved
    for (unsigned core = 0; core < 4; ++core) {
        EXPECT_FALSE(d.is_pending(core, 9));
    }
    EXPECT_EQ(d.diagnostics().bad_inputs, 1u);
}

} // namespace
} // namespace sim::gic::test

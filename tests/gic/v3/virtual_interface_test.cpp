// GICv3 virtual interface: the list-register state machine as a guest drives
// it through ICV_IAR1/EOIR1/DIR (pending -> active -> inactive), ELRSR, EISR
// and MISR, the maintenance interrupt (PPI 25), EOIcount, the virtual
// priority mask, and a hardware-linked entry deactivating its physical SPI.
#include "harness.h"

#include <gtest/gtest.h>

namespace sim::gic::v3::test {
namespace {

using ich::make_hw_lr;
using ich::make_lr;

constexpr uint64_t lr_state(uint64_t lr) {
    return lr >> ich::kLrStateShift & 3;
}

// hv's set-up: the interface on, the guest's group 1 on and its mask open.
void enable_virtual(Harness& h, unsigned core, bool eoi_mode = false) {
    h.icc(core, R::IchHcrEl2, ich::kHcrEn);
    h.icv(core, R::IccIgrpen1El1, 1);
    h.icv(core, R::IccPmrEl1, 0xFF);
    h.icv(core, R::IccCtlrEl1, eoi_mode ? icc::kCtlrEoiMode : 0);
}

TEST(V3VirtualInterface, VtrReportsFourListRegisters) {
    Harness h(1);
    const uint64_t vtr = h.icc(0, R::IchVtrEl2);
    EXPECT_EQ(vtr & 0x1F, 3u);    // ListRegs - 1
    EXPECT_EQ(vtr >> 29 & 7, 4u); // PRIbits - 1
    EXPECT_EQ(vtr >> 26 & 7, 4u); // PREbits - 1
    EXPECT_EQ(h.icc(0, R::IchElrsrEl2), 0xFu);
    h.lr(0, 4, make_lr(30, 0xA0, ich::kLrStatePending)); // beyond ListRegs: counted
    EXPECT_EQ(h.lr(0, 4), 0u);
}

TEST(V3VirtualInterface, PendingActiveInactiveThroughIcvRegisters) {
    Harness h(1);
    enable_virtual(h, 0);
    h.lr(0, 1, make_lr(27, 0xA0, ich::kLrStatePending));
    EXPECT_TRUE(h.gic.lines(0).virtual_irq);
    EXPECT_FALSE(h.gic.lines(0).irq);
    EXPECT_EQ(h.icc(0, R::IchElrsrEl2), 0b1101u);
    EXPECT_EQ(h.icv(0, R::IccHppir1El1), 27u);
    EXPECT_EQ(h.icv(0, R::IccIar1El1), 27u);
    EXPECT_EQ(lr_state(h.lr(0, 1)), ich::kLrStateActive);
    EXPECT_EQ(h.icv(0, R::IccRprEl1), 0xA0u);
    EXPECT_FALSE(h.gic.lines(0).virtual_irq);
    h.icv(0, R::IccEoir1El1, 27);
    EXPECT_EQ(lr_state(h.lr(0, 1)), ich::kLrStateInvalid);
    EXPECT_EQ(h.icv(0, R::IccRprEl1), kIdlePriority);
    EXPECT_EQ(h.icc(0, R::IchElrsrEl2), 0xFu);
    // The physical interface was not touched.
    EXPECT_EQ(h.icc(0, R::IccRprEl1), kIdlePriority);
}

TEST(V3VirtualInterface, HighestPriorityListRegisterIsAcknowledgedFirst) {
    Harness h(1);
    enable_virtual(h, 0);
    h.lr(0, 0, make_lr(40, 0xC0, ich::kLrStatePending));
    h.lr(0, 2, make_lr(41, 0x40, ich::kLrStatePending));
    EXPECT_EQ(h.icv(0, R::IccIar1El1), 41u);
    EXPECT_EQ(h.icv(0, R::IccIar1El1), kSpuriousId); // 0xC0 does not preempt 0x40
    h.icv(0, R::IccEoir1El1, 41);
    EXPECT_EQ(h.icv(0, R::IccIar1El1), 40u);
}

TEST(V3VirtualInterface, VirtualPriorityMaskLivesInVmcr) {
    Harness h(1);
    enable_virtual(h, 0);
    h.icv(0, R::IccPmrEl1, 0x80);
    EXPECT_EQ(h.icc(0, R::IchVmcrEl2) >> ich::kVmcrPmrShift, 0x80u);
    EXPECT_EQ(h.icc(0, R::IccPmrEl1), 0u); // the physical mask is another register
    h.lr(0, 0, make_lr(27, 0x80, ich::kLrStatePending));
    EXPECT_FALSE(h.gic.lines(0).virtual_irq);
    EXPECT_EQ(h.icv(0, R::IccIar1El1), kSpuriousId);
    h.icc(0, R::IchVmcrEl2, h.icc(0, R::IchVmcrEl2) | 0xF0ull << ich::kVmcrPmrShift);
    EXPECT_TRUE(h.gic.lines(0).virtual_irq);
}

TEST(V3VirtualInterface, EoiBitRaisesTheMaintenanceInterrupt) {
    Harness h(1);
    h.set_gicd(gicd::kCtlr, gicd::kCtlrEnableGrp1);
    h.wake(0);
    h.icc(0, R::IccIgrpen1El1, 1);
    h.icc(0, R::IccPmrEl1, 0xFF);
    h.enable_private(0, kMaintenancePpi, 0x00);
    enable_virtual(h, 0);
    h.lr(0, 3, make_lr(50, 0xA0, ich::kLrStatePending) | ich::kLrEoi);
    ASSERT_EQ(h.icv(0, R::IccIar1El1), 50u);
    EXPECT_FALSE(h.gic.maintenance(0));
    h.icv(0, R::IccEoir1El1, 50);
    EXPECT_EQ(h.icc(0, R::IchEisrEl2), 1u << 3);
    EXPECT_EQ(h.icc(0, R::IchElrsrEl2) & (1u << 3), 0u); // owed its EOI: not free
    EXPECT_EQ(h.icc(0, R::IchMisrEl2) & gich::kMisrEoi, gich::kMisrEoi);
    EXPECT_TRUE(h.gic.maintenance(0));
    EXPECT_TRUE(h.gic.lines(0).irq); // PPI 25 to hv
    EXPECT_EQ(h.icc(0, R::IccIar1El1), kMaintenancePpi);
    h.lr(0, 3, 0); // hv takes the entry back
    EXPECT_FALSE(h.gic.maintenance(0));
    h.icc(0, R::IccEoir1El1, kMaintenancePpi);
    EXPECT_FALSE(h.gic.lines(0).irq);
}

TEST(V3VirtualInterface, EoiModeOneAndEoiCountForAnEvictedInterrupt) {
    Harness h(1);
    enable_virtual(h, 0, true);
    h.icc(0, R::IchHcrEl2, ich::kHcrEn | gich::kHcrLrenpie);
    h.lr(0, 0, make_lr(33, 0x80, ich::kLrStatePending));
    ASSERT_EQ(h.icv(0, R::IccIar1El1), 33u);
    h.icv(0, R::IccEoir1El1, 33);
    EXPECT_EQ(h.icv(0, R::IccRprEl1), kIdlePriority);
    EXPECT_EQ(lr_state(h.lr(0, 0)), ich::kLrStateActive); // dropped, not deactivated
    h.icv(0, R::IccDirEl1, 33);
    EXPECT_EQ(lr_state(h.lr(0, 0)), ich::kLrStateInvalid);
    // Deactivating an interrupt no list register holds counts it for hv.
    h.icv(0, R::IccDirEl1, 77);
    EXPECT_EQ(h.icc(0, R::IchHcrEl2) >> ich::kHcrEoiCountShift, 1u);
    EXPECT_NE(h.icc(0, R::IchMisrEl2) & gich::kMisrLrenp, 0u);
}

TEST(V3VirtualInterface, HardwareLinkDeactivatesThePhysicalInterrupt) {
    Harness h(1);
    h.enable_all();
    h.enable_spi(48, 0x80, 0);
    h.gic.set_level(48, true);
    // hv takes the physical interrupt (EOImode 1: drop now, deactivate later
    // through the guest) and hands it to the guest hardware-linked.
    h.icc(0, R::IccCtlrEl1, icc::kCtlrEoiMode);
    ASSERT_EQ(h.icc(0, R::IccIar1El1), 48u);
    h.icc(0, R::IccEoir1El1, 48);
    EXPECT_TRUE(h.gic.common().is_active(0, 48));
    enable_virtual(h, 0);
    h.lr(0, 0, make_hw_lr(48, 48, 0x80, ich::kLrStatePending));
    ASSERT_EQ(h.icv(0, R::IccIar1El1), 48u);
    h.gic.set_level(48, false);
    h.icv(0, R::IccEoir1El1, 48);
    EXPECT_FALSE(h.gic.common().is_active(0, 48));
    EXPECT_EQ(h.icc(0, R::IchEisrEl2), 0u); // a hardware entry owes no maintenance EOI
    EXPECT_EQ(h.icc(0, R::IchElrsrEl2), 0xFu);
}

TEST(V3VirtualInterface, UnderflowAndNoPendingMaintenance) {
    Harness h(1);
    enable_virtual(h, 0);
    h.icc(0, R::IchHcrEl2, ich::kHcrEn | gich::kHcrUie | gich::kHcrNpie);
    h.lr(0, 0, make_lr(30, 0x80, ich::kLrStatePending));
    h.lr(0, 1, make_lr(31, 0x80, ich::kLrStatePending));
    EXPECT_EQ(h.icc(0, R::IchMisrEl2) & (gich::kMisrU | gich::kMisrNp), 0u);
    ASSERT_EQ(h.icv(0, R::IccIar1El1), 30u);
    h.icv(0, R::IccEoir1El1, 30);
    EXPECT_NE(h.icc(0, R::IchMisrEl2) & gich::kMisrU, 0u); // one valid entry left
    ASSERT_EQ(h.icv(0, R::IccIar1El1), 31u);
    EXPECT_NE(h.icc(0, R::IchMisrEl2) & gich::kMisrNp, 0u); // none pending
}

} // namespace
} // namespace sim::gic::v3::test

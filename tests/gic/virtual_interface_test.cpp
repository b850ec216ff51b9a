#include "tests/gic/harness.h"

#include <gtest/gtest.h>

namespace sim::gic::test {
namespace {

using gich::kLrStateActive;
using gich::kLrStateInvalid;
using gich::kLrStatePending;
using gich::make_hw_lr;
using gich::make_lr;

TEST(VirtualInterface, ReportsGic400Geometry) {
    Harness h;
    EXPECT_EQ(h.read(H, gich::kVtr), 0x9000'0003u);
    EXPECT_EQ(h.read(H, gich::kElrsr0), 0xFu); // all four list registers free
    EXPECT_EQ(h.read(V, gicv::kBpr), 2u);
    EXPECT_EQ(h.read(V, gicv::kAbpr), 3u);
    EXPECT_EQ(h.read(V, gicv::kRpr), 0xFFu);
}

TEST(VirtualInterface, ListRegisterInjectionAcknowledgeAndEoi) {
    Harness h;
    h.enable_virtual(1);
    h.write_lr(1, 0, make_lr(27, 0xA0, kLrStatePending));
    EXPECT_TRUE(h.gic.virq_line(1));
    EXPECT_FALSE(h.gic.virq_line(0));
    EXPECT_EQ(h.read(H, gich::kElrsr0, 1), 0xEu);
    EXPECT_EQ(h.read(V, gicv::kHppir, 1), 27u);
    EXPECT_EQ(h.read(V, gicv::kIar, 1), 27u);
    EXPECT_FALSE(h.gic.virq_line(1)); // deasserted on acknowledge
    EXPECT_EQ(lr_state(h.read_lr(1, 0)), kLrStateActive);
    EXPECT_EQ(h.read(V, gicv::kRpr, 1), 0xA0u);
    EXPECT_EQ(h.read(H, gich::kApr, 1), 1u << (0xA0 >> 3));
    h.write(V, gicv::kEoir, 27, 1);
    EXPECT_EQ(lr_state(h.read_lr(1, 0)), kLrStateInvalid);
    EXPECT_EQ(h.read(V, gicv::kRpr, 1), 0xFFu);
    EXPECT_EQ(h.read(H, gich::kElrsr0, 1), 0xFu);
}

TEST(VirtualInterface, NothingDeliveredWithoutEnables) {
    Harness h;
    h.write_lr(0, 0, make_lr(40, 0x80, kLrStatePending));
    h.write(V, gicv::kCtlr, gicv::kCtlrEnableGrp0);
    h.write(V, gicv::kPmr, 0xFF);
    EXPECT_FALSE(h.gic.virq_line(0)); // GICH_HCR.En = 0
    EXPECT_EQ(h.read(V, gicv::kIar), kSpuriousId);
    h.write(H, gich::kHcr, gich::kHcrEn);
    EXPECT_TRUE(h.gic.virq_line(0));
    h.write(V, gicv::kCtlr, 0);
    EXPECT_FALSE(h.gic.virq_line(0)); // the guest disabled group 0
}

TEST(VirtualInterface, PriorityOrderingMaskAndPreemption) {
    Harness h;
    h.enable_virtual(0);
    h.write(V, gicv::kPmr, 0xC0);
    h.write_lr(0, 0, make_lr(40, 0xC0, kLrStatePending)); // masked by PMR
    h.write_lr(0, 1, make_lr(41, 0x80, kLrStatePending));
    h.write_lr(0, 2, make_lr(42, 0x40, kLrStatePending));
    EXPECT_EQ(h.read(V, gicv::kIar), 42u);
    EXPECT_FALSE(h.gic.virq_line(0)); // 0x80 does not preempt 0x40
    h.write_lr(0, 3, make_lr(43, 0x20, kLrStatePending));
    EXPECT_TRUE(h.gic.virq_line(0));
    EXPECT_EQ(h.read(V, gicv::kIar), 43u);
    EXPECT_EQ(h.read(V, gicv::kRpr), 0x20u);
    h.write(V, gicv::kEoir, 43);
    h.write(V, gicv::kEoir, 42);
    EXPECT_EQ(h.read(V, gicv::kIar), 41u);
    h.write(V, gicv::kEoir, 41);
    EXPECT_FALSE(h.gic.virq_line(0));
    EXPECT_EQ(h.read(V, gicv::kIar), kSpuriousId);
    h.write(V, gicv::kPmr, 0xF8);
    EXPECT_EQ(h.read(V, gicv::kIar), 40u);
}

TEST(VirtualInterface, VmcrMirrorsTheGuestsControlRegisters) {
    Harness h;
    h.write(V, gicv::kCtlr, gicv::kCtlrEnableGrp0 | gicv::kCtlrEoiMode);
    h.write(V, gicv::kPmr, 0xA8);
    h.write(V, gicv::kBpr, 4);
    const uint32_t vmcr = h.read(H, gich::kVmcr);
    EXPECT_EQ(vmcr & gich::kVmcrCtlrMask, gicv::kCtlrEnableGrp0 | gicv::kCtlrEoiMode);
    EXPECT_EQ(vmcr >> gich::kVmcrPmrShift, 0xA8u >> 3);
    EXPECT_EQ(vmcr >> gich::kVmcrBpShift & 7, 4u);
    // hv restores another vCPU's state through the VMCR.
    h.write(H, gich::kVmcr, 0);
    EXPECT_EQ(h.read(V, gicv::kCtlr), 0u);
    EXPECT_EQ(h.read(V, gicv::kBpr), 2u); // clamped
    h.write(H, gich::kVmcr, vmcr);
    EXPECT_EQ(h.read(V, gicv::kPmr), 0xA8u);
}

TEST(VirtualInterface, HardwareLinkedEoiDeactivatesThePhysicalInterrupt) {
    Harness h;
    h.enable_all(/*split_eoi=*/true); // hv's configuration, as Bao's
    h.enable_spi(40, 0xA0);
    h.enable_virtual(0);
    h.gic.set_level(40, true);
    // hv takes the physical interrupt, drops its priority, and injects it.
    ASSERT_EQ(h.read(C, gicc::kIar), 40u);
    h.write(C, gicc::kEoir, 40);
    EXPECT_TRUE(h.gic.distributor().is_active(0, 40));
    h.write_lr(0, 0, make_hw_lr(/*virtual_id=*/72, /*physical_id=*/40, 0xA0, kLrStatePending));
    EXPECT_TRUE(h.gic.virq_line(0));
    EXPECT_FALSE(h.gic.irq_line(0)); // still active physically
    EXPECT_EQ(h.read(V, gicv::kIar), 72u);
    h.gic.set_level(40, false); // the guest's handler quietens the device
    h.write(V, gicv::kEoir, 72);
    EXPECT_FALSE(h.gic.distributor().is_active(0, 40));
    EXPECT_EQ(lr_state(h.read_lr(0, 0)), kLrStateInvalid);
    EXPECT_EQ(h.read(H, gich::kElrsr0), 0xFu);
    EXPECT_EQ(h.read(H, gich::kEisr0), 0u); // HW entries never request EOI maintenance
}

TEST(VirtualInterface, SplitVirtualEoiDeactivatesOnDir) {
    Harness h;
    h.enable_virtual(0);
    h.write(V, gicv::kCtlr, gicv::kCtlrEnableGrp0 | gicv::kCtlrEoiMode);
    h.write_lr(0, 0, make_lr(33, 0x80, kLrStatePending));
    EXPECT_EQ(h.read(V, gicv::kIar), 33u);
    h.write(V, gicv::kEoir, 33);
    EXPECT_EQ(h.read(V, gicv::kRpr), 0xFFu);
    EXPECT_EQ(lr_state(h.read_lr(0, 0)), kLrStateActive);
    h.write(V, gicv::kDir, 33);
    EXPECT_EQ(lr_state(h.read_lr(0, 0)), kLrStateInvalid);
}

TEST(VirtualInterface, VirtualSgiCarriesItsSource) {
    Harness h;
    h.enable_virtual(0);
    const uint32_t from_cpu3 = 3u << gich::kLrCpuIdShift;
    h.write_lr(0, 0, make_lr(2, 0x80, kLrStatePending) | from_cpu3);
    h.write_lr(0, 1, make_lr(2, 0x80, kLrStatePending) | 1u << gich::kLrCpuIdShift);
    EXPECT_EQ(h.read(V, gicv::kIar), 2u | 3u << 10);
    h.write(V, gicv::kEoir, 2u | 3u << 10);
    EXPECT_EQ(lr_state(h.read_lr(0, 0)), kLrStateInvalid);
    EXPECT_EQ(lr_state(h.read_lr(0, 1)), kLrStatePending);
}

TEST(VirtualInterface, PendingAndActiveBecomesPendingOnDeactivation) {
    Harness h;
    h.enable_virtual(0);
    h.write_lr(0, 0, make_lr(40, 0x80, kLrStatePending));
    EXPECT_EQ(h.read(V, gicv::kIar), 40u);
    h.write_lr(0, 0, make_lr(40, 0x80, gich::kLrStatePendingActive));
    EXPECT_FALSE(h.gic.virq_line(0));
    h.write(V, gicv::kEoir, 40);
    EXPECT_EQ(lr_state(h.read_lr(0, 0)), kLrStatePending);
    EXPECT_TRUE(h.gic.virq_line(0));
}

TEST(VirtualInterface, Group1NeedsAckCtlOrTheAliasedRegisters) {
    Harness h;
    h.enable_virtual(0);
    h.write(V, gicv::kCtlr, gicv::kCtlrEnableGrp1);
    h.write_lr(0, 0, make_lr(45, 0x80, kLrStatePending, /*group1=*/true));
    EXPECT_TRUE(h.gic.virq_line(0));
    EXPECT_EQ(h.read(V, gicv::kHppir), kGroup1SpuriousId);
    EXPECT_EQ(h.read(V, gicv::kIar), kGroup1SpuriousId);
    EXPECT_EQ(h.read(V, gicv::kAhppir), 45u);
    EXPECT_EQ(h.read(V, gicv::kAiar), 45u);
    h.write(V, gicv::kAeoir, 45);
    EXPECT_EQ(lr_state(h.read_lr(0, 0)), kLrStateInvalid);
    h.write(V, gicv::kCtlr, gicv::kCtlrEnableGrp1 | gicv::kCtlrAckCtl);
    h.write_lr(0, 0, make_lr(46, 0x80, kLrStatePending, /*group1=*/true));
    EXPECT_EQ(h.read(V, gicv::kIar), 46u);
}

TEST(VirtualInterface, Group0AsFiqWhenFiqEnabled) {
    Harness h;
    h.enable_virtual(0);
    h.write(V, gicv::kCtlr, gicv::kCtlrEnableGrp0 | gicv::kCtlrFiqEn);
    h.write_lr(0, 0, make_lr(40, 0x80, kLrStatePending));
    EXPECT_FALSE(h.gic.virq_line(0));
    EXPECT_TRUE(h.gic.vfiq_line(0));
}

// More pending virtual interrupts than list registers: hv asks for the
// underflow / no-pending maintenance interrupt and refills.
TEST(VirtualInterface, OverflowRaisesMaintenanceForRefill) {
    Harness h;
    h.enable_all();
    h.enable_ppi(0, kMaintenancePpi, 0x00);
    h.enable_virtual(0, gich::kHcrUie);
    for (unsigned i = 0; i < 4; ++i) {
        h.write_lr(0, i, make_lr(40 + i, 0x80, kLrStatePending));
    }
    EXPECT_EQ(h.read(H, gich::kElrsr0), 0u);
    EXPECT_FALSE(h.gic.maintenance(0));
    for (unsigned i = 0; i < 3; ++i) {
        const uint32_t id = h.read(V, gicv::kIar);
        EXPECT_EQ(id, 40 + i);
        h.write(V, gicv::kEoir, id);
    }
    // One valid entry left: underflow.
    EXPECT_EQ(h.read(H, gich::kMisr), gich::kMisrU);
    EXPECT_TRUE(h.gic.maintenance(0));
    EXPECT_TRUE(h.gic.distributor().is_pending(0, kMaintenancePpi));
    EXPECT_TRUE(h.gic.irq_line(0));
    EXPECT_EQ(h.read(H, gich::kElrsr0), 0x7u);
    // hv refills two entries from its queue; the condition clears.
    EXPECT_EQ(h.read(C, gicc::kIar), kMaintenancePpi);
    h.write_lr(0, 0, make_lr(44, 0x80, kLrStatePending));
    h.write_lr(0, 1, make_lr(45, 0x80, kLrStatePending));
    EXPECT_EQ(h.read(H, gich::kMisr), 0u);
    EXPECT_FALSE(h.gic.distributor().is_pending(0, kMaintenancePpi));
    h.write(C, gicc::kEoir, kMaintenancePpi);
    EXPECT_FALSE(h.gic.irq_line(0));
    // No-pending: with NPIE, once nothing is pending any more.
    h.write(H, gich::kHcr, gich::kHcrEn | gich::kHcrNpie);
    EXPECT_EQ(h.read(H, gich::kMisr), 0u);
    for (unsigned i = 0; i < 3; ++i) {
        h.write(V, gicv::kEoir, h.read(V, gicv::kIar));
    }
    EXPECT_EQ(h.read(H, gich::kMisr), gich::kMisrNp);
    EXPECT_TRUE(h.gic.maintenance(0));
}

TEST(VirtualInterface, EoiMaintenanceAndElrsr) {
    Harness h;
    h.enable_virtual(0);
    h.write_lr(0, 2, make_lr(40, 0x80, kLrStatePending) | gich::kLrEoi);
    EXPECT_EQ(h.read(V, gicv::kIar), 40u);
    h.write(V, gicv::kEoir, 40);
    EXPECT_EQ(h.read(H, gich::kEisr0), 1u << 2);
    EXPECT_EQ(h.read(H, gich::kElrsr0), 0xBu); // not free until hv has seen the EOI
    EXPECT_EQ(h.read(H, gich::kMisr), gich::kMisrEoi);
    EXPECT_TRUE(h.gic.maintenance(0));
    h.write_lr(0, 2, 0);
    EXPECT_EQ(h.read(H, gich::kEisr0), 0u);
    EXPECT_EQ(h.read(H, gich::kElrsr0), 0xFu);
    EXPECT_FALSE(h.gic.maintenance(0));
}

TEST(VirtualInterface, EoiWithoutListRegisterCountsForLrenp) {
    Harness h;
    h.enable_virtual(0, gich::kHcrLrenpie);
    h.write_lr(0, 0, make_lr(40, 0x80, kLrStatePending));
    EXPECT_EQ(h.read(V, gicv::kIar), 40u);
    h.write_lr(0, 0, 0); // hv evicted the active entry to its own queue
    h.write(V, gicv::kEoir, 40);
    EXPECT_EQ(h.read(H, gich::kHcr) >> gich::kHcrEoiCountShift, 1u);
    EXPECT_EQ(h.read(H, gich::kMisr), gich::kMisrLrenp);
    h.write(H, gich::kHcr, gich::kHcrEn | gich::kHcrLrenpie); // hv consumed the count
    EXPECT_EQ(h.read(H, gich::kMisr), 0u);
}

TEST(VirtualInterface, GroupEnableMaintenanceConditions) {
    Harness h;
    h.write(H, gich::kHcr, gich::kHcrEn | gich::kHcrVgrp0eie | gich::kHcrVgrp1die);
    EXPECT_EQ(h.read(H, gich::kMisr), gich::kMisrVgrp1d);
    h.write(V, gicv::kCtlr, gicv::kCtlrEnableGrp0 | gicv::kCtlrEnableGrp1);
    EXPECT_EQ(h.read(H, gich::kMisr), gich::kMisrVgrp0e);
}

TEST(VirtualInterface, ListRegistersBeyondFourAreRazWi) {
    Harness h;
    h.write_lr(0, 4, make_lr(40, 0x80, kLrStatePending));
    EXPECT_EQ(h.read_lr(0, 4), 0u);
    h.write(H, gich::kMisr, 0xFF);
    EXPECT_EQ(h.gic.diagnostics().reserved_writes, 2u);
    EXPECT_EQ(h.gic.diagnostics().reserved_reads, 1u);
    h.gic.mmio_read(V, 0, gicv::kIar, 1);
    EXPECT_EQ(h.gic.diagnostics().bad_accesses, 1u);
}

TEST(VirtualInterface, ControlInterfacesAreBankedPerCore) {
    Harness h;
    h.enable_virtual(2);
    h.write_lr(2, 0, make_lr(40, 0x80, kLrStatePending));
    EXPECT_EQ(h.read_lr(0, 0), 0u);
    EXPECT_EQ(h.read(V, gicv::kIar, 0), kSpuriousId);
    EXPECT_EQ(h.read(V, gicv::kIar, 2), 40u);
}

} // namespace
} // namespace sim::gic::test

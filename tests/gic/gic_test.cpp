#include "tests/gic/harness.h"

#include <gtest/gtest.h>

#include <vector>

namespace sim::gic::test {
namespace {

TEST(Gic, DecodesQemuVirtAddresses) {
    const AddressMap map;
    auto d = decode(map, 0x0800'0F00);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->frame, Frame::Distributor);
    EXPECT_EQ(d->offset, 0xF00u);
    d = decode(map, 0x0801'1000);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->frame, Frame::CpuInterface);
    EXPECT_EQ(d->offset, gicc::kDir);
    EXPECT_EQ(decode(map, 0x0803'0100)->frame, Frame::VirtualControl);
    EXPECT_EQ(decode(map, 0x0804'000C)->frame, Frame::VirtualCpuInterface);
    EXPECT_FALSE(decode(map, 0x0802'0000).has_value());
    EXPECT_FALSE(decode(map, 0x0900'0000).has_value());
}

TEST(Gic, ListenerAndChangeMaskReportLineChanges) {
    Harness h;
    std::vector<std::pair<unsigned, CoreLines>> seen;
    h.gic.set_line_listener(
        [&](unsigned core, const CoreLines& lines) { seen.emplace_back(core, lines); });
    h.enable_all();
    h.enable_spi(40, 0x80, /*targets=*/0x02);
    EXPECT_TRUE(seen.empty());
    h.gic.take_changed_cores();
    h.gic.set_level(40, true);
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].first, 1u);
    EXPECT_TRUE(seen[0].second.irq);
    EXPECT_EQ(h.gic.take_changed_cores(), 0x2u);
    EXPECT_EQ(h.gic.take_changed_cores(), 0u);
    h.gic.set_level(40, true); // no change, no call
    EXPECT_EQ(seen.size(), 1u);
    EXPECT_EQ(h.read(C, gicc::kIar, 1), 40u);
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_FALSE(seen[1].second.irq);
}

TEST(Gic, ListenerMayCallBackIntoTheGic) {
    Harness h;
    unsigned calls = 0;
    uint32_t acknowledged = 0;
    h.gic.set_line_listener([&](unsigned core, const CoreLines& lines) {
        ++calls;
        if (lines.irq) {
            acknowledged = h.gic.mmio_read(C, core, gicc::kIar, 4); // as an eager handler would
        }
    });
    h.enable_all();
    h.enable_spi(40, 0x80);
    h.gic.raise(40);
    EXPECT_EQ(acknowledged, 40u);
    EXPECT_FALSE(h.gic.irq_line(0));
    EXPECT_EQ(calls, 2u); // raised, then dropped by the acknowledge
}

// Architecture flow 3: a timer expiry reaches the guest through hv's
// re-injection, and the guest's EOI deactivates the physical interrupt.
TEST(Gic, TimerInterruptEndToEnd) {
    Harness h;
    const unsigned core = 1;
    h.enable_all(/*split_eoi=*/true);
    h.enable_ppi(core, kVirtualTimerPpi, 0xA0);
    h.enable_virtual(core);

    // The guest arms its virtual timer 1000 ticks ahead at cycle 6000.
    h.gic.timer_write(core, TimerRegister::CntvTvalEl0, 1000, 6'000);
    h.gic.timer_write(core, TimerRegister::CntvCtlEl0, GenericTimer::kCtlEnable, 6'000);
    const uint64_t expiry = h.gic.next_event_cycle(core);
    EXPECT_EQ(expiry, 6'000u + 12'000u);
    h.gic.update_timers(expiry - 1);
    EXPECT_FALSE(h.gic.irq_line(core));
    h.gic.update_timers(expiry);
    EXPECT_TRUE(h.gic.irq_line(core));
    EXPECT_FALSE(h.gic.irq_line(0));

    // hv: acknowledge, priority drop, inject hardware-linked.
    ASSERT_EQ(h.read(C, gicc::kIar, core), kVirtualTimerPpi);
    h.write(C, gicc::kEoir, kVirtualTimerPpi, core);
    h.write_lr(core, 0,
               gich::make_hw_lr(kVirtualTimerPpi, kVirtualTimerPpi, 0xA0, gich::kLrStatePending));
    EXPECT_FALSE(h.gic.irq_line(core)); // physically active until the guest's EOI
    EXPECT_TRUE(h.gic.virq_line(core));

    // Guest: acknowledge, silence the timer, EOI.
    ASSERT_EQ(h.read(V, gicv::kIar, core), kVirtualTimerPpi);
    EXPECT_FALSE(h.gic.virq_line(core));
    h.gic.timer_write(core, TimerRegister::CntvCtlEl0, 0, expiry + 500);
    h.write(V, gicv::kEoir, kVirtualTimerPpi, core);
    EXPECT_FALSE(h.gic.distributor().is_active(core, kVirtualTimerPpi));
    EXPECT_FALSE(h.gic.distributor().is_pending(core, kVirtualTimerPpi));
    EXPECT_FALSE(h.gic.irq_line(core));
    EXPECT_EQ(h.read(H, gich::kElrsr0, core), 0xFu);
    EXPECT_EQ(h.gic.diagnostics().unmatched_eois, 0u);
}

TEST(Gic, MaintenanceInterruptIsWiredToPpi25) {
    Harness h;
    h.enable_all();
    h.enable_ppi(3, kMaintenancePpi, 0x00);
    h.write(H, gich::kHcr, gich::kHcrEn | gich::kHcrNpie, 3);
    EXPECT_TRUE(h.gic.maintenance(3));
    EXPECT_TRUE(h.gic.distributor().line_level(3, kMaintenancePpi));
    EXPECT_TRUE(h.gic.irq_line(3));
    EXPECT_FALSE(h.gic.irq_line(0));
    h.write(H, gich::kHcr, 0, 3);
    EXPECT_FALSE(h.gic.irq_line(3));
}

TEST(Gic, BadCoresAndFramesAreCounted) {
    Harness h;
    EXPECT_EQ(h.gic.mmio_read(Frame::Distributor, 4, gicd::kCtlr, 4), 0u);
    h.gic.mmio_write(C, 9, gicc::kCtlr, 1, 4);
    EXPECT_EQ(h.gic.mmio_read(static_cast<Frame>(17), 0, 0, 4), 0u);
    EXPECT_EQ(h.gic.diagnostics().bad_accesses, 3u);
    EXPECT_FALSE(h.gic.irq_line(9));
    EXPECT_EQ(h.gic.next_event_cycle(9), GenericTimer::kNever);
}

// Random accesses to every frame never crash, and the same sequence gives the
// same state: a fixed-seed generator, no host randomness.
TEST(Gic, RandomAccessesAreSafeAndDeterministic) {
    auto run = [] {
        Gic gic;
        uint64_t state = 0x9E37'79B9'7F4A'7C15ull;
        auto next = [&state] {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            return static_cast<uint32_t>(state >> 33);
        };
        std::vector<uint32_t> trace;
        for (unsigned i = 0; i < 20'000; ++i) {
            const auto frame = static_cast<Frame>(next() % 5); // 4 is not a frame
            const unsigned core = next() % 5;                  // nor is core 4
            const uint32_t offset = next() % 0x2100;
            const unsigned size = 1u << (next() % 4);
            if (next() % 2 == 0) {
                trace.push_back(gic.mmio_read(frame, core, offset, size));
            } else {
                gic.mmio_write(frame, core, offset, next(), size);
            }
            if (i % 64 == 0) {
                gic.set_level(next() % 300, (next() & 1) != 0);
                gic.update_timers(i * 100ull);
                trace.push_back(gic.take_changed_cores());
            }
        }
        const Diagnostics diag = gic.diagnostics();
        trace.push_back(static_cast<uint32_t>(diag.bad_accesses));
        trace.push_back(static_cast<uint32_t>(diag.reserved_reads));
        return trace;
    };
    const auto first = run();
    EXPECT_EQ(first, run());
}

} // namespace
} // namespace sim::gic::test

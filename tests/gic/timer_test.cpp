#include "sim/gic/timer.h"

#include <gtest/gtest.h>

#include <vector>

namespace sim::gic::test {
namespace {

using R = TimerRegister;

TEST(GenericTimer, TwelveCyclesPerTickAtDefaults) {
    GenericTimer t(4, {}, nullptr);
    EXPECT_EQ(t.config().core_hz, 1'200'000'000u);
    EXPECT_EQ(t.config().counter_hz, 100'000'000u);
    EXPECT_EQ(t.ticks_at(0), 0u);
    EXPECT_EQ(t.ticks_at(11), 0u);
    EXPECT_EQ(t.ticks_at(12), 1u);
    EXPECT_EQ(t.ticks_at(12'000'000'000'000ull), 1'000'000'000'000ull);
    EXPECT_EQ(t.first_cycle_at_tick(1), 12u);
    EXPECT_EQ(t.first_cycle_at_tick(1'000'000), 12'000'000u);
    EXPECT_EQ(t.read(0, R::CntfrqEl0, 0), 100'000'000u);
    EXPECT_EQ(t.read(0, R::CntpctEl0, 1200), 100u);
}

TEST(GenericTimer, ConversionIsExactForAwkwardRatios) {
    GenericTimer t(1, {.core_hz = 1'000'000'007, .counter_hz = 62'500'003}, nullptr);
    for (uint64_t tick : {0ull, 1ull, 2ull, 12345ull, 999'999'937ull, 1ull << 40}) {
        const uint64_t cycle = t.first_cycle_at_tick(tick);
        EXPECT_GE(t.ticks_at(cycle), tick);
        if (cycle > 0) {
            EXPECT_LT(t.ticks_at(cycle - 1), tick);
        }
    }
    // No intermediate overflow near the top of the cycle range.
    EXPECT_EQ(t.ticks_at(UINT64_MAX),
              static_cast<uint64_t>((unsigned __int128)UINT64_MAX * 62'500'003 / 1'000'000'007));
    GenericTimer zero(1, {.core_hz = 0, .counter_hz = 0}, nullptr); // replaced by defaults
    EXPECT_EQ(zero.ticks_at(24), 2u);
}

TEST(GenericTimer, VirtualTimerFiresExactlyAtTheProgrammedCycle) {
    Distributor d;
    GenericTimer t(4, {}, &d);
    t.write(1, R::CntvCtlEl0, GenericTimer::kCtlEnable, 0);
    t.write(1, R::CntvTvalEl0, 1000, 0);
    EXPECT_EQ(t.read(1, R::CntvCvalEl0, 0), 1000u);
    EXPECT_EQ(t.next_event_cycle(1), 12'000u);
    EXPECT_EQ(t.next_event_cycle(), 12'000u);
    EXPECT_EQ(t.next_event_cycle(0), GenericTimer::kNever);
    t.update(11'999);
    EXPECT_FALSE(d.line_level(1, kVirtualTimerPpi));
    EXPECT_FALSE(d.is_pending(1, kVirtualTimerPpi));
    EXPECT_EQ(t.read(1, R::CntvTvalEl0, 11'999), 1u);
    t.update(12'000);
    EXPECT_TRUE(d.is_pending(1, kVirtualTimerPpi));
    EXPECT_FALSE(d.is_pending(0, kVirtualTimerPpi));
    EXPECT_TRUE(t.output(1, TimerKind::Virtual));
    EXPECT_EQ(t.read(1, R::CntvCtlEl0, 12'000),
              GenericTimer::kCtlEnable | GenericTimer::kCtlIstatus);
    EXPECT_EQ(t.next_event_cycle(1), GenericTimer::kNever); // asserted: nothing left to raise
    // TVAL counts down through zero as a signed 32-bit value.
    EXPECT_EQ(static_cast<int32_t>(t.read(1, R::CntvTvalEl0, 13'200)), -100);
    EXPECT_EQ(t.read(1, R::CntvTvalEl0, 13'200), 0xFFFF'FF9Cu);
    // Disabling lowers the level-sensitive output.
    t.write(1, R::CntvCtlEl0, 0, 13'200);
    EXPECT_FALSE(d.is_pending(1, kVirtualTimerPpi));
}

TEST(GenericTimer, ImaskMasksTheInterruptButNotTheStatus) {
    Distributor d;
    GenericTimer t(1, {}, &d);
    t.write(0, R::CntvCvalEl0, 10, 0);
    t.write(0, R::CntvCtlEl0, GenericTimer::kCtlEnable | GenericTimer::kCtlImask, 0);
    EXPECT_EQ(t.next_event_cycle(0), GenericTimer::kNever);
    t.update(1'000);
    EXPECT_FALSE(d.is_pending(0, kVirtualTimerPpi));
    EXPECT_EQ(t.read(0, R::CntvCtlEl0, 1'000), 0x7u);
    t.write(0, R::CntvCtlEl0, GenericTimer::kCtlEnable, 1'000);
    EXPECT_TRUE(d.is_pending(0, kVirtualTimerPpi));
}

TEST(GenericTimer, CntvoffShiftsTheVirtualCounterAndTimer) {
    Distributor d;
    GenericTimer t(1, {}, &d);
    t.write(0, R::CntvoffEl2, 500, 0);
    EXPECT_EQ(t.read(0, R::CntvctEl0, 12'000), 500u); // 1000 ticks - 500
    t.write(0, R::CntvCvalEl0, 1'000, 12'000);
    t.write(0, R::CntvCtlEl0, GenericTimer::kCtlEnable, 12'000);
    EXPECT_EQ(t.next_event_cycle(0), 18'000u); // physical tick 1500
    t.update(17'999);
    EXPECT_FALSE(d.is_pending(0, kVirtualTimerPpi));
    t.update(18'000);
    EXPECT_TRUE(d.is_pending(0, kVirtualTimerPpi));
    // The physical timer ignores CNTVOFF.
    t.write(0, R::CntvCtlEl0, 0, 18'000);
    t.write(0, R::CntpCvalEl0, 3'000, 18'000);
    t.write(0, R::CntpCtlEl0, GenericTimer::kCtlEnable, 18'000);
    EXPECT_EQ(t.next_event_cycle(0), 36'000u);
}

TEST(GenericTimer, VirtualCounterWrapsWhenOffsetExceedsTheCount) {
    GenericTimer t(1, {}, nullptr);
    t.write(0, R::CntvoffEl2, 1'000, 0);
    EXPECT_EQ(t.read(0, R::CntvctEl0, 0), static_cast<uint64_t>(-1000));
    // CVAL below the wrapped count: the condition holds at once, as on hardware.
    t.write(0, R::CntvCvalEl0, 5, 0);
    t.write(0, R::CntvCtlEl0, GenericTimer::kCtlEnable, 0);
    EXPECT_TRUE(t.output(0, TimerKind::Virtual));
    // CVAL above it: fires when the virtual count reaches it before wrapping.
    t.write(0, R::CntvCvalEl0, static_cast<uint64_t>(-400), 0);
    EXPECT_FALSE(t.output(0, TimerKind::Virtual));
    EXPECT_EQ(t.next_event_cycle(0), 600u * 12);
}

TEST(GenericTimer, EachTimerDrivesItsOwnPpi) {
    Distributor d;
    GenericTimer t(2, {}, &d);
    t.write(0, R::CntpTvalEl0, 10, 0);
    t.write(0, R::CntpCtlEl0, GenericTimer::kCtlEnable, 0);
    t.write(0, R::CnthpTvalEl2, 20, 0);
    t.write(0, R::CnthpCtlEl2, GenericTimer::kCtlEnable, 0);
    EXPECT_EQ(t.next_event_cycle(0), 120u);
    t.update(0, 120);
    EXPECT_TRUE(d.is_pending(0, kPhysicalTimerPpi));
    EXPECT_FALSE(d.is_pending(0, kHypTimerPpi));
    EXPECT_EQ(t.next_event_cycle(0), 240u); // the physical timer is asserted already
    t.write(0, R::CntpCtlEl0, 0, 120);
    EXPECT_EQ(t.next_event_cycle(0), 240u);
    t.update(0, 240);
    EXPECT_TRUE(d.is_pending(0, kHypTimerPpi));
    EXPECT_FALSE(d.is_pending(1, kHypTimerPpi));
}

TEST(GenericTimer, AbsurdValuesAreHandled) {
    Distributor d;
    GenericTimer t(1, {}, &d);
    t.write(0, R::CntvCvalEl0, UINT64_MAX, 0);
    t.write(0, R::CntvCtlEl0, GenericTimer::kCtlEnable | 0xFFF0, 0);
    EXPECT_EQ(t.read(0, R::CntvCtlEl0, 0), GenericTimer::kCtlEnable); // RES0 bits dropped
    EXPECT_EQ(t.next_event_cycle(0), GenericTimer::kNever);
    // A negative TVAL is already in the past: it fires at once.
    t.write(0, R::CntvTvalEl0, static_cast<uint32_t>(-5), 1200);
    EXPECT_EQ(t.read(0, R::CntvCvalEl0, 1200), 95u);
    EXPECT_EQ(t.next_event_cycle(0), GenericTimer::kNever); // asserted by the write
    EXPECT_TRUE(d.is_pending(0, kVirtualTimerPpi));
    // Read-only registers, unknown registers and cores are counted, not fatal.
    t.write(0, R::CntfrqEl0, 1, 0);
    t.write(0, R::CntpctEl0, 1, 0);
    EXPECT_EQ(t.read(0, R::CntfrqEl0, 0), 100'000'000u);
    EXPECT_EQ(t.diagnostics().reserved_writes, 2u);
    t.write(3, R::CntvCtlEl0, 1, 0);
    EXPECT_EQ(t.read(0, static_cast<TimerRegister>(200), 0), 0u);
    EXPECT_EQ(t.next_event_cycle(7), GenericTimer::kNever);
    EXPECT_EQ(t.diagnostics().bad_inputs, 2u);
}

TEST(GenericTimer, StoredControlRegisters) {
    GenericTimer t(1, {}, nullptr);
    t.write(0, R::CnthctlEl2, 0x3, 0);
    t.write(0, R::CntkctlEl1, 0x2, 0);
    EXPECT_EQ(t.read(0, R::CnthctlEl2, 0), 0x3u);
    EXPECT_EQ(t.read(0, R::CntkctlEl1, 0), 0x2u);
}

// The same program of accesses gives the same events and values every time.
TEST(GenericTimer, Deterministic) {
    auto run = [] {
        Distributor d;
        GenericTimer t(4, {}, &d);
        std::vector<uint64_t> trace;
        uint64_t now = 0;
        for (unsigned i = 0; i < 200; ++i) {
            const unsigned core = i % 4;
            t.write(core, R::CntvCtlEl0, GenericTimer::kCtlEnable, now);
            t.write(core, R::CntvTvalEl0, 1 + (i * 7919) % 1'000'000, now);
            const uint64_t next = t.next_event_cycle(core);
            trace.push_back(next);
            trace.push_back(t.read(core, R::CntvctEl0, next));
            now = next;
        }
        return trace;
    };
    EXPECT_EQ(run(), run());
}

} // namespace
} // namespace sim::gic::test

// Unit: the RISC-V platform's device models on their own (sim/plic.*,
// sim/aclint.*, sim/uart16550.*): register behaviour as the PLIC spec 1.0,
// the CLINT layout and the 16550 define it; each model's checkpoint.
#include "sim/aclint.h"
#include "sim/checkpoint.h"
#include "sim/console.h"
#include "sim/cpu/rv64_syndrome.h"
#include "sim/machine.h"
#include "sim/platform.h"
#include "sim/plic.h"
#include "sim/riscv_intc.h"
#include "sim/uart16550.h"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

namespace sim {
namespace {

constexpr uint64_t enable(unsigned ctx) {
    return Plic::kEnable + ctx * Plic::kEnableStride;
}
constexpr uint64_t threshold(unsigned ctx) {
    return Plic::kContext + ctx * Plic::kContextStride;
}
constexpr uint64_t claim(unsigned ctx) {
    return threshold(ctx) + 4;
}

struct PlicFixture : ::testing::Test {
    Plic plic{4}; // two harts: contexts 0, 1 (hart 0 M, S), 2, 3
    std::vector<std::pair<unsigned, bool>> edges;
    void SetUp() override {
        plic.set_listener([this](unsigned c, bool l) { edges.emplace_back(c, l); });
    }
};

TEST_F(PlicFixture, PendingFollowsTheLevelAndIsReadable) {
    plic.set_level(10, true);
    EXPECT_TRUE(plic.pending(10));
    EXPECT_EQ(plic.read(Plic::kPending), 1u << 10);
    plic.set_level(10, false);
    EXPECT_EQ(plic.read(Plic::kPending), 0u);
    EXPECT_TRUE(edges.empty()); // priority 0 and nothing enabled: no output
}

TEST_F(PlicFixture, OutputNeedsEnableAndPriorityAboveThreshold) {
    plic.set_level(10, true);
    plic.write(enable(1), 1u << 10);
    EXPECT_FALSE(plic.output(1)); // priority 0 never interrupts
    plic.write(Plic::kPriority + 4 * 10, 3);
    EXPECT_TRUE(plic.output(1));
    EXPECT_FALSE(plic.output(3)); // another hart's context has not enabled it
    plic.write(threshold(1), 3);
    EXPECT_FALSE(plic.output(1)); // priority must exceed the threshold
    plic.write(threshold(1), 2);
    EXPECT_TRUE(plic.output(1));
    EXPECT_EQ(plic.read(Plic::kPriority + 4 * 10), 3u);
    EXPECT_EQ(plic.read(threshold(1)), 2u);
    ASSERT_FALSE(edges.empty());
    EXPECT_EQ(edges.front(), std::make_pair(1u, true));
}

TEST_F(PlicFixture, ClaimReturnsTheHighestPriorityThenCompleteRearmsALevel) {
    for (unsigned s : {5u, 7u}) {
        plic.write(Plic::kPriority + 4 * s, s == 7 ? 6 : 2);
        plic.set_level(s, true);
    }
    plic.write(enable(1), (1u << 5) | (1u << 7));
    EXPECT_EQ(plic.read(claim(1)), 7u);
    EXPECT_FALSE(plic.pending(7));
    EXPECT_EQ(plic.read(claim(1)), 5u);
    EXPECT_EQ(plic.read(claim(1)), 0u); // nothing left
    EXPECT_FALSE(plic.output(1));
    plic.set_level(5, false);
    plic.write(claim(1), 5); // complete: the line is low, stays idle
    EXPECT_FALSE(plic.pending(5));
    plic.write(claim(1), 7); // complete: the line is still high, pending again
    EXPECT_TRUE(plic.pending(7));
    EXPECT_TRUE(plic.output(1));
}

TEST_F(PlicFixture, EqualPrioritiesGoToTheLowestIdAndForeignCompletionsAreIgnored) {
    for (unsigned s : {9u, 4u}) {
        plic.write(Plic::kPriority + 4 * s, 1);
        plic.set_level(s, true);
    }
    plic.write(enable(1), (1u << 4) | (1u << 9));
    EXPECT_EQ(plic.read(claim(1)), 4u);
    plic.write(claim(3), 4); // context 3 has not enabled source 4: ignored
    plic.set_level(4, false);
    plic.set_level(4, true);
    EXPECT_FALSE(plic.pending(4)); // still claimed: the gateway holds it
    plic.write(claim(1), 4);
    EXPECT_TRUE(plic.pending(4));
}

TEST_F(PlicFixture, SourceZeroCannotBeEnabledOrPrioritized) {
    plic.write(enable(1), 0xffffffffu);
    EXPECT_EQ(plic.read(enable(1)), 0xfffffffeu);
    plic.write(Plic::kPriority, 7);
    EXPECT_EQ(plic.read(Plic::kPriority), 0u);
    plic.write(Plic::kPriority + 4 * 3, 0xff);
    EXPECT_EQ(plic.read(Plic::kPriority + 4 * 3), Plic::kMaxPriority);
}

TEST(Aclint, MtimeCountsTheTimebaseFromSimulatedCycles) {
    Aclint a(2, 1'200'000'000, 100'000'000); // 12 cycles per tick
    EXPECT_EQ(a.mtime(0), 0u);
    EXPECT_EQ(a.mtime(11), 0u);
    EXPECT_EQ(a.mtime(12), 1u);
    EXPECT_EQ(a.read(Aclint::kMtime, 8, 1200), 100u);
    EXPECT_EQ(a.read(Aclint::kMtime, 4, 12ull << 33), 0u); // low half of 2^33
    EXPECT_EQ(a.read(Aclint::kMtime + 4, 4, 12ull << 33), 2u);
    EXPECT_EQ(a.cycle_of(1), 12u);
    EXPECT_EQ(a.cycle_of(Aclint::kNever), Aclint::kNever);
    a.write(Aclint::kMtime, 8, 5); // read-only: the clock drives it
    EXPECT_EQ(a.read(Aclint::kMtime, 8, 1200), 100u);
}

TEST(Aclint, MtimecmpPerHartInHalvesAndSupervisorTimer) {
    Aclint a(2, 100, 100);
    EXPECT_EQ(a.read(Aclint::kMtimecmp + 8, 8, 0), Aclint::kNever);
    a.write(Aclint::kMtimecmp + 8, 4, 0x10);
    a.write(Aclint::kMtimecmp + 12, 4, 0);
    EXPECT_EQ(a.read(Aclint::kMtimecmp + 8, 8, 0), 0x10u);
    EXPECT_FALSE(a.mtip(1, 0xf));
    EXPECT_TRUE(a.mtip(1, 0x10));
    EXPECT_FALSE(a.mtip(0, 0x10));
    EXPECT_FALSE(a.stip(0, 1000)); // never set
    a.set_stimecmp(0, 500);
    EXPECT_FALSE(a.stip(0, 499));
    EXPECT_TRUE(a.stip(0, 500));
}

TEST(Aclint, SoftwareInterruptBitsPerHart) {
    Aclint a(2, 100, 100);
    a.write(Aclint::kMsip + 4, 4, 0xff);
    EXPECT_TRUE(a.msip(1));
    EXPECT_FALSE(a.msip(0));
    EXPECT_EQ(a.read(Aclint::kMsip + 4, 4, 0), 1u);
    a.write(Aclint::kMsip + 4, 4, 0);
    EXPECT_FALSE(a.msip(1));
    a.write(Aclint::kMsip + 8, 4, 1); // no hart 2: ignored
    EXPECT_EQ(a.read(Aclint::kMsip + 8, 4, 0), 0u);
}

struct UartFixture : ::testing::Test {
    std::ostringstream out;
    Console console{&out, 1024};
    Uart16550 uart{console};
    std::vector<bool> levels;
    void SetUp() override {
        console.set_core_sources({console.add_source("hart0", false)});
        uart.set_irq_line([this](bool l) { levels.push_back(l); });
    }
};

TEST_F(UartFixture, ThrWritesReachTheConsoleAndLsrSaysEmpty) {
    for (char c : std::string("hi\n"))
        uart.write(0, 0, 1, static_cast<uint8_t>(c));
    console.flush();
    EXPECT_NE(out.str().find("hi"), std::string::npos);
    EXPECT_EQ(uart.read(0, 5, 1) & 0x60, 0x60u); // THRE and TEMT
    EXPECT_EQ(uart.read(0, 5, 1) & 1, 0u);       // nothing received
    EXPECT_TRUE(levels.empty());                 // IER is 0: no interrupt
}

TEST_F(UartFixture, ThreInterruptUntilIirReportsIt) {
    uart.write(0, 1, 1, Uart16550::kIerEtbei); // enabling with THR empty raises it
    EXPECT_TRUE(uart.irq_level());
    EXPECT_EQ(uart.read(0, 2, 1) & 0x0f, Uart16550::kIirThre);
    EXPECT_FALSE(uart.irq_level());
    EXPECT_EQ(uart.read(0, 2, 1) & 0x0f, Uart16550::kIirNone);
    uart.write(0, 0, 1, 'x'); // sent at once: THR empty again
    EXPECT_TRUE(uart.irq_level());
    EXPECT_EQ(levels, (std::vector<bool>{true, false, true}));
}

TEST_F(UartFixture, DivisorLatchHidesThrAndIer) {
    uart.write(0, 3, 1, 0x80); // LCR.DLAB
    uart.write(0, 0, 1, 0x12);
    uart.write(0, 1, 1, 0x34);
    EXPECT_EQ(uart.read(0, 0, 1), 0x12u);
    EXPECT_EQ(uart.read(0, 1, 1), 0x34u);
    uart.write(0, 3, 1, 0x03);
    EXPECT_EQ(uart.read(0, 1, 1), 0u); // IER untouched
    console.flush();
    EXPECT_EQ(out.str().find('\x12'), std::string::npos);
    uart.write(0, 7, 1, 0x5a);
    EXPECT_EQ(uart.read(0, 7, 1), 0x5au);
}

// Under hv (sim/hv_host_riscv64): an IPI stays pending until hv's entry
// clears it, and what hv injects (hvip) is a separate set of lines.
TEST(RiscvInterruptsUnderHv, IpisAreHeldUntilClearedAndVsipIsSeparate) {
    MachineParams p;
    p.platform = kRiscvVirtPlatform;
    p.cores = 2;
    p.ram_base = 0x80000000;
    p.ram_size = 1 << 20;
    Machine machine{p, nullptr};
    auto& ic = dynamic_cast<RiscvInterrupts&>(machine.interrupts());
    ic.send_ipi(0, 1, 0); // natively a pulse: the hart latches it, the line drops
    EXPECT_EQ(ic.lines(1).sip, 0u);
    ic.hold_ipis(true);
    ic.send_ipi(0, 1, 0);
    EXPECT_EQ(ic.lines(1).sip, cpu::rv64::ssip);
    EXPECT_TRUE(ic.lines(1).irq);
    EXPECT_EQ(ic.lines(0).sip, 0u);
    ic.clear_ipi(1);
    EXPECT_EQ(ic.lines(1).sip, 0u);
    ic.set_virtual_pending(1, cpu::rv64::stip | cpu::rv64::seip);
    EXPECT_EQ(ic.lines(1).vsip, cpu::rv64::stip | cpu::rv64::seip);
    EXPECT_TRUE(ic.lines(1).virtual_irq);
    EXPECT_FALSE(ic.lines(1).irq); // nothing physical is pending
    EXPECT_EQ(ic.lines(0).vsip, 0u);
    ic.set_virtual_pending(1, 0);
    EXPECT_FALSE(ic.lines(1).virtual_irq);
}

// A claimed source, another pending behind a threshold, enables, an
// MSIP and both compare values: a fresh model restored from the checkpoint
// reads back the same and goes on the same (the claimed source is not
// offered again until completed).
TEST(RiscvCheckpoint, PlicAndAclintRegistersSurviveARoundTrip) {
    Plic plic(4);
    Aclint aclint(2, 100, 100);
    plic.write(Plic::kPriority + 4 * 5, 3);
    plic.write(Plic::kPriority + 4 * 9, 1);
    plic.write(enable(1), (1u << 5) | (1u << 9));
    plic.write(threshold(3), 2);
    plic.set_level(5, true);
    plic.set_level(9, true);
    ASSERT_EQ(plic.read(claim(1)), 5u);
    aclint.write(Aclint::kMsip + 4, 4, 1);
    aclint.write(Aclint::kMtimecmp, 8, 0x1234);
    aclint.set_stimecmp(1, 777);
    Archive saved = Archive::saving();
    plic.checkpoint(saved);
    aclint.checkpoint(saved);

    Plic fresh_plic(4);
    Aclint fresh_aclint(2, 100, 100);
    Archive restoring = Archive::restoring(saved.data());
    fresh_plic.checkpoint(restoring);
    fresh_aclint.checkpoint(restoring);
    restoring.finish();
    EXPECT_EQ(fresh_plic.read(Plic::kPriority + 4 * 5), 3u);
    EXPECT_EQ(fresh_plic.read(enable(1)), (1u << 5) | (1u << 9));
    EXPECT_EQ(fresh_plic.read(threshold(3)), 2u);
    EXPECT_TRUE(fresh_plic.output(1));
    EXPECT_EQ(fresh_plic.read(claim(1)), 9u) << "5 is claimed already";
    fresh_plic.write(claim(1), 5); // completes 5, whose line is still high
    EXPECT_EQ(fresh_plic.read(claim(1)), 5u);
    EXPECT_TRUE(fresh_aclint.msip(1));
    EXPECT_FALSE(fresh_aclint.msip(0));
    EXPECT_EQ(fresh_aclint.read(Aclint::kMtimecmp, 8, 0), 0x1234u);
    EXPECT_EQ(fresh_aclint.stimecmp(1), 777u);
    EXPECT_EQ(fresh_aclint.stimecmp(0), Aclint::kNever);

    Plic other(6); // three harts
    Archive wrong = Archive::restoring(saved.data());
    EXPECT_THROW(other.checkpoint(wrong), CheckpointError);
}

TEST(RiscvCheckpoint, UartRegistersAndItsInterruptSurviveARoundTrip) {
    std::ostringstream out;
    Console console(&out);
    Uart16550 uart(console);
    uart.write(0, 3, 1, 0x83); // LCR with DLAB
    uart.write(0, 0, 1, 0x21); // DLL
    uart.write(0, 3, 1, 0x03);
    uart.write(0, 7, 1, 0x5a); // scratch
    uart.write(0, 1, 1, Uart16550::kIerEtbei);
    ASSERT_TRUE(uart.irq_level());
    Archive saved = Archive::saving();
    uart.checkpoint(saved);

    Uart16550 fresh(console);
    bool line = true; // the restored level drives no edge; the next change does
    fresh.set_irq_line([&line](bool level) { line = level; });
    Archive restoring = Archive::restoring(saved.data());
    fresh.checkpoint(restoring);
    restoring.finish();
    EXPECT_TRUE(fresh.irq_level());
    EXPECT_EQ(fresh.read(0, 7, 1), 0x5au);
    EXPECT_EQ(fresh.read(0, 1, 1), Uart16550::kIerEtbei);
    EXPECT_EQ(fresh.read(0, 2, 1) & 0x0f, Uart16550::kIirThre); // reading IIR reports it
    EXPECT_FALSE(fresh.irq_level());
    EXPECT_FALSE(line) << "the restored level fell";
    fresh.write(0, 3, 1, 0x83);
    EXPECT_EQ(fresh.read(0, 0, 1), 0x21u);
}

} // namespace
} // namespace sim

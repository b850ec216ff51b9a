// Unicorn 2.0.1 crashes the process when its translated-code buffer fills
// during a run (sim/cpu/unicorn_code_buffer.c); a guest that writes into the
// block it runs fills it in about 12 M instructions. Each core flushes its
// engine's translations between two uc_emu_start calls before that. Here the
// limit is shrunk to 512 KiB so a short self-modifying loop flushes many
// times, and the guest must see exactly what it sees without a flush.
// Also: a RISC-V hart whose memory covers QEMU virt's boot ROM (where the
// core's M-mode entry stub lives) still starts (the stub moves).
#include "bare_core.h"
#include "sim/cpu/arm64_core.h"
#include "sim/cpu/rv64_core.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace sim {
namespace {

using test::HostPages;
using test::NoExits;

constexpr uint64_t kLoops = 5000;
// Each flush costs about 0.25 s: 2.0.1 clears the whole 1 GiB buffer.
constexpr uintptr_t kSmallLimit = uintptr_t{512} << 10;

struct Outcome {
    uint64_t instructions = 0, counted = 0, flushes = 0;
    cpu::StopReason reason = cpu::StopReason::budget;
};

// Runs `core` in quanta until it stops for anything but its budget.
template <typename Core> Outcome run_to_end(Core& core, unsigned counter_reg) {
    Outcome o;
    for (int quanta = 0; quanta < 100000; ++quanta) {
        const cpu::RunResult r = core.run(1200, o.instructions, 1);
        o.instructions += r.instructions;
        o.reason = r.reason;
        if (r.reason != cpu::StopReason::budget)
            break;
    }
    o.counted = core.x(counter_reg);
    o.flushes = core.code_buffer().flushes();
    return o;
}

// AArch64: `str w1, [x2]` rewrites the next instruction (with its own
// encoding) kLoops times, so each pass translates the loop again.
Outcome arm64_self_modifying_loop(uintptr_t limit) {
    constexpr uint64_t ram_base = 0x40000000, ram_size = 0x10000;
    HostPages ram(ram_size);
    std::memset(ram.p, 0, ram_size);
    const uint32_t code[] = {
        0xd2827104, // movz x4, #5000
        0x10000062, // adr  x2, target
        0xb9400041, // ldr  w1, [x2]
        0xb9000041, // loop: str w1, [x2]
        0x91000463, // target: add x3, x3, #1
        0xf1000484, // subs x4, x4, #1
        0x54ffffa1, // b.ne loop
        0xd503207f, // wfi
    };
    std::memcpy(ram.p, code, sizeof code);
    test::BareCore bare(ram, ram_base, ram_size, ram_base);
    cpu::Arm64Core& core = bare.core;
    core.code_buffer().set_limit(limit);
    return run_to_end(core, 3);
}

TEST(CodeBuffer, Arm64SelfModifyingLoopFlushesAndRunsAsWithout) {
    if (!cpu::CodeBufferWatch::active())
        GTEST_SKIP() << "Unicorn is not 2.0.1 linked with the wrappers: nothing is watched";
    const Outcome flushed = arm64_self_modifying_loop(kSmallLimit);
    const Outcome plain = arm64_self_modifying_loop(cpu::CodeBufferWatch::default_limit);
    EXPECT_EQ(flushed.reason, cpu::StopReason::wfi);
    EXPECT_EQ(flushed.counted, kLoops);
    EXPECT_GE(flushed.flushes, 2u) << "the loop should have filled 512 KiB several times";
    EXPECT_EQ(plain.flushes, 0u);
    EXPECT_EQ(flushed.instructions, plain.instructions);
    EXPECT_EQ(flushed.counted, plain.counted);
}

// RV64, at guest-physical 0: the same loop, in memory that covers the boot
// ROM page (0x1000) where the core's M-mode stub starts.
Outcome rv64_self_modifying_loop(uintptr_t limit, uint64_t& stub_base) {
    constexpr uint64_t ram_base = 0, ram_size = 0x10000;
    HostPages ram(ram_size);
    std::memset(ram.p, 0, ram_size);
    const uint32_t code[] = {
        0x00001737, // lui  a4, 0x1
        0x3887071b, // addiw a4, a4, 904    (5000)
        0x00000297, // auipc t0, 0
        0x01028293, // addi t0, t0, 16      (target)
        0x0002a303, // lw   t1, 0(t0)
        0x0062a023, // loop: sw t1, 0(t0)
        0x00168693, // target: addi a3, a3, 1
        0xfff70713, // addi a4, a4, -1
        0xfe071ae3, // bnez a4, loop
        0x10500073, // wfi
    };
    std::memcpy(ram.p + 0x2000, code, sizeof code);
    NoExits exits;
    cpu::Rv64Core core(0, exits);
    core.map_memory(ram_base, ram_size, ram.p);
    stub_base = core.stub_base();
    core.reset(ram_base + 0x2000, 0);
    core.code_buffer().set_limit(limit);
    return run_to_end(core, 13);
}

TEST(CodeBuffer, Rv64SelfModifyingLoopAtAddressZeroFlushesAndRunsAsWithout) {
    uint64_t stub = 0;
    const Outcome plain = rv64_self_modifying_loop(cpu::CodeBufferWatch::default_limit, stub);
    EXPECT_NE(stub, cpu::Rv64Core::stub_default_base) << "memory covers the boot ROM page";
    EXPECT_EQ(plain.reason, cpu::StopReason::wfi);
    EXPECT_EQ(plain.counted, kLoops);
    if (!cpu::CodeBufferWatch::active())
        GTEST_SKIP() << "Unicorn is not 2.0.1 linked with the wrappers: nothing is watched";
    const Outcome flushed = rv64_self_modifying_loop(kSmallLimit, stub);
    EXPECT_GE(flushed.flushes, 2u);
    EXPECT_EQ(plain.flushes, 0u);
    EXPECT_EQ(flushed.reason, cpu::StopReason::wfi);
    EXPECT_EQ(flushed.instructions, plain.instructions);
    EXPECT_EQ(flushed.counted, plain.counted);
}

} // namespace
} // namespace sim

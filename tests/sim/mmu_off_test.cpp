// An AArch64 guest with its MMU off that accesses an address above the
// physical address size takes a stage-1 address size fault at its own EL1
// (decision 31: the guest's own stage-1 aborts are the guest's), not a
// stage-2 fault that stops its VM. Random guest code found the difference
// (docs/fuzzing.md, "Random guests"): Unicorn 2.0.1 (QEMU 5.0) does not check
// the size with the MMU off, so the core does (stage1_walk).
#include "bare_core.h"
#include "sim/cpu/arm64_core.h"

#include <gtest/gtest.h>

#include <cstring>

namespace sim {
namespace {
// Its own names: other tests of the unity build have a ram_base and a run.
namespace mmu_off {

using test::HostPages;
using test::NoExits;

constexpr uint64_t ram_base = 0x40000000, ram_size = 0x10000;

cpu::RunResult run(const uint32_t* code, size_t words, cpu::Arm64Core& core, HostPages& ram) {
    std::memset(ram.p, 0, ram_size);
    std::memcpy(ram.p, code, words * 4);
    // The vectors at 0x800: the current-EL synchronous slot records ESR, FAR, ELR.
    const uint32_t handler[] = {
        0xd5385202, // mrs x2, esr_el1
        0xd5386003, // mrs x3, far_el1
        0xd5384024, // mrs x4, elr_el1
        0xd503207f, // wfi
    };
    std::memcpy(ram.p + 0x800 + 0x200, handler, sizeof handler);
    core.map_memory(ram_base, ram_size, ram.p);
    core.reset(ram_base, 0);
    return core.run(1'000'000, 0, 1);
}

TEST(MmuOff, AccessAboveThePhysicalAddressSizeIsTheGuestsAddressSizeFault) {
    const uint32_t code[] = {
        0xd2e00021, // movz x1, #1, lsl #48
        0xd2a80005, // movz x5, #0x4000, lsl #16
        0xf2810005, // movk x5, #0x800
        0xd518c005, // msr  vbar_el1, x5
        0xf9400020, // ldr  x0, [x1]      (0x40000010)
        0xd503207f, // wfi
    };
    HostPages ram(ram_size);
    NoExits exits;
    cpu::Arm64Core core(0, exits);
    const cpu::RunResult r = run(code, 6, core, ram);
    ASSERT_EQ(r.reason, cpu::StopReason::wfi) << core.fault().description;
    EXPECT_EQ(core.x(2) >> 26, 0x25u) << "a data abort from the same EL";
    EXPECT_EQ(core.x(2) & 0x3f, 0x00u) << "DFSC: address size fault, level 0";
    EXPECT_EQ(core.x(3), 1ull << 48);
    EXPECT_EQ(core.x(4), ram_base + 0x10);
}

// Below the size, an address with no memory stays what it was: the core
// stops with the access named (the supervisor's stage-2 fault).
TEST(MmuOff, UnmappedAddressBelowThePhysicalSizeStillStops) {
    const uint32_t code[] = {
        0xd2c00021, // movz x1, #1, lsl #32
        0xf9400020, // ldr  x0, [x1]
        0xd503207f, // wfi
    };
    HostPages ram(ram_size);
    NoExits exits;
    cpu::Arm64Core core(0, exits);
    const cpu::RunResult r = run(code, 3, core, ram);
    EXPECT_EQ(r.reason, cpu::StopReason::fault);
    EXPECT_NE(core.fault().description.find("read of 8 bytes from unmapped memory"),
              std::string::npos)
        << core.fault().description;
}

} // namespace mmu_off
} // namespace
} // namespace sim

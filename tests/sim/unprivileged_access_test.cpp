// LDTR/STTR at EL1 are checked with EL0's permissions (Arm ARM C6.2): on a
// page only EL1 may access they take a permission fault, the guest's own
// data abort (decision 31). Unicorn raised it, but the core walked the
// tables with EL1's permissions, found no fault and stopped the VM ("data
// abort that the guest's stage-1 tables do not explain"). Random guests
// with stage-1 tables found it (docs/fuzzing.md, "Random guests").
#include "bare_core.h"
#include "sim/cpu/arm64_core.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace sim {
namespace {
namespace unprivileged_access {

using test::HostPages;
using test::NoExits;

constexpr uint64_t ram_base = 0x40000000, ram_size = 0x10000;

// Turns the MMU on (one 1 GiB block, identity, EL1 read/write only; VBAR_EL1
// = ram_base + 0x800), sets x1 = ram_base + 0x100 and runs `access`. The
// current-EL synchronous vector records ESR and FAR in x2 and x3.
cpu::RunResult run(uint32_t access, cpu::Arm64Core& core, HostPages& ram) {
    std::vector<uint32_t> code = test::mmu_on_prologue({
        0xd2a80005, // movz x5, #0x4000, lsl #16  VBAR_EL1: ram_base + 0x800
        0xf2810005, // movk x5, #0x800
    });
    code.insert(code.end(), {
                                0xd2a80001, // movz x1, #0x4000, lsl #16
                                0xf2802001, // movk x1, #0x100
                                access,
                                0x14000000, // b .
                            });
    std::memset(ram.p, 0, ram_size);
    std::memcpy(ram.p, code.data(), code.size() * 4);
    const uint64_t l1_gib1 = ram_base | 0x705; // block, AttrIndx 1, inner shareable, AF, AP 00
    std::memcpy(ram.p + 0x1000 + 8, &l1_gib1, 8);
    const uint32_t sync_handler[] = {
        0xd5385202, // mrs x2, esr_el1
        0xd5386003, // mrs x3, far_el1
        0x14000000, // b   .
    };
    std::memcpy(ram.p + 0x800 + 0x200, sync_handler, sizeof sync_handler);
    core.map_memory(ram_base, ram_size, ram.p);
    core.reset(ram_base, 0);
    return core.run(100'000, 0, 1);
}

TEST(UnprivilegedAccess, LdtrAtEl1OnAnEl1OnlyPageIsTheGuestsPermissionFault) {
    HostPages ram(ram_size);
    NoExits exits;
    cpu::Arm64Core core(0, exits);
    const cpu::RunResult r = run(0x38400836 /* ldtrb w22, [x1] */, core, ram);
    ASSERT_NE(r.reason, cpu::StopReason::fault) << core.fault().description;
    EXPECT_EQ(core.pc(), ram_base + 0x800 + 0x200 + 8) << "in the guest's handler";
    EXPECT_EQ(core.x(2) >> 26, 0x25u) << "a data abort from the same EL";
    EXPECT_EQ(core.x(2) & 0x3f, 0x0du) << "DFSC: permission fault, level 1";
    EXPECT_EQ(core.x(2) & (1u << 6), 0u) << "WnR: a read";
    EXPECT_EQ(core.x(3), ram_base + 0x100);
}

TEST(UnprivilegedAccess, SttrAtEl1OnAnEl1OnlyPageIsTheGuestsPermissionFault) {
    HostPages ram(ram_size);
    NoExits exits;
    cpu::Arm64Core core(0, exits);
    const cpu::RunResult r = run(0xf8008823 /* sttr x3, [x1, #8] */, core, ram);
    ASSERT_NE(r.reason, cpu::StopReason::fault) << core.fault().description;
    EXPECT_EQ(core.x(2) >> 26, 0x25u);
    EXPECT_EQ(core.x(2) & 0x3f, 0x0du);
    EXPECT_NE(core.x(2) & (1u << 6), 0u) << "WnR: a write";
    EXPECT_EQ(core.x(3), ram_base + 0x108);
}

} // namespace unprivileged_access
} // namespace
} // namespace sim

// The A53 model on a running core (model.core = a53): a program changes the
// code at the same address and the recipes follow it, whether the guest
// rewrites its own code (then IC IVAU, as the architecture requires) or the
// host does (invalidate_code, as an image load does). Stale recipes would
// keep counting the old instruction.
#include "bare_core.h"
#include "sim/cpu/a53_recipes.h"
#include "sim/cpu/arm64_core.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

namespace sim {
namespace {

using test::HostPages;
using test::NoExits;

constexpr uint64_t ram_base = 0x40000000, ram_size = 0x10000;

// llvm-mc -triple=aarch64: calls f 50 times, copies `newcode` over f's first
// instruction, cleans and invalidates it (DC CVAU, IC IVAU), calls f 50 times
// more, then spins.
constexpr uint32_t self_modifying[] = {
    0xd2800645, // 0x00 mov x5, #50
    0xd2800c81, // 0x04 mov x1, #100
    0xd28000e2, // 0x08 mov x2, #7
    0x9400003d, // 0x0c loop1: bl f
    0xf10004a5, // 0x10 subs x5, x5, #1
    0x54ffffc1, // 0x14 b.ne loop1
    0x10000f46, // 0x18 adr x6, newcode
    0x10000727, // 0x1c adr x7, f
    0xb94000c8, // 0x20 ldr w8, [x6]
    0xb90000e8, // 0x24 str w8, [x7]
    0xd50b7b27, // 0x28 dc cvau, x7
    0xd5033b9f, // 0x2c dsb ish
    0xd50b7527, // 0x30 ic ivau, x7
    0xd5033b9f, // 0x34 dsb ish
    0xd5033fdf, // 0x38 isb
    0xd2800645, // 0x3c mov x5, #50
    0x94000030, // 0x40 loop2: bl f
    0xf10004a5, // 0x44 subs x5, x5, #1
    0x54ffffc1, // 0x48 b.ne loop2
    0x14000000, // 0x4c done: b done
};
constexpr uint64_t f_offset = 0x100, newcode_offset = 0x200;
constexpr uint32_t udiv_x0_x1_x2 = 0x9ac20820, mul_x0_x1_x2 = 0x9b027c20, ret = 0xd65f03c0;

uint64_t counter(const cpu::Arm64Core& core, const std::string& name) {
    for (const auto& [key, value] : core.model_counters())
        if (key == name)
            return value;
    ADD_FAILURE() << "no counter " << name;
    return 0;
}

void load(uint8_t* ram, uint32_t f_first) {
    std::memset(ram, 0, ram_size);
    std::memcpy(ram, self_modifying, sizeof self_modifying);
    const uint32_t f[] = {f_first, ret};
    std::memcpy(ram + f_offset, f, sizeof f);
    std::memcpy(ram + newcode_offset, &mul_x0_x1_x2, sizeof mul_x0_x1_x2);
}

TEST(A53Core, RecipeFollowsTheGuestsOwnCodeChange) {
    HostPages ram(ram_size);
    load(ram.p, udiv_x0_x1_x2);
    NoExits exits;
    cpu::Arm64Core core(0, exits);
    ASSERT_TRUE(core.set_core_model(cpu::CoreModel::a53));
    core.map_memory(ram_base, ram_size, ram.p);
    core.reset(ram_base, 0);
    const cpu::RunResult r = core.run(20000, 0, 1);
    ASSERT_TRUE(r.core_cycles.has_value());
    EXPECT_EQ(counter(core, "a53.insns.div"), 50u); // f before the change
    EXPECT_EQ(counter(core, "a53.insns.mul"), 50u); // ... and after it, at the same address
    EXPECT_GE(counter(core, "a53.recipe_invalidations"), 1u);
    // Calls and returns: the return stack predicts every RET.
    EXPECT_LE(counter(core, "a53.mispredicts"), 2 * (cpu::a53::kHistoryBits + 2) + 1);
}

TEST(A53Core, RecipeFollowsTheHostsCodeChange) {
    HostPages ram(ram_size);
    load(ram.p, udiv_x0_x1_x2);
    NoExits exits;
    cpu::Arm64Core core(0, exits);
    core.set_core_model(cpu::CoreModel::a53);
    core.map_memory(ram_base, ram_size, ram.p);
    core.reset(ram_base, 0);
    // Stop before the guest patches f: loop1 only (its first 0x18 bytes, then spin).
    const uint32_t spin = 0x14000000;
    std::memcpy(ram.p + 0x18, &spin, sizeof spin);
    core.invalidate_code(ram_base, 0x20);
    core.run(5000, 0, 1);
    EXPECT_EQ(counter(core, "a53.insns.div"), 50u);
    EXPECT_EQ(counter(core, "a53.insns.mul"), 0u);
    // The host replaces f at the same address, as a loader would.
    std::memcpy(ram.p + f_offset, &mul_x0_x1_x2, sizeof mul_x0_x1_x2);
    core.invalidate_code(ram_base + f_offset, 4);
    core.reset(ram_base, 0);
    core.run(5000, 0, 1);
    EXPECT_EQ(counter(core, "a53.insns.div"), 50u);
    EXPECT_EQ(counter(core, "a53.insns.mul"), 50u);
}

TEST(A53Core, FlatModelHasNoPipelineAndDualIssueHalvesAluCycles) {
    HostPages ram(ram_size);
    std::memset(ram.p, 0, ram_size);
    // loop: eight independent adds, subs x9, b.ne loop (x9 = 1000 iterations).
    const uint32_t code[] = {0xd2807d09, // mov x9, #1000
                             0x91000401, 0x91000802, 0x91000c03, 0x91001004,
                             0x91001405, 0x91001806, 0x91001c07, 0x91002008, // add x1..x8, x0, #k
                             0xf1000529,                                     // subs x9, x9, #1
                             0x54fffee1,                                     // b.ne loop
                             0x14000000};                                    // b .
    std::memcpy(ram.p, code, sizeof code);
    NoExits exits;
    auto cycles_for = [&](cpu::CoreModel m, uint64_t& insns) {
        cpu::Arm64Core core(0, exits);
        core.set_core_model(m);
        core.map_memory(ram_base, ram_size, ram.p);
        core.reset(ram_base, 0);
        // Budget: just the loop (1000 x 10 instructions, about 6000 cycles under a53).
        const cpu::RunResult r = core.run(m == cpu::CoreModel::flat ? 10001 : 6000, 0, 1);
        insns = r.instructions;
        EXPECT_EQ(r.core_cycles.has_value(), m == cpu::CoreModel::a53);
        EXPECT_EQ(core.model_counters().empty(), m == cpu::CoreModel::flat);
        return r.core_cycles ? *r.core_cycles : r.instructions;
    };
    uint64_t flat_insns = 0, a53_insns = 0;
    const uint64_t flat = cycles_for(cpu::CoreModel::flat, flat_insns);
    const uint64_t a53 = cycles_for(cpu::CoreModel::a53, a53_insns);
    EXPECT_EQ(flat, flat_insns);
    // Per iteration under a53: four cycles of add pairs, subs, b.ne after the
    // flags (6 cycles for 10 instructions), plus the warm-up mispredicts.
    const double per_iteration = static_cast<double>(a53) / (static_cast<double>(a53_insns) / 10);
    EXPECT_NEAR(per_iteration, 6.0, 0.2);
}

} // namespace
} // namespace sim

// A RISC-V hart's checkpoint (sim/cpu/rv64_checkpoint.cpp) on its own: a
// guest sets fflags with a division by zero and waits; a fresh hart restored
// from the checkpoint reads the same fflags and registers as the hart that
// ran on. fflags live in QEMU's soft-float status, which Unicorn 2.0.1's
// context leaves out, so the checkpoint carries them itself.
#include "sim/checkpoint.h"
#include "sim/cpu/rv64_core.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace sim::cpu {
namespace {
namespace rv64_checkpoint {

constexpr uint64_t ram = 0x80000000, ram_size = 1 << 16;
constexpr uint32_t lui_x6_one = 0x3f800337;    // lui      x6, 0x3f800 (1.0f)
constexpr uint32_t fmv_f1_x6 = 0xf00300d3;     // fmv.w.x  f1, x6
constexpr uint32_t fmv_f2_x0 = 0xf0000153;     // fmv.w.x  f2, x0
constexpr uint32_t fdiv_f0_f1_f2 = 0x1820f053; // fdiv.s   f0, f1, f2 (sets DZ)
constexpr uint32_t wfi = 0x10500073;
constexpr uint32_t csrr_x7_fflags = 0x001023f3; // csrr x7, fflags
constexpr uint64_t fflags_dz = 0x8;

struct NoTraps final : ExitHandler {
    TrapAction on_exit(Core&, Exit&) override { return TrapAction::resume; }
    std::optional<uint64_t> read_sysreg(Core&, uint32_t) override { return std::nullopt; }
    bool write_sysreg(Core&, uint32_t, uint64_t) override { return false; }
};

struct Hart {
    NoTraps exits;
    std::vector<uint8_t> mem;
    Rv64Core core{0, exits};
    explicit Hart(const std::vector<uint32_t>& code) : mem(ram_size, 0) {
        std::memcpy(mem.data(), code.data(), 4 * code.size());
        core.map_memory(ram, ram_size, mem.data());
        core.reset(ram, 0);
    }
};

TEST(Rv64Checkpoint, FflagsAndRegistersSurviveARoundTrip) {
    const std::vector<uint32_t> code = {lui_x6_one, fmv_f1_x6,      fmv_f2_x0, fdiv_f0_f1_f2,
                                        wfi,        csrr_x7_fflags, wfi};
    Hart first(code);
    ASSERT_EQ(first.core.run(1'000, 0, 1).reason, StopReason::wfi);
    Archive saved = Archive::saving();
    first.core.checkpoint(saved);
    ASSERT_EQ(first.core.run(1'000, 100, 1).reason, StopReason::wfi);
    ASSERT_EQ(first.core.x(7), fflags_dz);

    Hart restored(code);
    Archive restoring = Archive::restoring(saved.data());
    restored.core.checkpoint(restoring);
    restoring.finish();
    EXPECT_EQ(restored.core.pc(), ram + 4 * 5);
    EXPECT_EQ(restored.core.x(6), 0x3f800000u);
    ASSERT_EQ(restored.core.run(1'000, 100, 1).reason, StopReason::wfi);
    EXPECT_EQ(restored.core.x(7), fflags_dz) << "fflags were not carried";
    EXPECT_EQ(restored.core.pc(), first.core.pc());
}

} // namespace rv64_checkpoint
} // namespace
} // namespace sim::cpu

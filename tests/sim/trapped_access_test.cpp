// Loads and stores to a trapping page reach EL2 as one data abort each, with
// the instruction's size: Unicorn hands a 64-bit access to an MMIO region in
// two 4-byte calls (QEMU's default impl.max_access_size), and each used to be
// reported as an 8-byte abort of its own, the second 4 bytes up. A GICv3's
// 64-bit registers read that way lost their high half: Linux's secondary
// vCPU never found its redistributor (GICR_TYPER's affinity) and panicked.
#include "bare_core.h"
#include "sim/cpu/arm64_core.h"

#include <gtest/gtest.h>

#include <cstring>

namespace sim {
namespace {
namespace trapped_access {

using test::HostPages;

constexpr uint64_t ram_base = 0x40000000, ram_size = 0x1000, trap_page = 0x08000000;

struct Abort {
    uint64_t ipa;
    unsigned size; // from the ISS's SAS
    bool is_write;
    uint64_t data;
};

// Records each data abort; a load reads 0x8877665544332211 plus its offset.
struct RecordingExits final : cpu::ExitHandler {
    cpu::TrapAction on_exit(cpu::Core&, cpu::Exit& e) override {
        if (e.kind != cpu::Exit::Kind::data_abort)
            return cpu::TrapAction::resume;
        const uint32_t iss = e.syndrome.detail;
        const bool is_write = (iss >> 6 & 1) != 0;
        const uint64_t ipa = (e.syndrome.guest_phys >> 4 << 12) | (e.syndrome.address & 0xfff);
        if (!is_write)
            e.data = 0x8877665544332211ull + (ipa - trap_page);
        aborts.push_back({ipa, 1u << (iss >> 22 & 3), is_write, e.data});
        return cpu::TrapAction::resume;
    }
    std::optional<uint64_t> read_sysreg(cpu::Core&, uint32_t) override { return std::nullopt; }
    bool write_sysreg(cpu::Core&, uint32_t, uint64_t) override { return false; }
    std::vector<Abort> aborts;
};

TEST(TrappedAccess, A64BitAccessIsOneAbortOfEightBytes) {
    const uint32_t code[] = {
        0xd2a10000, // mov  x0, #0x8000000      the trapping page
        0xf9400001, // ldr  x1, [x0]
        0xd28ef102, // mov  x2, #0x7788
        0xf2aaacc2, // movk x2, #0x5566, lsl #16
        0xf2c66882, // movk x2, #0x3344, lsl #32
        0xf2e22442, // movk x2, #0x1122, lsl #48
        0xf9000402, // str  x2, [x0, #8]
        0xb9401003, // ldr  w3, [x0, #16]
        0xb9001402, // str  w2, [x0, #20]
        0x14000000, // b    .
    };
    HostPages ram(ram_size);
    std::memset(ram.p, 0, ram_size);
    std::memcpy(ram.p, code, sizeof code);
    RecordingExits exits;
    cpu::Arm64Core core(0, exits);
    core.map_memory(ram_base, ram_size, ram.p);
    core.map_trapping(trap_page, 0x1000);
    core.reset(ram_base, 0);
    core.run(200, 0, 1);
    ASSERT_EQ(exits.aborts.size(), 4u);
    const Abort& load = exits.aborts[0];
    EXPECT_EQ(load.ipa, trap_page);
    EXPECT_EQ(load.size, 8u);
    EXPECT_FALSE(load.is_write);
    EXPECT_EQ(core.x(1), 0x8877665544332211ull) << "both halves of the one load's value";
    const Abort& store = exits.aborts[1];
    EXPECT_EQ(store.ipa, trap_page + 8);
    EXPECT_EQ(store.size, 8u);
    EXPECT_TRUE(store.is_write);
    EXPECT_EQ(store.data, 0x1122334455667788ull);
    // 32-bit accesses as before.
    EXPECT_EQ(exits.aborts[2].ipa, trap_page + 16);
    EXPECT_EQ(exits.aborts[2].size, 4u);
    EXPECT_EQ(core.x(3), 0x44332221u);
    EXPECT_EQ(exits.aborts[3].ipa, trap_page + 20);
    EXPECT_EQ(exits.aborts[3].size, 4u);
    EXPECT_EQ(exits.aborts[3].data, 0x55667788u);
}

} // namespace trapped_access
} // namespace
} // namespace sim

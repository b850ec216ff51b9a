// Unicorn 2.0.1 reports a RISC-V access to a trapping page with its block's
// PC. Rv64Core::access_pc asks the softmmu helper the access is in for its
// own PC (sim/cpu/unicorn_access_pc.c); without that (a build on Unicorn's
// shared library) it scans the block for the first load or store whose
// address, from the registers, is the one accessed, a page at a time (one
// read per word made random guest 112 about 30x slower, docs/fuzzing.md).
// These runs check each access of a long block is named by its own PC.
#include "sim/cpu/rv64_core.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace sim::cpu {
namespace {
namespace rv64_access_pc {

constexpr uint64_t ram = 0x80000000, ram_size = 1 << 16, device = 0x10000000;
constexpr uint32_t lui_x5_device = 0x100002b7; // lui  x5, 0x10000
constexpr uint32_t addi_x6_x6_1 = 0x00130313;  // addi x6, x6, 1
constexpr uint32_t sw_x6_8_x5 = 0x0062a423;    // sw   x6, 8(x5)
constexpr uint32_t sw_x6_12_x5 = 0x0062a623;   // sw   x6, 12(x5)
constexpr uint32_t sw_x7_8_x5 = 0x0072a423;    // sw   x7, 8(x5)
constexpr uint32_t spin = 0x0000006f;          // j    .

// Records each trapped access's PC and address, and completes it.
struct Recorder final : ExitHandler {
    TrapAction on_exit(Core&, Exit& e) override {
        if (e.kind == Exit::Kind::data_abort)
            accesses.push_back({e.pc, e.syndrome.address});
        return TrapAction::resume;
    }
    std::optional<uint64_t> read_sysreg(Core&, uint32_t) override { return std::nullopt; }
    bool write_sysreg(Core&, uint32_t, uint64_t) override { return false; }
    std::vector<std::pair<uint64_t, uint64_t>> accesses;
};

// `entry` (in RAM) runs: lui, `adds` addi's, `stores` to the device page, a spin.
std::vector<std::pair<uint64_t, uint64_t>> run_block(uint64_t entry, unsigned adds,
                                                     const std::vector<uint32_t>& stores = {
                                                         sw_x6_8_x5, sw_x6_12_x5}) {
    std::vector<uint32_t> code = {lui_x5_device};
    code.insert(code.end(), adds, addi_x6_x6_1);
    code.insert(code.end(), stores.begin(), stores.end());
    code.push_back(spin);
    std::vector<uint8_t> mem(ram_size, 0);
    std::memcpy(&mem[entry - ram], code.data(), 4 * code.size());
    Recorder rec;
    Rv64Core core(0, rec);
    core.map_memory(ram, ram_size, mem.data());
    core.map_trapping(device, 0x1000);
    core.reset(entry, 0);
    const RunResult r = core.run(10'000, 0, 1);
    EXPECT_NE(r.reason, StopReason::fault) << core.fault().description;
    return rec.accesses;
}

TEST(Rv64AccessPc, EachStoreOfALongBlockIsNamedByItsOwnPc) {
    const unsigned adds = 300; // the stores lie 1204 and 1208 bytes into the block
    const auto got = run_block(ram, adds);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].first, ram + 4 * (1 + adds));
    EXPECT_EQ(got[0].second, device + 8);
    EXPECT_EQ(got[1].first, ram + 4 * (2 + adds)) << "the second store, not the first";
    EXPECT_EQ(got[1].second, device + 12);
}

// Code that starts near a page's end (QEMU ends a RISC-V block at the page,
// and the scan of the next one starts there).
TEST(Rv64AccessPc, StoresPastAPageBoundaryAreNamedByTheirOwnPc) {
    const uint64_t entry = ram + 0x1000 - 40;
    const unsigned adds = 20;
    const auto got = run_block(entry, adds);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].first, entry + 4 * (1 + adds));
    EXPECT_EQ(got[1].first, entry + 4 * (2 + adds));
}

// Two stores to one address: a scan from the block's start finds the first
// for both; the helper's return address tells them apart.
TEST(Rv64AccessPc, TwoStoresToOneAddressAreNamedByTheirOwnPcs) {
#ifndef BAO_UNICORN_ACCESS_PC
    GTEST_SKIP() << "a build without the wrapped Unicorn archive scans the block";
#endif
    const auto got = run_block(ram, 3, {sw_x6_8_x5, sw_x7_8_x5});
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].first, ram + 4 * 4);
    EXPECT_EQ(got[1].first, ram + 4 * 5) << "the second store";
    EXPECT_EQ(got[1].second, device + 8);
}

} // namespace rv64_access_pc
} // namespace
} // namespace sim::cpu

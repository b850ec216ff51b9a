// An AArch64 guest with its MMU on whose tables map a virtual address that a
// Unicorn region already covers (a placeholder window, arm64_placeholder.cpp)
// to an intermediate physical address the VM does not back. Unicorn 2.0.1
// checks the virtual address against its regions, so its unmapped hook never
// fires; the access went to the translated address anyway: into the
// placeholder's own zeros when that address fell inside a window, or to
// QEMU's unassigned memory (reads 0, writes dropped) elsewhere. Either is a
// stage-2 abort on hardware, which a hypervisor emulates (a device it traps)
// or stops the VM for (docs/hv.md). The core raises it as it does for an
// address no region covers.
#include "bare_core.h"
#include "sim/cpu/arm64_core.h"
#include "sim/mmio.h"

#include <gtest/gtest.h>

#include <cstring>

namespace sim {
namespace {
namespace unbacked_translation {

using test::HostPages;
using test::NoExits;

constexpr uint64_t ram_base = 0x40000000, ram_size = 0x10000;
// VA 0x1_4000_0000 (L1 entry 5) is a table of 2 MiB blocks: block 0 maps
// RAM (the alias whose first access makes a 16 MiB placeholder window at
// 0x1_4000_0000), block 1 maps IPA 0x1_4000_0000, which lies inside that
// window, block 2 maps the device below, block 3 maps IPA 0x9000_0000,
// which nothing covers.
constexpr uint64_t alias = 0x140000000;
constexpr uint64_t into_window = alias + 0x200000, to_device = alias + 0x400000,
                   to_nothing = alias + 0x600000;
constexpr uint64_t device_base = 0x09000000, trap_base = 0x08000000;

// Turns the MMU on, then runs `tail`; the core stops at its first fault.
// `sync_handler`, if any, is the vector for a synchronous exception from EL1
// itself (VBAR_EL1 + 0x200).
cpu::RunResult run(const std::vector<uint32_t>& tail, cpu::Arm64Core& core, HostPages& ram,
                   bool uncounted = false, const std::vector<uint32_t>& sync_handler = {}) {
    std::vector<uint32_t> code = test::mmu_on_prologue({
        0xd2a80005, // movz x5, #0x4000, lsl #16   VBAR_EL1: RAM + 0x800
        0xf2810005, // movk x5, #0x800
    });
    code.insert(code.end(), tail.begin(), tail.end());
    std::memset(ram.p, 0, ram_size);
    std::memcpy(ram.p, code.data(), code.size() * 4);
    if (!sync_handler.empty()) // memcpy from an empty vector's null data() is undefined
        std::memcpy(ram.p + 0xa00, sync_handler.data(), sync_handler.size() * 4);
    uint64_t l1[512] = {};
    l1[1] = ram_base | 0x705;                  // identity: 1 GiB block to RAM
    l1[alias >> 30] = (ram_base + 0x2000) | 3; // a level-2 table
    uint64_t l2[512] = {};
    l2[0] = ram_base | 0x705;    // the alias of RAM
    l2[1] = alias | 0x705;       // into the window
    l2[2] = device_base | 0x401; // a device, AttrIndx 0
    l2[3] = 0x90000000 | 0x705;  // nothing
    l2[4] = 0x90000000 | 3;      // a level-3 table where nothing is
    l2[5] = alias | 3;           // a level-3 table inside the window
    l2[6] = trap_base | 3;       // a level-3 table in a page hv emulates
    l2[8] = device_base | 0x401; // the device again, in the next 16 MiB window
    l2[9] = 0x90000000 | 3;      // as 4-6, in the next window, which no access made
    l2[10] = alias | 3;
    l2[11] = trap_base | 3;
    std::memcpy(ram.p + 0x1000, l1, sizeof l1);
    std::memcpy(ram.p + 0x2000, l2, sizeof l2);
    core.map_memory(ram_base, ram_size, ram.p);
    core.reset(ram_base, 0);
    if (uncounted)
        test::run_uncounted(core);
    return core.run(100'000, 0, 1);
}

// x9 = the alias; x10 = `va`; loads through the alias (making its window),
// stores 42 at `va`, loads it back into x0, then spins.
std::vector<uint32_t> store_and_load(uint64_t va) {
    // movk x10, #va[31:16], lsl #16
    const uint32_t movk_x10 = 0xf2a0000a | static_cast<uint32_t>((va >> 16) & 0xffff) << 5;
    return {
        0xd2c00029, // movz x9, #1, lsl #32
        0xf2a80009, // movk x9, #0x4000, lsl #16
        0xf9400128, // ldr  x8, [x9]
        0xd2c0002a, // movz x10, #1, lsl #32
        movk_x10,
        0xd280054b, // movz x11, #42
        0xf900014b, // str  x11, [x10]
        0xf9400140, // ldr  x0, [x10]
        0x14000000, // b    .
    };
}

constexpr uint64_t prologue_words = 15; // mmu_on_prologue with two words for x5
constexpr uint64_t store_pc = ram_base + (prologue_words + 6) * 4;

void expect_store_abort(bool uncounted) {
    HostPages ram(ram_size);
    NoExits exits;
    cpu::Arm64Core core(0, exits);
    const cpu::RunResult r = run(store_and_load(into_window), core, ram, uncounted);
    ASSERT_EQ(r.reason, cpu::StopReason::fault) << "x0 = " << core.x(0);
    EXPECT_EQ(core.fault().kind, cpu::Fault::Kind::unmapped_write) << core.fault().description;
    EXPECT_EQ(core.fault().address, alias) << "the IPA, inside the placeholder window";
    EXPECT_EQ(core.fault().va, into_window);
    EXPECT_EQ(core.fault().size, 8u);
    EXPECT_EQ(core.fault().pc, store_pc) << "the store's own PC";
    EXPECT_EQ(core.pc(), store_pc);
    ASSERT_TRUE(core.fault().exit.has_value()) << "a hypervisor takes it";
    EXPECT_EQ(core.fault().exit->kind, cpu::Exit::Kind::data_abort);
    EXPECT_EQ(core.fault().exit->syndrome.address, into_window) << "FAR";
    EXPECT_EQ(core.fault().exit->syndrome.guest_phys, (alias >> 12) << 4) << "HPFAR";
}

TEST(UnbackedTranslation, AStoreThroughAWindowToAnIpaInsideAWindowIsAStage2Abort) {
    expect_store_abort(false);
}

TEST(UnbackedTranslation, AStoreThroughAWindowToAnIpaInsideAWindowIsAStage2AbortUncounted) {
#ifndef BAO_UNICORN_ACCESS_PC
    GTEST_SKIP() << "needs Unicorn 2.0.1's TLB fill wrapped (sim/CMakeLists.txt)";
#endif
    expect_store_abort(true);
}

TEST(UnbackedTranslation, AStoreThroughAWindowToAnIpaNothingCoversIsAStage2Abort) {
    HostPages ram(ram_size);
    NoExits exits;
    cpu::Arm64Core core(0, exits);
    const cpu::RunResult r = run(store_and_load(to_nothing), core, ram);
    ASSERT_EQ(r.reason, cpu::StopReason::fault) << "x0 = " << core.x(0);
    EXPECT_EQ(core.fault().kind, cpu::Fault::Kind::unmapped_write) << core.fault().description;
    EXPECT_EQ(core.fault().address, 0x90000000u);
    EXPECT_EQ(core.fault().va, to_nothing);
    EXPECT_EQ(core.fault().pc, store_pc);
}

TEST(UnbackedTranslation, ALoadThroughAWindowToAnIpaNothingCoversIsAStage2Abort) {
    HostPages ram(ram_size);
    NoExits exits;
    cpu::Arm64Core core(0, exits);
    std::vector<uint32_t> tail = store_and_load(to_nothing);
    tail[5] = 0xd503201f; // nop instead of the store
    tail[6] = 0xd503201f;
    const cpu::RunResult r = run(tail, core, ram);
    ASSERT_EQ(r.reason, cpu::StopReason::fault) << "x0 = " << core.x(0);
    EXPECT_EQ(core.fault().kind, cpu::Fault::Kind::unmapped_read) << core.fault().description;
    EXPECT_EQ(core.fault().address, 0x90000000u);
    EXPECT_EQ(core.fault().va, to_nothing);
    EXPECT_EQ(core.fault().pc, store_pc + 4) << "the load's own PC";
}

// A branch into the window, to code at an IPA nothing backs: an instruction
// abort at the branch target.
TEST(UnbackedTranslation, AFetchThroughAWindowToAnIpaNothingCoversIsAStage2Abort) {
    HostPages ram(ram_size);
    NoExits exits;
    cpu::Arm64Core core(0, exits);
    std::vector<uint32_t> tail = store_and_load(to_nothing);
    tail[5] = 0xd61f0140; // br x10
    const cpu::RunResult r = run(tail, core, ram);
    ASSERT_EQ(r.reason, cpu::StopReason::fault);
    EXPECT_EQ(core.fault().kind, cpu::Fault::Kind::unmapped_fetch) << core.fault().description;
    EXPECT_EQ(core.fault().address, 0x90000000u);
    EXPECT_EQ(core.fault().va, to_nothing);
    EXPECT_EQ(core.fault().pc, to_nothing);
    ASSERT_TRUE(core.fault().exit.has_value());
    EXPECT_EQ(core.fault().exit->kind, cpu::Exit::Kind::inst_abort);
}

// Where the guest's VAs overlap its own RAM's addresses, Unicorn's region is
// the RAM itself: a VA there that the tables send elsewhere is just as much
// an abort (no placeholder involved).
TEST(UnbackedTranslation, AVaInsideRamTranslatedOutsideItIsAStage2Abort) {
    HostPages ram(ram_size);
    NoExits exits;
    cpu::Arm64Core core(0, exits);
    std::vector<uint32_t> code = test::mmu_on_prologue({
        0xd2a80005, // movz x5, #0x4000, lsl #16   VBAR_EL1: RAM + 0x800
        0xf2810005, // movk x5, #0x800
    });
    code.insert(code.end(), {
                                0xd2a8000a, // movz x10, #0x4000, lsl #16
                                0xf290000a, // movk x10, #0x8000       (RAM + 0x8000)
                                0xf940014b, // ldr  x11, [x10]
                                0x14000000, // b    .
                            });
    std::memset(ram.p, 0, ram_size);
    std::memcpy(ram.p, code.data(), code.size() * 4);
    // 4 KiB pages over RAM, identity but for its ninth page, which the
    // tables send to IPA 0x9000_0000.
    uint64_t l1[512] = {}, l2[512] = {}, l3[512] = {};
    l1[1] = (ram_base + 0x3000) | 3;
    l2[0] = (ram_base + 0x4000) | 3;
    for (uint64_t page = 0; page < ram_size / 0x1000; ++page)
        l3[page] = (ram_base + page * 0x1000) | 0x707;
    l3[8] = 0x90000000 | 0x707;
    std::memcpy(ram.p + 0x1000, l1, sizeof l1);
    std::memcpy(ram.p + 0x3000, l2, sizeof l2);
    std::memcpy(ram.p + 0x4000, l3, sizeof l3);
    core.map_memory(ram_base, ram_size, ram.p);
    core.reset(ram_base, 0);
    const cpu::RunResult r = core.run(100'000, 0, 1);
    ASSERT_EQ(r.reason, cpu::StopReason::fault) << "x11 = " << core.x(11);
    EXPECT_EQ(core.fault().kind, cpu::Fault::Kind::unmapped_read) << core.fault().description;
    EXPECT_EQ(core.fault().address, 0x90000000u);
    EXPECT_EQ(core.fault().va, ram_base + 0x8000);
    EXPECT_EQ(core.fault().pc, ram_base + (prologue_words + 2) * 4);
    EXPECT_EQ(core.placeholders(), 0u);
}

// The stage-1 walk of a covered address reads a table the VM does not back
// (at an address nothing covers, or inside a placeholder window): hardware
// takes a stage-2 abort on the walk (S1PTW). Before, the walk read an error
// (the guest took a synchronous external abort) or the window's zeros (a
// translation fault).
//
// An AT instruction walks the tables outside any access (Unicorn's
// do_ats_write): a table it reads that the VM does not back is a stage-2
// abort of the instruction to EL2 (S1PTW, CM, WnR 1; FAR the address it was
// asked to translate), not a fault in PAR_EL1 nor an external abort.
constexpr uint32_t at_s1e1r_x10 = 0xd508780a, mrs_x0_par_el1 = 0xd5387400;

enum class Walker { store, at };

void expect_walk_abort(uint64_t va, uint64_t table, Walker walker = Walker::store,
                       bool uncounted = false) {
    HostPages ram(ram_size);
    NoExits exits;
    cpu::Arm64Core core(0, exits);
    core.map_trapping(trap_base, 0x1000);
    std::vector<uint32_t> tail = store_and_load(va);
    if (walker == Walker::at) {
        tail[6] = at_s1e1r_x10; // instead of the store
        tail[7] = mrs_x0_par_el1;
    }
    const cpu::RunResult r = run(tail, core, ram, uncounted);
    ASSERT_EQ(r.reason, cpu::StopReason::fault) << "x0 = " << std::hex << core.x(0);
    EXPECT_EQ(core.fault().kind, cpu::Fault::Kind::unmapped_write) << core.fault().description;
    EXPECT_EQ(core.fault().address, table) << "the level-3 descriptor's address";
    EXPECT_EQ(core.fault().va, va);
    EXPECT_EQ(core.fault().pc, store_pc) << "the store's or the AT's own PC";
    EXPECT_EQ(core.pc(), store_pc);
    const char* named =
        walker == Walker::at ? "address translation instruction" : "translation table walk";
    EXPECT_NE(core.fault().description.find(named), std::string::npos) << core.fault().description;
    ASSERT_TRUE(core.fault().exit.has_value());
    EXPECT_EQ(core.fault().exit->kind, cpu::Exit::Kind::data_abort);
    const uint32_t cm_wnr = walker == Walker::at ? 1u << 8 | 1u << 6 : 0;
    EXPECT_EQ(core.fault().exit->syndrome.detail, cm_wnr | 1u << 7 | 0x07)
        << "S1PTW, no ISV; for AT CM and WnR 1, else WnR 0";
    EXPECT_EQ(core.fault().exit->syndrome.address, va) << "FAR";
    EXPECT_EQ(core.fault().exit->syndrome.guest_phys, (table >> 12) << 4) << "HPFAR";
}

TEST(UnbackedTranslation, AWalkReadingATableNothingCoversIsAStage2Abort) {
    expect_walk_abort(alias + 0x800000, 0x90000000);
}

TEST(UnbackedTranslation, AWalkReadingATableInsideAWindowIsAStage2Abort) {
    expect_walk_abort(alias + 0xa00000, alias);
}

// A table in a page hv emulates (the distributor's, say): stage 2 does not
// map it, and the walk's read was emulated as if the instruction had made it.
TEST(UnbackedTranslation, AWalkReadingATableInATrappingPageIsAStage2Abort) {
    expect_walk_abort(alias + 0xc00000, trap_base);
}

// The same walks for a virtual address no region covers (Unicorn's unmapped
// hook, and the core's own walk, sim/cpu/stage1_walk): before, the guest took
// a translation fault (a table nothing backs, or the window's zeros), and a
// table in a page hv emulates was read through hv's emulation.
TEST(UnbackedTranslation, AnUncoveredWalkReadingATableNothingCoversIsAStage2Abort) {
    expect_walk_abort(alias + 0x1200000, 0x90000000);
}

TEST(UnbackedTranslation, AnUncoveredWalkReadingATableInsideAWindowIsAStage2Abort) {
    expect_walk_abort(alias + 0x1400000, alias);
}

TEST(UnbackedTranslation, AnUncoveredWalkReadingATableInATrappingPageIsAStage2Abort) {
    expect_walk_abort(alias + 0x1600000, trap_base);
}

TEST(UnbackedTranslation, AnAtWalkReadingATableNothingCoversIsAStage2Abort) {
    expect_walk_abort(alias + 0x800000, 0x90000000, Walker::at);
}

TEST(UnbackedTranslation, AnAtWalkReadingATableInsideAWindowIsAStage2Abort) {
    expect_walk_abort(alias + 0xa00000, alias, Walker::at);
}

TEST(UnbackedTranslation, AnAtWalkReadingATableInATrappingPageIsAStage2Abort) {
    expect_walk_abort(alias + 0xc00000, trap_base, Walker::at);
}

// Without the memory hook (--fast-forward-uncounted) both walk checks hold.
TEST(UnbackedTranslation, WalkAbortsWithoutTheMemoryHook) {
#ifndef BAO_UNICORN_ACCESS_PC
    GTEST_SKIP() << "needs Unicorn 2.0.1's TLB fill wrapped (sim/CMakeLists.txt)";
#endif
    expect_walk_abort(alias + 0x800000, 0x90000000, Walker::store, true);
    expect_walk_abort(alias + 0x800000, 0x90000000, Walker::at, true);
}

TEST(UnbackedTranslation, AnAtWalkOfAnUncoveredAddressReadingATableNothingCoversIsAStage2Abort) {
    expect_walk_abort(alias + 0x1200000, 0x90000000, Walker::at);
}

// AT S1E1R is stage 1 only: a walk the VM backs whose output address it
// does not back reports that address in PAR_EL1, with no abort.
TEST(UnbackedTranslation, AnAtWhoseOutputTheVmDoesNotBackReportsItInPar) {
    HostPages ram(ram_size);
    NoExits exits;
    cpu::Arm64Core core(0, exits);
    std::vector<uint32_t> tail = store_and_load(to_nothing);
    tail[6] = at_s1e1r_x10;
    tail[7] = mrs_x0_par_el1;
    const cpu::RunResult r = run(tail, core, ram);
    ASSERT_NE(r.reason, cpu::StopReason::fault) << core.fault().description;
    EXPECT_EQ(core.x(0) & 1, 0u) << "PAR_EL1.F: no fault";
    EXPECT_EQ(core.x(0) & 0xfffffffff000, 0x90000000u) << "PAR_EL1.PA";
}

// A data cache instruction by VA: Unicorn 2.0.1 runs it as a no-op; the
// core makes the translation hardware makes (sim/cpu/arm64_exception.cpp).
constexpr uint32_t dc_civac_x10 = 0xd50b7e2a, dc_ivac_x10 = 0xd508762a;

cpu::RunResult run_dc(uint64_t va, uint32_t dc, cpu::Arm64Core& core, HostPages& ram) {
    std::vector<uint32_t> tail = store_and_load(va);
    tail[6] = dc;         // instead of the store
    tail[7] = 0xd2800540; // movz x0, #42: it ran on
    const std::vector<uint32_t> handler = {
        0xd5385202, // mrs x2, esr_el1
        0xd5386003, // mrs x3, far_el1
        0xd5384024, // mrs x4, elr_el1
        0x14000000, // b .
    };
    return run(tail, core, ram, false, handler);
}

// ... to an IPA the VM does not back: a stage-2 abort with CM and WnR set.
TEST(UnbackedTranslation, ADataCacheInstructionToAnIpaNothingCoversIsAStage2Abort) {
#ifndef BAO_UNICORN_ACCESS_PC
    GTEST_SKIP() << "needs Unicorn 2.0.1's helpers wrapped (sim/CMakeLists.txt)";
#endif
    HostPages ram(ram_size);
    NoExits exits;
    cpu::Arm64Core core(0, exits);
    ASSERT_EQ(run_dc(to_nothing, dc_civac_x10, core, ram).reason, cpu::StopReason::fault)
        << "x0 = " << core.x(0);
    EXPECT_EQ(core.fault().kind, cpu::Fault::Kind::unmapped_write) << core.fault().description;
    EXPECT_EQ(core.fault().address, 0x90000000u);
    EXPECT_EQ(core.fault().pc, store_pc) << "the DC's own PC";
    EXPECT_EQ(core.pc(), store_pc);
    EXPECT_NE(core.fault().description.find("data cache instruction"), std::string::npos)
        << core.fault().description;
    ASSERT_TRUE(core.fault().exit.has_value());
    EXPECT_EQ(core.fault().exit->kind, cpu::Exit::Kind::data_abort);
    EXPECT_EQ(core.fault().exit->syndrome.detail, 1u << 8 | 1u << 6 | 0x07) << "CM, WnR 1";
    EXPECT_EQ(core.fault().exit->syndrome.address, to_nothing) << "FAR";
    EXPECT_EQ(core.fault().exit->syndrome.guest_phys, (0x90000000ull >> 12) << 4);
}

// ... whose walk reads a table the VM does not back: the same, with S1PTW.
TEST(UnbackedTranslation, ADataCacheInstructionWhoseWalkReadsNothingIsAStage2Abort) {
#ifndef BAO_UNICORN_ACCESS_PC
    GTEST_SKIP() << "needs Unicorn 2.0.1's helpers wrapped (sim/CMakeLists.txt)";
#endif
    HostPages ram(ram_size);
    NoExits exits;
    cpu::Arm64Core core(0, exits);
    ASSERT_EQ(run_dc(alias + 0x1200000, dc_civac_x10, core, ram).reason, cpu::StopReason::fault);
    EXPECT_EQ(core.fault().address, 0x90000000u) << core.fault().description;
    EXPECT_EQ(core.fault().pc, store_pc);
    ASSERT_TRUE(core.fault().exit.has_value());
    EXPECT_EQ(core.fault().exit->syndrome.detail, 1u << 8 | 1u << 7 | 1u << 6 | 0x07);
}

// ... that the guest's own tables do not map: its data abort, with CM and
// WnR set, taken at the DC (ELR) with FAR its operand.
TEST(UnbackedTranslation, ADataCacheInstructionToAnUnmappedVaIsTheGuestsDataAbort) {
#ifndef BAO_UNICORN_ACCESS_PC
    GTEST_SKIP() << "needs Unicorn 2.0.1's helpers wrapped (sim/CMakeLists.txt)";
#endif
    HostPages ram(ram_size);
    NoExits exits;
    cpu::Arm64Core core(0, exits);
    const uint64_t invalid = alias + 0x2000000; // level-2 entry 16: invalid
    const cpu::RunResult r = run_dc(invalid, dc_ivac_x10, core, ram);
    ASSERT_NE(r.reason, cpu::StopReason::fault) << core.fault().description;
    EXPECT_NE(core.x(0), 42u) << "the instruction after the DC did not run";
    EXPECT_EQ(core.x(2), 0x25u << 26 | 1u << 25 | 1u << 8 | 1u << 6 | 0x06)
        << std::hex
        << "ESR_EL1: EC data abort from EL1, IL, CM, WnR, level-2 translation fault: " << core.x(2);
    EXPECT_EQ(core.x(3), invalid) << "FAR_EL1";
    EXPECT_EQ(core.x(4), store_pc) << "ELR_EL1: the DC";
}

// ... that translates into the VM: nothing happens (it is a no-op to the
// model), and the code goes on.
TEST(UnbackedTranslation, ADataCacheInstructionToTheVmsMemoryRunsOn) {
    HostPages ram(ram_size);
    NoExits exits;
    cpu::Arm64Core core(0, exits);
    const cpu::RunResult r = run_dc(alias, dc_civac_x10, core, ram);
    ASSERT_NE(r.reason, cpu::StopReason::fault) << core.fault().description;
    EXPECT_EQ(core.x(0), 42u);
}

struct Registers final : MmioDevice { // Unicorn passes 8 bytes on as two 4-byte accesses
    uint64_t read(unsigned, uint64_t offset, unsigned) override { return words[offset / 4 % 2]; }
    void write(unsigned, uint64_t offset, unsigned, uint64_t v) override {
        words[offset / 4 % 2] = static_cast<uint32_t>(v);
    }
    uint32_t words[2] = {};
};

// A device the VM has (a Unicorn MMIO region) stays reachable through a
// window: only addresses nothing of the VM's backs abort.
// Runs store_and_load(va) on a core that has `device` at device_base.
cpu::RunResult run_with_device(uint64_t va, Registers& device, cpu::Arm64Core& core,
                               HostPages& ram) {
    core.map_device(device_base, 0x1000, device);
    return run(store_and_load(va), core, ram);
}

TEST(UnbackedTranslation, ADeviceThroughAWindowIsAccessed) {
    Registers device;
    HostPages ram(ram_size);
    NoExits exits;
    cpu::Arm64Core core(0, exits);
    const cpu::RunResult r = run_with_device(to_device, device, core, ram);
    ASSERT_EQ(r.reason, cpu::StopReason::budget) << core.fault().description;
    EXPECT_EQ(device.words[0], 42u);
    EXPECT_EQ(device.words[1], 0u);
    EXPECT_EQ(core.x(0), 42u) << "read back from the device";
}

// ... and through a virtual address no window covers yet: the access makes
// the window, as one into the VM's memory does. It stopped the core as a
// write to unmapped memory (on hardware: the device; under hv: an abort at
// an IPA hv's stage 2 maps); Linux reached its GIC CPU interface only
// because its ioremap addresses shared a 1 GiB window with the kernel's.
TEST(UnbackedTranslation, ADeviceThroughItsOwnWindowIsAccessed) {
    Registers device;
    HostPages ram(ram_size);
    NoExits exits;
    cpu::Arm64Core core(0, exits);
    const cpu::RunResult r = run_with_device(alias + 0x1000000, device, core, ram);
    ASSERT_EQ(r.reason, cpu::StopReason::budget) << core.fault().description;
    EXPECT_EQ(device.words[0], 42u);
    EXPECT_EQ(core.x(0), 42u) << "read back from the device";
    EXPECT_EQ(core.placeholders(), 2u) << "the alias's window and the device's";
}

} // namespace unbacked_translation
} // namespace
} // namespace sim

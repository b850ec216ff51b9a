// The RV64 core's trap delivery (sim/cpu/rv64_exception.cpp), one cause at
// a time, on hand-encoded programs: what the guest's handler reads from
// scause, sepc, stval and sstatus, as the privileged spec defines them.
// The handler copies the four CSRs into a0-a3 and ECALLs, which the test's
// exit handler records.
#include "sim/cpu/rv64_core.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace sim::cpu {
namespace {

constexpr uint64_t ram = 0x80000000, ram_size = 4 << 20, handler = ram + 0x1000;
constexpr uint32_t t1 = 6, t2 = 7, a0 = 10, a4 = 14, a5 = 15;

constexpr uint32_t csrr(uint32_t rd, uint32_t csr) {
    return (csr << 20) | (2u << 12) | (rd << 7) | 0x73;
}
constexpr uint32_t csrw(uint32_t csr, uint32_t rs) {
    return (csr << 20) | (rs << 15) | (1u << 12) | 0x73;
}
constexpr uint32_t lw(uint32_t rd, uint32_t rs1) {
    return (rs1 << 15) | (2u << 12) | (rd << 7) | 0x03;
}
constexpr uint32_t sw(uint32_t rs2, uint32_t rs1) {
    return (rs2 << 20) | (rs1 << 15) | (2u << 12) | 0x23;
}
constexpr uint32_t jalr0(uint32_t rs1) {
    return (rs1 << 15) | 0x67;
}
constexpr uint32_t amoadd_w(uint32_t rd, uint32_t rs2, uint32_t rs1) {
    return (rs2 << 20) | (rs1 << 15) | (2u << 12) | (rd << 7) | 0x2f;
}
constexpr uint32_t addi(uint32_t rd, uint32_t rs1, uint32_t imm) {
    return (imm << 20) | (rs1 << 15) | (rd << 7) | 0x13;
}
constexpr uint32_t nop = 0x00000013, ecall = rv64::insn_ecall, ebreak = rv64::insn_ebreak,
                   sfence_vma = 0x12000073, jump_self = 0x0000006f;

struct Recorder : ExitHandler {
    std::vector<std::vector<uint64_t>> calls; // a0..a5 at each ECALL
    TrapAction on_exit(Core& core, Exit& exit) override {
        if (exit.kind != Exit::Kind::call)
            return TrapAction::unhandled;
        EXPECT_EQ(exit.syndrome.cause, rv64::cause::ecall_s);
        std::vector<uint64_t> regs;
        for (unsigned r = 10; r <= 15; ++r)
            regs.push_back(core.x(r));
        calls.push_back(regs);
        return TrapAction::stop_core;
    }
    std::optional<uint64_t> read_sysreg(Core&, uint32_t csr) override {
        if (csr == rv64::csr::time)
            return 4242;
        return std::nullopt;
    }
    bool write_sysreg(Core&, uint32_t, uint64_t) override { return false; }
};

struct Rv64Delivery : ::testing::Test {
    std::vector<uint8_t> mem = std::vector<uint8_t>(ram_size, 0);
    Recorder rec;
    Rv64Core core{0, rec};

    void SetUp() override {
        core.map_memory(ram, ram_size, mem.data());
        const std::vector<uint32_t> h = {csrr(10, rv64::csr::scause), csrr(11, rv64::csr::sepc),
                                         csrr(12, rv64::csr::stval), csrr(13, rv64::csr::sstatus),
                                         ecall};
        put(handler, h);
        // A second handler right after (stvec + 4 x 5 in vectored mode): marks a5 = 77.
        put(handler + 20,
            {csrr(10, rv64::csr::scause), csrr(11, rv64::csr::sepc), csrr(12, rv64::csr::stval),
             csrr(13, rv64::csr::sstatus), addi(a5, 0, 77), ecall});
        // Sv39: 0x8000_0000 + 2 MiB identity (RWX), the next 2 MiB invalid.
        put64(ram + 0x100000 + 2 * 8, ((ram + 0x101000) >> 12) << 10 | 1);
        put64(ram + 0x101000, (ram >> 12) << 10 | 0xcf);
    }
    void put(uint64_t at, const std::vector<uint32_t>& words) {
        std::memcpy(&mem[at - ram], words.data(), words.size() * 4);
    }
    void put64(uint64_t at, uint64_t v) { std::memcpy(&mem[at - ram], &v, 8); }
    // Runs `program` at the start of RAM; the handler's record (a0..a5).
    std::vector<uint64_t> run(const std::vector<uint32_t>& program, uint64_t stvec = handler) {
        put(ram, program);
        core.reset(ram, 0);
        core.set_csr(rv64::csr::stvec, stvec);
        const RunResult r = core.run(1'000'000, 0, 1);
        EXPECT_EQ(r.reason, StopReason::halted) << core.fault().description;
        retired = r.instructions;
        return rec.calls.empty() ? std::vector<uint64_t>(6, ~0ull) : rec.calls.back();
    }
    uint64_t retired = 0; // instructions of the last run()
    static uint64_t spp(uint64_t s) { return (s >> 8) & 1; }
    static uint64_t spie(uint64_t s) { return (s >> 5) & 1; }
    static uint64_t sie(uint64_t s) { return (s >> 1) & 1; }
};

TEST_F(Rv64Delivery, IllegalInstructionFromAnUnknownCsr) {
    const uint32_t insn = csrr(a0, 0x7c0); // no such CSR in S-mode
    auto r = run({nop, insn, nop});
    EXPECT_EQ(r[0], rv64::cause::illegal_insn);
    EXPECT_EQ(r[1], ram + 4); // sepc: the instruction itself
    EXPECT_EQ(r[2], insn);    // stval: its encoding
    EXPECT_EQ(spp(r[3]), 1u);
    EXPECT_EQ(sie(r[3]), 0u);
    EXPECT_EQ(core.exceptions_delivered(), 1u);
}

// A block whose first word Unicorn 2.0.1 cannot decode is reported to the
// block hook with size -4 in 16 bits (65532): the core counted 16 383
// instructions that never ran and scanned 64 KiB for 16-bit words, and
// stopped the VM on the zeros past the program instead of giving the guest
// its illegal-instruction trap (random guests ended "at the image's end").
TEST_F(Rv64Delivery, IllegalWordAtABlocksStartIsTheGuestsTrap) {
    const uint32_t reserved = 0xffffffff; // a >= 80-bit encoding: no instruction
    auto r = run({0x0080006f /* j +8 */, nop, reserved});
    EXPECT_EQ(r[0], rv64::cause::illegal_insn) << core.fault().description;
    EXPECT_EQ(r[1], ram + 8);
    EXPECT_EQ(r[2], reserved);
    EXPECT_EQ(core.exceptions_delivered(), 1u);
    EXPECT_EQ(retired, 7u); // the reset stub's MRET, the jump, the handler's four reads, ECALL
}

TEST_F(Rv64Delivery, SpieKeepsTheInterruptEnableOfTheInterruptedCode) {
    auto r =
        run({addi(t2, 0, 2), csrw(rv64::csr::sstatus, t2), csrr(a0, 0xf14)}); // SIE on; mhartid
    EXPECT_EQ(r[0], rv64::cause::illegal_insn);
    EXPECT_EQ(r[1], ram + 8);
    EXPECT_EQ(spie(r[3]), 1u);
    EXPECT_EQ(sie(r[3]), 0u);
    EXPECT_EQ(spp(r[3]), 1u);
}

TEST_F(Rv64Delivery, Breakpoint) {
    auto r = run({nop, nop, ebreak});
    EXPECT_EQ(r[0], rv64::cause::breakpoint);
    EXPECT_EQ(r[1], ram + 8);
    EXPECT_EQ(r[2], ram + 8);
}

struct Rv64PageFault : Rv64Delivery {
    std::vector<uint64_t> fault_at(uint32_t access, uint64_t va) {
        put(ram, {csrw(rv64::csr::satp, t1), sfence_vma, access});
        core.reset(ram, 0);
        core.set_csr(rv64::csr::stvec, handler);
        core.set_x(t1, (8ull << 60) | ((ram + 0x100000) >> 12));
        core.set_x(t2, va);
        const RunResult res = core.run(1'000'000, 0, 1);
        EXPECT_EQ(res.reason, StopReason::halted) << core.fault().description;
        return rec.calls.empty() ? std::vector<uint64_t>(6, ~0ull) : rec.calls.back();
    }
};

TEST_F(Rv64PageFault, LoadFromAnInvalidPageOfTheGuestsOwnTables) {
    auto r = fault_at(lw(a4, t2), ram + 0x200000);
    EXPECT_EQ(r[0], rv64::cause::load_page_fault);
    EXPECT_EQ(r[1], ram + 8); // sepc: the load
    EXPECT_EQ(r[2], ram + 0x200000);
    EXPECT_EQ(spp(r[3]), 1u);
}

TEST_F(Rv64PageFault, StoreToAnInvalidPage) {
    auto r = fault_at(sw(a5, t2), ram + 0x200010);
    EXPECT_EQ(r[0], rv64::cause::store_page_fault);
    EXPECT_EQ(r[1], ram + 8);
    EXPECT_EQ(r[2], ram + 0x200010);
}

TEST_F(Rv64PageFault, LoadFromAnAddressNoMemoryBacks) {
    auto r = fault_at(lw(a4, t2), 0x40000000);
    EXPECT_EQ(r[0], rv64::cause::load_page_fault);
    EXPECT_EQ(r[1], ram + 8);
    EXPECT_EQ(r[2], 0x40000000u);
}

TEST_F(Rv64PageFault, InstructionFetchFromAnInvalidPage) {
    auto r = fault_at(jalr0(t2), ram + 0x200000);
    EXPECT_EQ(r[0], rv64::cause::insn_page_fault);
    EXPECT_EQ(r[1], ram + 0x200000); // sepc: the address that could not be fetched
    EXPECT_EQ(r[2], ram + 0x200000);
}

TEST_F(Rv64Delivery, MisalignedAtomic) {
    put(ram, {amoadd_w(a4, a5, t2)});
    core.reset(ram, 0);
    core.set_csr(rv64::csr::stvec, handler);
    core.set_x(t2, ram + 0x102);
    ASSERT_EQ(core.run(1'000'000, 0, 1).reason, StopReason::halted) << core.fault().description;
    auto r = rec.calls.back();
    EXPECT_EQ(r[0], rv64::cause::store_misaligned);
    EXPECT_EQ(r[1], ram);
    EXPECT_EQ(r[2], ram + 0x102);
}

// Without the memory hook (--fast-forward-uncounted), a faulting access's
// address comes from its instruction: the same stval as with the hook.
TEST_F(Rv64PageFault, FaultingAddressesWithoutTheMemoryHook) {
#ifndef BAO_UNICORN_ACCESS_PC
    GTEST_SKIP() << "needs the wrapped Unicorn archive (sim/CMakeLists.txt)";
#endif
    core.set_fast_forward(true);
    ASSERT_TRUE(core.set_fast_forward_uncounted(true));
    auto r = fault_at(lw(a4, t2), ram + 0x200000);
    EXPECT_EQ(r[0], rv64::cause::load_page_fault);
    EXPECT_EQ(r[1], ram + 8);
    EXPECT_EQ(r[2], ram + 0x200000);
    core.invalidate_code(ram, 0x1000); // each program is written over the last
    r = fault_at(sw(a5, t2), ram + 0x200010);
    EXPECT_EQ(r[0], rv64::cause::store_page_fault);
    EXPECT_EQ(r[2], ram + 0x200010);
    put(ram, {amoadd_w(a4, a5, t2)});
    core.invalidate_code(ram, 0x1000);
    core.reset(ram, 0);
    core.set_csr(rv64::csr::stvec, handler);
    core.set_x(t2, ram + 0x102);
    ASSERT_EQ(core.run(1'000'000, 0, 1).reason, StopReason::halted) << core.fault().description;
    r = rec.calls.back();
    EXPECT_EQ(r[0], rv64::cause::store_misaligned);
    EXPECT_EQ(r[2], ram + 0x102);
    EXPECT_EQ(core.loads() + core.stores(), 0u) << "nothing counted without the hook";
}

// A virtual address RAM's region covers that the guest's tables send past
// RAM (sim/cpu/unicorn_stage2.c): the core stops with a fault naming both
// addresses, with or without the memory hook. Unicorn's unmapped hook never
// sees it; the load read 0 from QEMU's unassigned memory and the guest ran on.
struct Rv64UnbackedTranslation : Rv64Delivery {
    // The mid-level entry for VA ram + 2 MiB: a leaf past RAM, by default.
    RunResult access_at(uint32_t access, bool uncounted = false,
                        uint64_t mid_entry = (0x90000000ull >> 12) << 10 | 0xcf) {
        put64(ram + 0x101000 + 8, mid_entry);
        put(ram, {csrw(rv64::csr::satp, t1), sfence_vma, access});
        core.reset(ram, 0);
        core.set_csr(rv64::csr::stvec, handler);
        core.set_x(t1, (8ull << 60) | ((ram + 0x100000) >> 12));
        core.set_x(t2, ram + 0x200010);
        if (uncounted) {
            core.set_fast_forward(true);
            EXPECT_TRUE(core.set_fast_forward_uncounted(true));
        }
        return core.run(1'000'000, 0, 1);
    }
};

TEST_F(Rv64UnbackedTranslation, ALoadStopsTheCoreNamingBothAddresses) {
    ASSERT_EQ(access_at(lw(a4, t2)).reason, StopReason::fault) << rec.calls.size() << " traps";
    EXPECT_EQ(core.fault().kind, Fault::Kind::unmapped_read) << core.fault().description;
    EXPECT_EQ(core.fault().address, 0x90000010u);
    EXPECT_EQ(core.fault().va, ram + 0x200010);
    EXPECT_EQ(core.fault().pc, ram + 8);
    EXPECT_EQ(core.fault().size, 4u);
    EXPECT_NE(core.fault().description.find("through virtual address 0x80200010"),
              std::string::npos)
        << core.fault().description;
}

TEST_F(Rv64UnbackedTranslation, AStoreStopsTheCoreWithoutTheMemoryHook) {
#ifndef BAO_UNICORN_ACCESS_PC
    GTEST_SKIP() << "needs the wrapped Unicorn archive (sim/CMakeLists.txt)";
#endif
    ASSERT_EQ(access_at(sw(a5, t2), true).reason, StopReason::fault) << rec.calls.size();
    EXPECT_EQ(core.fault().kind, Fault::Kind::unmapped_write) << core.fault().description;
    EXPECT_EQ(core.fault().address, 0x90000010u);
    EXPECT_EQ(core.fault().pc, ram + 8);
}

// ... and so does a page table the walk reads there (the level-0 table for
// that 2 MiB at 0x9000_0000): the walk read an access fault before.
TEST_F(Rv64UnbackedTranslation, AWalkReadingATableNothingBacksStopsTheCore) {
    const uint64_t pointer = (0x90000000ull >> 12) << 10 | 1; // V only: the next level
    ASSERT_EQ(access_at(lw(a4, t2), false, pointer).reason, StopReason::fault) << rec.calls.size();
    EXPECT_EQ(core.fault().kind, Fault::Kind::unmapped_read) << core.fault().description;
    EXPECT_EQ(core.fault().address, 0x90000000u) << "the level-0 entry's address";
    EXPECT_EQ(core.fault().va, ram + 0x200010);
    EXPECT_EQ(core.fault().pc, ram + 8);
    EXPECT_NE(core.fault().description.find("a page table of virtual address"), std::string::npos)
        << core.fault().description;
}

// The same walk for a virtual address no region covers (0xc000_0010, whose
// root entry points at a level-1 table at 0x9000_0000): Unicorn's unmapped
// hook, and the core's own walk. Before, the guest took a load page fault.
TEST_F(Rv64UnbackedTranslation, AnUncoveredWalkReadingATableNothingBacksStopsTheCore) {
    put64(ram + 0x100000 + 3 * 8, (0x90000000ull >> 12) << 10 | 1);
    put(ram, {csrw(rv64::csr::satp, t1), sfence_vma, lw(a4, t2)});
    core.reset(ram, 0);
    core.set_csr(rv64::csr::stvec, handler);
    core.set_x(t1, (8ull << 60) | ((ram + 0x100000) >> 12));
    core.set_x(t2, 0xc0000010);
    ASSERT_EQ(core.run(1'000'000, 0, 1).reason, StopReason::fault) << rec.calls.size() << " traps";
    EXPECT_EQ(core.fault().kind, Fault::Kind::unmapped_read) << core.fault().description;
    EXPECT_EQ(core.fault().address, 0x90000000u) << "the level-1 entry's address";
    EXPECT_EQ(core.fault().va, 0xc0000010u);
    EXPECT_EQ(core.fault().pc, ram + 8);
    EXPECT_EQ(core.fault().size, 4u);
    EXPECT_NE(core.fault().description.find("a page table of virtual address 0xc0000010"),
              std::string::npos)
        << core.fault().description;
}

TEST_F(Rv64UnbackedTranslation, AFetchStopsTheCore) {
    ASSERT_EQ(access_at(jalr0(t2)).reason, StopReason::fault) << rec.calls.size();
    EXPECT_EQ(core.fault().kind, Fault::Kind::unmapped_fetch) << core.fault().description;
    EXPECT_EQ(core.fault().address, 0x90000010u);
    EXPECT_EQ(core.fault().pc, ram + 0x200010);
}

TEST_F(Rv64Delivery, CountersAreAnsweredNotDelivered) {
    auto r = run({csrr(a0, rv64::csr::time), csrr(11, rv64::csr::instret), ecall});
    EXPECT_EQ(r[0], 4242u); // the exit handler's time
    EXPECT_EQ(r[1], 2u);    // the stub's mret and the rdtime retired before it
    EXPECT_EQ(core.exceptions_delivered(), 0u);
}

TEST_F(Rv64Delivery, SupervisorTimerInterruptToDirectAndVectoredStvec) {
    for (uint64_t mode : {0ull, 1ull}) {
        rec.calls.clear();
        put(ram, {nop, nop, jump_self});
        core.reset(ram, 0);
        core.set_csr(rv64::csr::stvec, handler | mode);
        core.set_csr(rv64::csr::sie, rv64::stip);
        core.set_csr(rv64::csr::sstatus, rv64::sstatus::sie);
        InterruptLines lines;
        lines.irq = true;
        lines.sip = rv64::stip;
        EXPECT_TRUE(core.set_interrupt_lines(lines));
        ASSERT_EQ(core.run(1'000'000, 0, 1).reason, StopReason::halted) << core.fault().description;
        auto r = rec.calls.back();
        EXPECT_EQ(r[0], rv64::interrupt_flag | rv64::irq::s_timer);
        EXPECT_EQ(r[1], ram); // sepc: where the hart was going to run
        EXPECT_EQ(r[2], 0u);
        EXPECT_EQ(spie(r[3]), 1u);
        EXPECT_EQ(sie(r[3]), 0u);
        EXPECT_EQ(spp(r[3]), 1u);
        EXPECT_EQ(r[5], mode ? 77u : 0u) << "vectored: stvec base + 4 x 5";
        core.set_interrupt_lines(InterruptLines{});
    }
}

TEST_F(Rv64Delivery, MaskedInterruptWaitsAndWfiReportsAWait) {
    put(ram, {nop, rv64::insn_wfi, jump_self});
    core.reset(ram, 0);
    core.set_csr(rv64::csr::stvec, handler);
    core.set_csr(rv64::csr::sie, rv64::seip);
    InterruptLines lines;
    lines.irq = true;
    lines.sip = rv64::seip; // pending and enabled in sie, but sstatus.SIE is 0
    core.set_interrupt_lines(lines);
    const RunResult r = core.run(1'000'000, 0, 1);
    EXPECT_EQ(r.reason, StopReason::wfi);
    EXPECT_EQ(r.exit.kind, Exit::Kind::wait);
    EXPECT_EQ(r.exit.pc, ram + 4);
    EXPECT_TRUE(core.guest_interrupt_pending()); // WFI wakes on it
    EXPECT_TRUE(rec.calls.empty());
}

TEST_F(Rv64Delivery, CompressedInstructionStopsTheCoreNamingThePc) {
    put(ram, {nop, 0x00014501}); // c.li a0, 0 (at +4) then c.nop
    core.reset(ram, 0);
    const RunResult r = core.run(1'000'000, 0, 1);
    EXPECT_EQ(r.reason, StopReason::fault);
    EXPECT_NE(core.fault().description.find("compressed"), std::string::npos)
        << core.fault().description;
    EXPECT_NE(core.fault().description.find("0x80000004"), std::string::npos)
        << core.fault().description;
}

// U-mode is not modelled (docs/riscv.md): Unicorn has no privilege register
// to read, so a trap taken from U-mode would run the S-mode handler in
// U-mode with sstatus.SPP = 1. An SRET that would enter U-mode (SPP = 0)
// stops the core instead, naming it, before the SRET retires.
TEST_F(Rv64Delivery, SretToUModeStopsTheCoreNamingIt) {
    constexpr uint32_t auipc_t1 = (t1 << 7) | 0x17;
    const uint32_t csrc_sstatus_t2 = (rv64::csr::sstatus << 20) | (t2 << 15) | (3u << 12) | 0x73;
    put(ram, {addi(t2, 0, 0x100), csrc_sstatus_t2, auipc_t1, addi(t1, t1, 0x38),
              csrw(rv64::csr::sepc, t1), rv64::insn_sret});
    put(ram + 0x40, {ecall});
    core.reset(ram, 0);
    core.set_csr(rv64::csr::stvec, handler);
    const RunResult r = core.run(1'000'000, 0, 1);
    EXPECT_EQ(r.reason, StopReason::fault);
    EXPECT_NE(core.fault().description.find("U-mode"), std::string::npos)
        << core.fault().description;
    EXPECT_EQ(core.fault().pc, ram + 20);
    EXPECT_TRUE(rec.calls.empty());
}

// SRET back to S-mode (SPP = 1, as every trap from S-mode leaves it) runs.
TEST_F(Rv64Delivery, SretToSModeRuns) {
    constexpr uint32_t auipc_t1 = (t1 << 7) | 0x17;
    const uint32_t csrs_sstatus_t2 = (rv64::csr::sstatus << 20) | (t2 << 15) | (2u << 12) | 0x73;
    put(ram + 0x40, {addi(a0, 0, 5), ecall});
    auto r = run({addi(t2, 0, 0x100), csrs_sstatus_t2, auipc_t1, addi(t1, t1, 0x38),
                  csrw(rv64::csr::sepc, t1), rv64::insn_sret});
    EXPECT_EQ(r[0], 5u);
}

} // namespace
} // namespace sim::cpu

// RISC-V guests whose trap handler traps again: bao-sim hung inside
// Rv64Core::run (not even --max-insns ended it) when no instruction of the
// loop was counted. Random guests with Sv39 on, whose stvec points into
// random code, found it (docs/fuzzing.md, "Random guests").
//
// A trap vector whose first instruction traps would take the same exception
// forever, and that instruction never retires: the core now stops with a
// reason naming both exceptions, as Arm64Core does ("vector fault"); under
// hv that stops the VM.
#include "sim/cpu/rv64_core.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <future>
#include <vector>

namespace sim::cpu {
namespace {
namespace rv64_vector_fault {

constexpr uint64_t ram = 0x80000000, ram_size = 1 << 20, vector = ram + 0x100;
constexpr uint32_t unimp = 0xc0001073; // csrrw x0, cycle, x0: an illegal instruction
constexpr uint32_t nop = 0x00000013, sfence_vma = 0x12000073;

struct StopAll : ExitHandler {
    TrapAction on_exit(Core&, Exit&) override { return TrapAction::stop_core; }
    std::optional<uint64_t> read_sysreg(Core&, uint32_t) override { return std::nullopt; }
    bool write_sysreg(Core&, uint32_t, uint64_t) override { return false; }
};

// Runs the program {nop, unimp} with `handler` at stvec, for 100,000
// cycles (one per instruction), failing the test if run() never returns.
RunResult run(Rv64Core& core, std::vector<uint8_t>& mem, const std::vector<uint32_t>& handler) {
    const uint32_t program[] = {nop, unimp};
    std::memcpy(mem.data(), program, sizeof program);
    std::memcpy(&mem[vector - ram], handler.data(), 4 * handler.size());
    core.map_memory(ram, ram_size, mem.data());
    core.reset(ram, 0);
    core.set_csr(rv64::csr::stvec, vector);
    auto running = std::async(std::launch::async, [&] { return core.run(100'000, 0, 1); });
    if (running.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
        ADD_FAILURE() << "the core never returned from run(): the exception loop hangs";
        core.request_halt(); // ends that loop, so the test can finish
    }
    return running.get();
}

TEST(Rv64VectorFault, ATrapVectorThatTrapsStopsTheCoreWithAReason) {
    std::vector<uint8_t> mem(ram_size, 0);
    StopAll exits;
    Rv64Core core(0, exits);
    const RunResult r = run(core, mem, {unimp});
    EXPECT_EQ(r.reason, StopReason::fault);
    EXPECT_EQ(core.fault().pc, vector);
    const std::string& why = core.fault().description;
    EXPECT_NE(why.find("vector fault: illegal instruction 0xc0001073 at the trap vector (stvec "
                       "0x80000100) on illegal instruction 0xc0001073 from pc 0x80000004"),
              std::string::npos)
        << why;
    EXPECT_EQ(core.exceptions_delivered(), 1u) << "the first exception was the guest's";
}

// A handler whose second instruction traps (the word 0xf6e0ff03, a load
// with no such width, which Unicorn's decoder rejects) loops forever, as on
// the hardware, but each pass retires its first instruction: the run ends
// at its budget. Unicorn 2.0.1 reported that block to the block hook with
// size 0, so no instruction was counted and run() never returned.
TEST(Rv64VectorFault, AHandlerThatTrapsAfterOneInstructionStillAdvancesTime) {
    std::vector<uint8_t> mem(ram_size, 0);
    StopAll exits;
    Rv64Core core(0, exits);
    const RunResult r = run(core, mem, {sfence_vma, 0xf6e0ff03});
    EXPECT_EQ(r.reason, StopReason::budget) << core.fault().description;
    EXPECT_GE(r.instructions + 1, core.exceptions_delivered())
        << "one SFENCE.VMA retired per pass (and the program's NOP)";
    EXPECT_LE(r.instructions, core.exceptions_delivered() + 2) << "the illegal word never retires";
}

} // namespace rv64_vector_fault
} // namespace
} // namespace sim::cpu

// What a core reports to an instruction trace (--trace, sim/trace.h) while
// one is attached, in the simulator's own terms: the engine's types stay in
// the core's files. A core with no trace attached installs no trace hook
// and pays nothing for this (docs/observability.md).
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace sim::cpu {

// Which level of the memory hierarchy served a data access.
enum class ServedBy : uint8_t {
    unknown, // no memory model
    l1,
    l2,
    memory,
    device, // outside RAM: a device or a trapping page
};
const char* served_by_name(ServedBy level);

struct TracedAccess {
    uint64_t va = 0;
    uint64_t pa = 0;
    uint8_t size = 0;
    bool is_write = false;
    ServedBy level = ServedBy::unknown;
};

// One instruction, as the core issued it.
struct TracedInsn {
    uint64_t index = 0; // this core's instruction number, from 0 (as its instruction counter)
    uint64_t pc = 0;    // virtual address
    uint64_t pc_pa = 0; // physical address (the IPA under hv without a memory model)
    uint32_t word = 0;  // the instruction's encoding
    uint8_t el = 1;     // exception level (AArch64) or privilege (RISC-V: 0 U, 1 S)
    uint64_t cycle = 0; // core-local cycle it issued in, from the core model in use
    std::string text;   // disassembly
    static constexpr unsigned kMaxAccesses = 4;
    std::array<TracedAccess, kMaxAccesses> accesses{};
    uint8_t access_count = 0;   // recorded (at most kMaxAccesses)
    uint32_t more_accesses = 0; // beyond those
};

// One basic block (--trace-mode block).
struct TracedBlock {
    uint64_t index = 0; // this core's number of its first instruction
    uint64_t pc = 0, pc_pa = 0;
    uint32_t instructions = 0;
    uint8_t el = 1;
    uint64_t cycle = 0;  // core-local cycle the block was entered at
    uint64_t cycles = 0; // until the next block entered or the core stopped (stalls included)
};

class TraceSink {
  public:
    virtual ~TraceSink() = default;
    virtual void on_insn(unsigned core, const TracedInsn& insn) = 0;
    virtual void on_block(unsigned core, const TracedBlock& block) = 0;
};

// What to trace on one core: every instruction (or block) whose PC lies in
// [pc_lo, pc_hi] and whose number (TracedInsn::index) lies in [insn_lo, insn_hi].
struct TraceRequest {
    TraceSink* sink = nullptr;
    bool blocks = false; // one record per basic block instead of per instruction
    uint64_t pc_lo = 0, pc_hi = UINT64_MAX;
    uint64_t insn_lo = 0, insn_hi = UINT64_MAX;
};

} // namespace sim::cpu

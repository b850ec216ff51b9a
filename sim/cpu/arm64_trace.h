// The state of an Arm64Core's instruction trace (--trace), present only
// while one is attached (arm64_trace.cpp): its Capstone disassembler, the
// A53 issue offsets of the blocks it saw, the block being run and the record
// not yet handed to the sink (a line is complete once its data accesses are
// known, at the next instruction or when the run stops).
#pragma once

#include "sim/cpu/a53_decode.h"
#include "sim/cpu/trace_port.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace sim::cpu {

// AArch64 disassembly through Capstone ("ldr x0, [x1, #8]"); Capstone's
// types stay in arm64_trace.cpp.
class Arm64Disassembler {
  public:
    Arm64Disassembler();
    ~Arm64Disassembler();
    Arm64Disassembler(const Arm64Disassembler&) = delete;
    Arm64Disassembler& operator=(const Arm64Disassembler&) = delete;
    // An undecodable word reads ".inst 0x........".
    std::string text(uint32_t word, uint64_t pc) const;

  private:
    size_t handle_ = 0; // csh
    void* insn_ = nullptr;
};

struct Arm64Trace {
    TraceRequest request;
    size_t code_hook = 0, mem_hook = 0; // Unicorn hook handles (insn mode)
    Arm64Disassembler disassembler;
    // A53: the issue cycle of each instruction of a block, from its start
    // with all operands ready, and the block's static cycles, by (VA, size, code).
    struct BlockTiming {
        uint64_t code_hash = 0;
        uint32_t cycles = 0;
        std::vector<uint32_t> issue;
    };
    std::unique_ptr<a53::BlockDecoder> decoder; // model.core = a53 only
    std::unordered_map<uint64_t, BlockTiming> timings;
    std::unordered_map<uint64_t, std::pair<uint32_t, std::string>> texts; // by PC: word, text

    uint64_t insns_before = 0; // this core's instructions before the current block
    // The block being run.
    uint64_t block_pc = 0, block_pa = 0;
    uint32_t block_insns = 0;
    uint64_t block_cost = 0; // what the core model charged for its issue (stalls aside)
    const BlockTiming* timing = nullptr;
    // Records waiting for their end.
    std::optional<TracedInsn> insn;
    std::optional<TracedBlock> block;
    // The core's memory counters at the last trace point: what moved since
    // is the level that served the access just made.
    uint64_t l1d_misses = 0, l2_misses = 0, mem_reads = 0;
};

} // namespace sim::cpu

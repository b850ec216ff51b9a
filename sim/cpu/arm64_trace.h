// The state of an Arm64Core's instruction trace (--trace), present only
// while one is attached (arm64_trace.cpp): the recorder (trace_recorder.h),
// its Capstone disassembler and the A53 issue offsets of the blocks it saw.
#pragma once

#include "sim/cpu/a53_decode.h"
#include "sim/cpu/trace_recorder.h"

#include <cstddef>
#include <cstdint>
#include <memory>
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
    explicit Arm64Trace(const TraceRequest& request, unsigned core) : recorder(request, core) {}
    TraceRecorder recorder;
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
};

} // namespace sim::cpu

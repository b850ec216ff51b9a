// Decodes a translated block's instruction words, once, into the A53
// model's cost recipe (a53_pipeline.h): each instruction's class and the
// registers it reads and writes, through Capstone (AArch64). Capstone types
// stay in a53_decode.cpp.
#pragma once

#include "sim/cpu/a53_pipeline.h"

#include <cstddef>
#include <cstdint>

namespace sim::cpu::a53 {

class BlockDecoder {
  public:
    BlockDecoder();
    ~BlockDecoder();
    BlockDecoder(const BlockDecoder&) = delete;
    BlockDecoder& operator=(const BlockDecoder&) = delete;

    // One instruction at `pc`; a word Capstone cannot decode costs as an ALU
    // instruction with no operands. `branch` receives the branch it is, if any.
    InsnCost decode(uint32_t word, uint64_t pc, BlockBranch& branch) const;
    // The recipe of the block of `size` bytes at `code` (guest address `pc`),
    // with an id new to this decoder.
    BlockRecipe recipe(const uint8_t* code, size_t size, uint64_t pc) const;

  private:
    size_t handle_ = 0; // Capstone's csh
    void* insn_ = nullptr;
    mutable uint32_t last_id_ = 0;
};

} // namespace sim::cpu::a53

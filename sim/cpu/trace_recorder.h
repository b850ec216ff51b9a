// The engine-free half of a core's instruction trace (--trace): the block
// being run, the record not yet handed to the sink (a line is complete once
// its data accesses are known: at the next instruction or when the run
// stops), the instruction numbers and filters, issue cycles, and the level
// that served each access. Each core's own file (arm64_trace.cpp,
// rv64_trace.cpp) installs the hooks and reads the engine.
//
// An instruction's issue cycle is its block's entry cycle, plus the memory
// stalls of the instructions before it in the block, plus its issue offset
// in the core model. The code hook reads the core's clock `now`, which holds
// the block's whole issue cost (charged at entry) and the stalls so far, so
// issue = now - cost + offset.
#pragma once

#include "sim/cache/stats.hpp"
#include "sim/cpu/core.h"
#include "sim/cpu/trace_port.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace sim::cpu {

class TraceRecorder {
  public:
    TraceRecorder(const TraceRequest& request, unsigned core) : request_(request), core_(core) {}
    const TraceRequest& request() const { return request_; }

    // The block of `insns` instructions at `pc` is entered at core cycle
    // `entry`. Closes the previous block. True when the block may hold a
    // traced instruction or is a traced block: then call block_detail.
    bool enter_block(uint64_t pc, uint32_t insns, uint64_t entry);
    // Its physical address, EL, the cycles the core model charges for its
    // issue, and each instruction's issue offset (null: cpi apart).
    void block_detail(uint64_t pa, uint8_t el, uint64_t cost, const std::vector<uint32_t>* issue);

    // The code hook at `pc`, the core's clock `now`, `path` its memory path:
    // closes the previous instruction; returns the new record, or null when
    // filtered out. Its number, PC, PA (within the block's page), EL and
    // cycle are set; the caller fills word, text (and pc_pa when zero: off
    // the block's page).
    TracedInsn* begin_insn(uint64_t pc, uint64_t now, uint64_t cpi, const MemoryPath& path);
    // A data access of the instruction begun last, after the timing model
    // on the core's memory path costed it.
    void access(uint64_t va, uint64_t pa, unsigned size, bool is_write, const MemoryPath& path);
    // The run stops at core cycle `now`: hands over what waits.
    void flush(uint64_t now);

  private:
    void end_insn();
    void snapshot(const cache::CoreMemoryStats* memory);
    // The core's memory counters (null: no memory model).
    const cache::CoreMemoryStats* counters(const MemoryPath& path) const {
        return path.hierarchy ? &path.hierarchy->core_stats(core_) : nullptr;
    }

    TraceRequest request_;
    unsigned core_;
    uint64_t insns_before_ = 0; // this core's instructions before the current block
    uint64_t block_pc_ = 0, block_pa_ = 0;
    uint32_t block_insns_ = 0;
    uint8_t block_el_ = 1;
    uint64_t block_cost_ = 0;
    const std::vector<uint32_t>* issue_ = nullptr;
    std::optional<TracedInsn> insn_;
    std::optional<TracedBlock> block_;
    // The core's memory counters at the last trace point: what moved since
    // is the level that served the access just made.
    uint64_t l1d_misses_ = 0, l2_misses_ = 0, mem_reads_ = 0;
};

} // namespace sim::cpu

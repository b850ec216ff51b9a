// Checkpoints of an RV64 hart (docs/checkpoints.md), taken between runs.
// Unicorn 2.0.1's RISC-V context (unicorn_context.h) is QEMU's
// CPURISCVState up to its rdtime callback: the integer and FP registers, PC,
// the privilege level, every CSR it models (the H extension's included), the
// LR/SC reservation and the PMP. It leaves out the soft-float status, which
// holds fflags: saved beside it. Then what this class keeps about the guest:
// the interrupt lines as last driven, satp as the timing model follows it,
// counters, the memo of blocks scanned for 16-bit code.
#include "sim/checkpoint.h"
#include "sim/cpu/rv64_core.h"
#include "sim/cpu/unicorn_context.h"
#include "sim/cpu/unicorn_util.h"

#include <algorithm>
#include <stdexcept>

namespace sim::cpu {

namespace {

// The memo as sorted (block, counter read) pairs: the file does not depend
// on the hash table's order.
void scanned_blocks(Archive& a, BlockMemo<uint16_t>& memo) {
    std::vector<uint64_t> blocks;
    std::vector<uint16_t> reads;
    for (const auto& [block, read] : memo.sorted()) {
        blocks.push_back(block);
        reads.push_back(read);
    }
    a.values(blocks);
    a.values(reads);
    if (a.is_saving())
        return;
    if (blocks.size() != reads.size())
        throw CheckpointError("corrupt: a RISC-V core's scanned blocks");
    memo.clear();
    for (size_t k = 0; k < blocks.size(); ++k)
        memo.insert(blocks[k], reads[k]);
}

} // namespace

void Rv64Core::checkpoint(Archive& a) {
    if (running_ || pending_)
        throw std::logic_error("a core's checkpoint is taken between runs only");
    a.tag("rv64 core");
    checkpoint_cpu_context(uc_, UC_ARCH_RISCV, a);
    uint64_t fflags = 0;
    if (a.is_saving())
        uc::check(uc_reg_read(uc_, UC_RISCV_REG_FFLAGS, &fflags), "read fflags");
    a.value(fflags);
    if (!a.is_saving())
        uc::check(uc_reg_write(uc_, UC_RISCV_REG_FFLAGS, &fflags), "write fflags");
    a.value(fast_forward_next_);
    a.value(retired_);
    a.value(sip_);
    a.value(sie_);
    a.value(ssip_latched_);
    a.value(satp_);
    a.value(sv39_on_);
    bool fixup = counter_fixup_.has_value();
    CounterFixup f = counter_fixup_.value_or(CounterFixup{0, 0});
    a.value(fixup);
    a.value(f.next_block);
    a.value(f.read);
    scanned_blocks(a, scanned_blocks_);
    a.value(delivered_);
    a.value(last_vector_);
    a.text(last_what_);
    a.value(interrupts_);
    a.value(loads_);
    a.value(stores_);
    Core::checkpoint(a, fault_);
    if (a.is_saving())
        return;
    counter_fixup_ = fixup ? std::optional<CounterFixup>(f) : std::nullopt;
    fast_forward_ = fast_forward_next_;
}

} // namespace sim::cpu

#include "sim/cpu/trace_recorder.h"

#include <algorithm>

namespace sim::cpu {

const char* served_by_name(ServedBy level) {
    switch (level) {
    case ServedBy::l1:
        return "L1";
    case ServedBy::l2:
        return "L2";
    case ServedBy::memory:
        return "mem";
    case ServedBy::device:
        return "dev";
    case ServedBy::unknown:
        break;
    }
    return "-";
}

bool TraceRecorder::enter_block(uint64_t pc, uint32_t insns, uint64_t entry) {
    if (block_) {
        block_->cycles = entry - block_->cycle;
        request_.sink->on_block(core_, *block_);
        block_.reset();
    }
    insns_before_ += block_insns_;
    block_pc_ = pc;
    block_insns_ = insns;
    block_cost_ = 0;
    issue_ = nullptr;
    // Block mode: the block starts in the PC range; instruction mode: any
    // of its instructions may be in it.
    const uint64_t last = request_.blocks || insns == 0 ? pc : pc + 4ull * insns - 1;
    const bool in_range = last >= request_.pc_lo && pc <= request_.pc_hi &&
                          insns_before_ + insns > request_.insn_lo &&
                          insns_before_ <= request_.insn_hi;
    if (in_range && request_.blocks) {
        TracedBlock b;
        b.index = insns_before_;
        b.pc = pc;
        b.instructions = insns;
        b.cycle = entry;
        block_ = b;
    }
    return in_range;
}

void TraceRecorder::block_detail(uint64_t pa, uint8_t el, uint64_t cost,
                                 const std::vector<uint32_t>* issue) {
    block_pa_ = pa;
    block_el_ = el;
    block_cost_ = cost;
    issue_ = issue;
    if (block_) {
        block_->pc_pa = pa;
        block_->el = el;
    }
}

void TraceRecorder::end_insn() {
    if (insn_) {
        request_.sink->on_insn(core_, *insn_);
        insn_.reset();
    }
}

void TraceRecorder::snapshot(const cache::CoreMemoryStats* memory) {
    if (!memory)
        return;
    l1d_misses_ = memory->l1d.misses;
    l2_misses_ = memory->l2.misses;
    mem_reads_ = memory->mem_reads;
}

TracedInsn* TraceRecorder::begin_insn(uint64_t pc, uint64_t now, uint64_t cpi,
                                      const MemoryPath& path) {
    end_insn();
    const bool in_block = pc >= block_pc_ && pc < block_pc_ + 4ull * block_insns_;
    const uint64_t k = in_block ? (pc - block_pc_) / 4 : 0;
    const uint64_t index = insns_before_ + k;
    if (index < request_.insn_lo || index > request_.insn_hi)
        return nullptr;
    TracedInsn& in = insn_.emplace();
    in.index = index;
    in.pc = pc;
    const bool same_page = in_block && ((pc ^ block_pc_) >> 12) == 0;
    in.pc_pa = same_page ? block_pa_ + (pc - block_pc_) : 0;
    in.el = block_el_;
    const uint64_t offset = !in_block ? 0 : issue_ && k < issue_->size() ? (*issue_)[k] : k * cpi;
    in.cycle = now - std::min(now, in_block ? block_cost_ : 0) + offset;
    snapshot(counters(path));
    return &in;
}

void TraceRecorder::access(uint64_t va, uint64_t pa, unsigned size, bool is_write,
                           const MemoryPath& path) {
    if (!insn_)
        return;
    TracedInsn& in = *insn_;
    if (in.access_count == TracedInsn::kMaxAccesses) {
        ++in.more_accesses;
        return;
    }
    TracedAccess& a = in.accesses[in.access_count++];
    a.va = va;
    a.pa = pa;
    a.size = static_cast<uint8_t>(size);
    a.is_write = is_write;
    const cache::CoreMemoryStats* memory = counters(path);
    if (!memory)
        return;
    if (pa < path.ram_base || pa >= path.ram_end) {
        a.level = ServedBy::device;
        return;
    }
    a.level = memory->l2.misses != l2_misses_ || memory->mem_reads != mem_reads_ ? ServedBy::memory
              : memory->l1d.misses != l1d_misses_                                ? ServedBy::l2
                                                                                 : ServedBy::l1;
    snapshot(memory);
}

void TraceRecorder::flush(uint64_t now) {
    end_insn();
    if (block_) {
        block_->cycles = now - block_->cycle;
        request_.sink->on_block(core_, *block_);
        block_.reset();
    }
}

} // namespace sim::cpu

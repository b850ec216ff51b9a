// The instruction trace on an AArch64 core (--trace, docs/observability.md).
// Attaching one installs a code hook (one call per instruction, limited to
// the PC range asked for) and a data hook after the timing model's own, so
// that a core without a trace runs exactly the hooks it ran before. The
// block hook hands each block to the trace before charging it, which gives
// the block's entry cycle; an instruction's issue cycle is that entry plus
// the memory stalls of the instructions before it plus its issue offset in
// the core model (cycles_per_insn apart under the flat model, the A53
// pipeline's static schedule under model.core = a53). Data accesses learn
// the level that served them from the counters the access moved.
#include "sim/cpu/arm64_trace.h"
#include "sim/cpu/arm64_core.h"
#include "sim/cpu/unicorn_util.h"

#include <capstone/capstone.h>

#include <cstdio>
#include <cstring>
#include <span>

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

Arm64Disassembler::Arm64Disassembler() {
    csh h = 0;
    if (cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &h) != CS_ERR_OK)
        throw std::runtime_error("capstone: cannot open an AArch64 disassembler");
    handle_ = h;
    insn_ = cs_malloc(h);
}

Arm64Disassembler::~Arm64Disassembler() {
    cs_free(static_cast<cs_insn*>(insn_), 1);
    csh h = handle_;
    cs_close(&h);
}

std::string Arm64Disassembler::text(uint32_t word, uint64_t pc) const {
    auto* in = static_cast<cs_insn*>(insn_);
    uint8_t bytes[4];
    std::memcpy(bytes, &word, sizeof bytes);
    const uint8_t* p = bytes;
    size_t size = sizeof bytes;
    uint64_t address = pc;
    if (!cs_disasm_iter(handle_, &p, &size, &address, in)) {
        char buf[24];
        std::snprintf(buf, sizeof buf, ".inst 0x%08x", word);
        return buf;
    }
    std::string t = in->mnemonic;
    if (in->op_str[0])
        t += std::string(" ") + in->op_str;
    return t;
}

namespace {

uint64_t hash_words(const uint8_t* code, size_t bytes) {
    uint64_t h = 1469598103934665603ull; // FNV-1a
    for (size_t k = 0; k < bytes; ++k)
        h = (h ^ code[k]) * 1099511628211ull;
    return h;
}

} // namespace

bool Arm64Core::set_trace(const TraceRequest& request) {
    if (trace_) {
        uc_hook_del(uc_, trace_->code_hook);
        if (trace_->mem_hook)
            uc_hook_del(uc_, trace_->mem_hook);
        trace_.reset();
    }
    if (!request.sink)
        return true;
    trace_ = std::make_unique<Arm64Trace>();
    trace_->request = request;
    if (a53_)
        trace_->decoder = std::make_unique<a53::BlockDecoder>();
    uc_hook h = 0;
    if (!request.blocks) {
        uc::check(uc_hook_add(uc_, &h, UC_HOOK_CODE, reinterpret_cast<void*>(&on_trace_code), this,
                              request.pc_lo, request.pc_hi),
                  "add trace code hook");
        trace_->code_hook = h;
        // After on_memory (hooks run in the order they were added): the
        // timing model has costed the access when this one looks.
        uc::check(uc_hook_add(uc_, &h, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE,
                              reinterpret_cast<void*>(&on_trace_memory), this, 1, 0),
                  "add trace memory hook");
        trace_->mem_hook = h;
    }
    // Code Unicorn translated before keeps running without the hooks: the
    // simulation attaches before the machine runs (flushing Unicorn's
    // translations instead costs a zeroed 1 GiB code buffer per core).
    return true;
}

uint64_t Arm64Core::trace_ipa(uint64_t va) const {
    const Stage1Walk w = walk_stage1(va, Stage1Access::read, at_el0());
    return w.fault == Stage1Walk::Fault::none ? w.out : va;
}

// The PA an address reaches, without touching the timing model: hv's stage-2
// walk only reads its tables (with no memory model hv mode has no walker
// here, and the IPA stands in).
uint64_t Arm64Core::trace_pa(uint64_t va) const {
    const uint64_t ipa = trace_ipa(va);
    if (!memory_.stage2)
        return ipa;
    cache::WalkResult r;
    (*memory_.stage2)(ipa, cache::AccessKind::read, r);
    return r.fault ? ipa : r.pa;
}

void Arm64Core::trace_block(uint64_t address, uint32_t size) {
    Arm64Trace& t = *trace_;
    const uint64_t entry = start_cycle_ + cycles_in_run();
    if (t.block) {
        t.block->cycles = entry - t.block->cycle;
        t.request.sink->on_block(id_, *t.block);
        t.block.reset();
    }
    t.insns_before += t.block_insns;
    t.block_pc = address;
    t.block_insns = size / 4;
    t.timing = nullptr;
    // Block mode: the block starts in the PC range; instruction mode: any
    // of its instructions may be in it.
    const uint64_t last = t.request.blocks ? address : address + size - 1;
    const bool in_range = last >= t.request.pc_lo && address <= t.request.pc_hi &&
                          t.insns_before + t.block_insns > t.request.insn_lo &&
                          t.insns_before <= t.request.insn_hi;
    if (!in_range) {
        t.block_cost = 0;
        return;
    }
    t.block_pa = trace_pa(address);
    t.block_cost = t.block_insns * cpi_;
    if (t.decoder) {
        std::vector<uint8_t> code(size);
        if (uc_mem_read(uc_, trace_ipa(address), code.data(), size) == UC_ERR_OK) {
            const uint64_t key = address ^ (uint64_t{size} << 52);
            const uint64_t h = hash_words(code.data(), size);
            Arm64Trace::BlockTiming& bt = t.timings[key];
            if (bt.issue.empty() || bt.code_hash != h) {
                bt.code_hash = h;
                bt.issue.clear();
                // In order: the n-th instruction issues in the last cycle
                // of the schedule of the first n.
                for (uint32_t n = 1; n <= size / 4; ++n)
                    bt.issue.push_back(t.decoder->recipe(code.data(), n * 4, address).cycles - 1);
                bt.cycles = t.decoder->recipe(code.data(), size, address).cycles;
            }
            t.timing = &bt;
            t.block_cost = bt.cycles;
        }
    }
    if (t.request.blocks) {
        TracedBlock b;
        b.index = t.insns_before;
        b.pc = address;
        b.pc_pa = t.block_pa;
        b.instructions = t.block_insns;
        b.el = at_el0() ? 0 : 1;
        b.cycle = entry;
        t.block = b;
    }
}

void Arm64Core::trace_insn_end() {
    Arm64Trace& t = *trace_;
    if (t.insn) {
        t.request.sink->on_insn(id_, *t.insn);
        t.insn.reset();
    }
}

void Arm64Core::trace_flush() {
    Arm64Trace& t = *trace_;
    trace_insn_end();
    if (t.block) {
        t.block->cycles = start_cycle_ + cycles_in_run() - t.block->cycle;
        t.request.sink->on_block(id_, *t.block);
        t.block.reset();
    }
}

void Arm64Core::on_trace_code(uc_struct*, uint64_t address, uint32_t, void* self) {
    auto* core = static_cast<Arm64Core*>(self);
    Arm64Trace& t = *core->trace_;
    core->trace_insn_end();
    const bool in_block = address >= t.block_pc && address < t.block_pc + 4ull * t.block_insns;
    const uint64_t k = in_block ? (address - t.block_pc) / 4 : 0;
    const uint64_t index = t.insns_before + k;
    if (index < t.request.insn_lo || index > t.request.insn_hi)
        return;
    TracedInsn in;
    in.index = index;
    in.pc = address;
    const bool same_page = in_block && ((address ^ t.block_pc) >> 12) == 0;
    in.pc_pa = same_page ? t.block_pa + (address - t.block_pc) : core->trace_pa(address);
    in.word = core->read_word(core->trace_ipa(address));
    in.el = core->at_el0() ? 0 : 1;
    const uint64_t offset = !in_block                                ? 0
                            : t.timing && k < t.timing->issue.size() ? t.timing->issue[k]
                                                                     : k * core->cpi_;
    const uint64_t now = core->start_cycle_ + core->cycles_in_run();
    in.cycle = now - std::min(now, in_block ? t.block_cost : 0) + offset;
    auto& cached = t.texts[address];
    if (cached.second.empty() || cached.first != in.word)
        cached = {in.word, t.disassembler.text(in.word, address)};
    in.text = cached.second;
    if (core->memory_.hierarchy) {
        const cache::CoreMemoryStats& m = core->memory_.hierarchy->core_stats(core->id_);
        t.l1d_misses = m.l1d.misses;
        t.l2_misses = m.l2.misses;
        t.mem_reads = m.mem_reads;
    }
    t.insn = std::move(in);
}

void Arm64Core::on_trace_memory(uc_struct*, int type, uint64_t address, int size, int64_t,
                                void* self) {
    auto* core = static_cast<Arm64Core*>(self);
    Arm64Trace& t = *core->trace_;
    if (!t.insn)
        return;
    TracedInsn& in = *t.insn;
    if (in.access_count == TracedInsn::kMaxAccesses) {
        ++in.more_accesses;
        return;
    }
    TracedAccess& a = in.accesses[in.access_count++];
    a.va = address;
    a.pa = core->trace_pa(address);
    a.size = static_cast<uint8_t>(size);
    a.is_write = type == UC_MEM_WRITE;
    const MemoryPath& path = core->memory_;
    if (!path.hierarchy)
        return;
    if (a.pa < path.ram_base || a.pa >= path.ram_end) {
        a.level = ServedBy::device;
        return;
    }
    const cache::CoreMemoryStats& m = path.hierarchy->core_stats(core->id_);
    a.level = m.l2.misses != t.l2_misses || m.mem_reads != t.mem_reads ? ServedBy::memory
              : m.l1d.misses != t.l1d_misses                           ? ServedBy::l2
                                                                       : ServedBy::l1;
    t.l1d_misses = m.l1d.misses;
    t.l2_misses = m.l2.misses;
    t.mem_reads = m.mem_reads;
}

} // namespace sim::cpu

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
        if (trace_->code_hook)
            uc_hook_del(uc_, trace_->code_hook);
        if (trace_->mem_hook)
            uc_hook_del(uc_, trace_->mem_hook);
        trace_.reset();
    }
    if (!request.sink)
        return true;
    trace_ = std::make_unique<Arm64Trace>(request, id_);
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

// The A53 pipeline's issue offsets of the block at `address` (cached by
// address, size and code), or null when its code cannot be read.
const std::vector<uint32_t>* Arm64Core::trace_a53_issue(uint64_t address, uint32_t size,
                                                        uint64_t& cost) {
    Arm64Trace& t = *trace_;
    std::vector<uint8_t> code(size);
    if (uc_mem_read(uc_, trace_ipa(address), code.data(), size) != UC_ERR_OK)
        return nullptr;
    const uint64_t key = address ^ (uint64_t{size} << 52);
    const uint64_t h = hash_words(code.data(), size);
    Arm64Trace::BlockTiming& bt = t.timings[key];
    if (bt.issue.empty() || bt.code_hash != h) {
        bt.code_hash = h;
        bt.issue.clear();
        // In order: the n-th instruction issues in the last cycle of the
        // schedule of the first n.
        for (uint32_t n = 1; n <= size / 4; ++n)
            bt.issue.push_back(t.decoder->recipe(code.data(), n * 4, address).cycles - 1);
        bt.cycles = t.decoder->recipe(code.data(), size, address).cycles;
    }
    cost = bt.cycles;
    return &bt.issue;
}

void Arm64Core::trace_block(uint64_t address, uint32_t size) {
    Arm64Trace& t = *trace_;
    if (!t.recorder.enter_block(address, size / 4, start_cycle_ + cycles_in_run()))
        return;
    uint64_t cost = (size / 4) * cpi_;
    const std::vector<uint32_t>* issue = t.decoder ? trace_a53_issue(address, size, cost) : nullptr;
    t.recorder.block_detail(trace_pa(address), at_el0() ? 0 : 1, cost, issue);
}

void Arm64Core::trace_flush() {
    trace_->recorder.flush(start_cycle_ + cycles_in_run());
}

void Arm64Core::on_trace_code(uc_struct*, uint64_t address, uint32_t, void* self) {
    auto* core = static_cast<Arm64Core*>(self);
    Arm64Trace& t = *core->trace_;
    TracedInsn* in = t.recorder.begin_insn(address, core->start_cycle_ + core->cycles_in_run(),
                                           core->cpi_, core->memory_);
    if (!in)
        return;
    if (in->pc_pa == 0)
        in->pc_pa = core->trace_pa(address);
    in->word = core->read_word(core->trace_ipa(address));
    auto& cached = t.texts[address];
    if (cached.second.empty() || cached.first != in->word)
        cached = {in->word, t.disassembler.text(in->word, address)};
    in->text = cached.second;
}

void Arm64Core::on_trace_memory(uc_struct*, int type, uint64_t address, int size, int64_t,
                                void* self) {
    auto* core = static_cast<Arm64Core*>(self);
    core->trace_->recorder.access(address, core->trace_pa(address), static_cast<unsigned>(size),
                                  type == UC_MEM_WRITE, core->memory_);
}

} // namespace sim::cpu

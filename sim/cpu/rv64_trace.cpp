// The instruction trace on a RISC-V core (--trace, docs/observability.md):
// the same hooks as on AArch64 (arm64_trace.cpp), installed only while a
// trace is attached, with the raw instruction words (Debian 12's Capstone
// has no RISC-V) and the flat model's issue cycles. Unicorn 2.0.1 exposes
// no privilege register: every line says S.
#include "sim/cpu/rv64_core.h"
#include "sim/cpu/trace_recorder.h"

#include <unicorn/unicorn.h>

#include <stdexcept>

namespace sim::cpu {

struct Rv64Trace {
    Rv64Trace(const TraceRequest& request, unsigned core) : recorder(request, core) {}
    TraceRecorder recorder;
    size_t code_hook = 0, mem_hook = 0;
};

namespace {

void check_hook(uc_err err, const char* what) {
    if (err != UC_ERR_OK)
        throw std::runtime_error(std::string("unicorn: ") + what + ": " + uc_strerror(err));
}

} // namespace

void Rv64TraceDeleter::operator()(Rv64Trace* t) const {
    delete t;
}

bool Rv64Core::set_trace(const TraceRequest& request) {
    if (trace_) {
        if (trace_->code_hook)
            uc_hook_del(uc_, trace_->code_hook);
        if (trace_->mem_hook)
            uc_hook_del(uc_, trace_->mem_hook);
        trace_.reset();
    }
    if (!request.sink)
        return true;
    trace_.reset(new Rv64Trace(request, id_));
    if (request.blocks)
        return true;
    uc_hook h = 0;
    check_hook(uc_hook_add(uc_, &h, UC_HOOK_CODE, reinterpret_cast<void*>(&on_trace_code), this,
                           request.pc_lo, request.pc_hi),
               "add trace code hook");
    trace_->code_hook = h;
    // After on_memory: the timing model has costed the access when this one looks.
    check_hook(uc_hook_add(uc_, &h, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE,
                           reinterpret_cast<void*>(&on_trace_memory), this, 1, 0),
               "add trace memory hook");
    trace_->mem_hook = h;
    return true;
}

// Without touching the timing model: the guest's Sv39 (as the model follows
// it, tlb.guest_stage1), then hv's G-stage walk, which only reads its tables.
uint64_t Rv64Core::trace_pa(uint64_t va) {
    uint64_t gpa = va;
    if (sv39_on_) {
        cache::WalkResult r;
        walk_sv39(this, va, cache::AccessKind::read, r);
        if (!r.fault)
            gpa = r.pa;
    }
    if (!memory_.stage2)
        return gpa;
    cache::WalkResult r;
    (*memory_.stage2)(gpa, cache::AccessKind::read, r);
    return r.fault ? gpa : r.pa;
}

void Rv64Core::trace_block(uint64_t address, uint32_t size) {
    TraceRecorder& r = trace_->recorder;
    if (r.enter_block(address, size / 4, start_cycle_ + cycles_in_run()))
        r.block_detail(trace_pa(address), 1, (size / 4) * cpi_, nullptr);
}

void Rv64Core::trace_flush() {
    trace_->recorder.flush(start_cycle_ + cycles_in_run());
}

void Rv64Core::on_trace_code(uc_struct*, uint64_t address, uint32_t, void* self) {
    auto* core = static_cast<Rv64Core*>(self);
    TracedInsn* in = core->trace_->recorder.begin_insn(
        address, core->start_cycle_ + core->cycles_in_run(), core->cpi_, core->memory_);
    if (!in)
        return;
    if (in->pc_pa == 0)
        in->pc_pa = core->trace_pa(address);
    in->word = core->read_word(address);
}

void Rv64Core::on_trace_memory(uc_struct*, int type, uint64_t address, int size, int64_t,
                               void* self) {
    auto* core = static_cast<Rv64Core*>(self);
    core->trace_->recorder.access(address, core->trace_pa(address), static_cast<unsigned>(size),
                                  type == UC_MEM_WRITE, core->memory_);
}

} // namespace sim::cpu

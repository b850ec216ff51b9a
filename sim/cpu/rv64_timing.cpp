// The RV64 core's accesses in the timing model: instruction fetches per
// block and data accesses per access go to sim/cache as on Arm. With the
// guest's Sv39 on (satp.MODE = 8) and tlb.guest_stage1 set, the hooks'
// virtual addresses go through the TLB model, whose misses walk the guest's
// own tables (rv64_sv39). Unicorn 2.0.1 has no CSR hooks, so the model
// follows satp once per run slice: a satp write takes effect in the model at
// the next slice (at most a quantum later), and SFENCE.VMA is not seen (the
// model's entries are dropped when satp changes). The per-block and
// per-access paths (model_fetch, model_data) are in rv64_core.cpp, inline in
// the hooks.
#include "sim/cpu/rv64_core.h"
#include "sim/cpu/rv64_sv39.h"

#include <unicorn/unicorn.h>

namespace sim::cpu {
namespace {

struct PteRead {
    uc_engine* uc;
    uint64_t ram_base, ram_end;
};

bool read_pte(void* ctx, uint64_t pa, uint64_t& pte) {
    auto* r = static_cast<PteRead*>(ctx);
    if (pa < r->ram_base || pa + 8 > r->ram_end)
        return false;
    return uc_mem_read(r->uc, pa, &pte, sizeof pte) == UC_ERR_OK;
}

} // namespace

void Rv64Core::attach_memory(const MemoryPath& path) {
    memory_ = path;
    sv39_model_ = path.hierarchy && path.hierarchy->config().tlb.guest_stage1 != 0;
    sv39_on_ = sv39_model_ && rv64::satp_mode(satp_) == rv64::satp_mode_sv39;
}

void Rv64Core::follow_satp() {
    if (!sv39_model_ || pc() == stub_base_)
        return;
    const uint64_t satp = csr(rv64::csr::satp);
    if (satp == satp_)
        return;
    const bool mode_changed = rv64::satp_mode(satp) != rv64::satp_mode(satp_);
    satp_ = satp;
    sv39_on_ = rv64::satp_mode(satp) == rv64::satp_mode_sv39;
    if (mode_changed)
        memory_.hierarchy->flush_tlbs(id_);
    memory_.hierarchy->set_asid(id_, rv64::satp_asid(satp));
}

void Rv64Core::walk_sv39(void* self, uint64_t va, cache::AccessKind, cache::WalkResult& out) {
    auto* core = static_cast<Rv64Core*>(self);
    PteRead r{core->uc_, core->memory_.ram_base, core->memory_.ram_end};
    const rv64::Sv39Walk w = rv64::sv39_walk(core->satp_, va, rv64::PteReader{&read_pte, &r});
    for (unsigned k = 0; k < w.reads; ++k)
        out.add_read(w.read_pa[k], k + 1 < w.reads); // the leaf is not a walk-cache candidate
    if (w.fault) {
        out.fault = true;
        return;
    }
    out.pa = w.pa;
    out.page_shift = w.page_shift;
    out.global = w.global;
}

} // namespace sim::cpu

// The guest's own stage-1 translation in the timing model (tlb.guest_stage1,
// docs/timing-model.md "Guest stage 1"). With the guest's MMU on, Unicorn's
// hooks report virtual addresses: the TLB model holds VA -> PA entries tagged
// by ASID, and a miss walks the guest's tables (stage1_walk) with every
// descriptor's IPA itself translated by hv's stage 2 (the nested walk), then
// the output IPA. Native mode walks stage 1 only. Nothing here runs on a TLB
// hit; with the MMU off nothing here runs at all.
#include "sim/cpu/arm64_core.h"
#include "sim/cpu/arm64_sysregs.h"
#include "sim/cpu/unicorn_util.h"

#include <algorithm>
#include <bit>

namespace sim::cpu {
namespace {

// TLBI <op>E1{IS} at EL1 (Arm ARM C5.5): CRm = 3 inner shareable, 7 this PE
// only (1, the v8.4 outer-shareable forms, treated as inner shareable); op2
// the operation.
constexpr uint32_t tlbi_crm_is = 3, tlbi_crm_os = 1, tlbi_crm_local = 7;
enum TlbiOp : uint32_t {
    vmalle1 = 0, // everything of this VM at EL1&0
    vae1 = 1,    // by VA, this ASID and global entries
    aside1 = 2,  // by ASID, non-global entries
    vaae1 = 3,   // by VA, every ASID
    vale1 = 5,   // by VA, last level (modeled as vae1)
    vaale1 = 7,  // by VA, every ASID, last level (modeled as vaae1)
};

// The TLBI operand: VA[55:12] in bits [43:0] (sign-extended from bit 55, so
// TTBR1 addresses come back whole), the ASID in bits [63:48].
uint64_t tlbi_va(uint64_t operand) {
    return static_cast<uint64_t>(static_cast<int64_t>(operand << 20) >> 8);
}

// TCR_EL1.TG0 (4 KiB = 0b00) and TG1 (4 KiB = 0b10) of the halves in use
// (EPD0 / EPD1 clear).
bool granules_are_4k(uint64_t tcr) {
    const bool tg0_ok = ((tcr >> 7) & 1) || ((tcr >> 14) & 3) == 0;
    const bool tg1_ok = ((tcr >> 23) & 1) || ((tcr >> 30) & 3) == 2;
    return tg0_ok && tg1_ok;
}

Stage1Access stage1_access(cache::AccessKind kind) {
    switch (kind) {
    case cache::AccessKind::write:
        return Stage1Access::write;
    case cache::AccessKind::fetch:
        return Stage1Access::fetch;
    case cache::AccessKind::read:
        break;
    }
    return Stage1Access::read;
}

// One nested walk in progress: where its descriptor reads go.
struct NestedWalk {
    uc_engine* uc;
    const cache::WalkerRef* stage2; // null in native mode
    uint64_t ram_base, ram_end;     // descriptors are read only from RAM (never a device)
    cache::WalkResult* out;
    unsigned last_stage1_read; // index in out->reads of the latest stage-1 descriptor
};

// Translates `ipa` by stage 2, recording its descriptor reads; false on a stage-2 fault.
bool stage2_translate(const NestedWalk& n, uint64_t ipa, uint64_t& pa, unsigned& shift) {
    if (!n.stage2) {
        pa = ipa;
        shift = 63;
        return true;
    }
    cache::WalkResult s2;
    (*n.stage2)(ipa, cache::AccessKind::read, s2);
    for (unsigned k = 0; k < s2.read_count; ++k)
        n.out->add_read(s2.reads[k], (s2.intermediate_mask >> k & 1u) != 0, true);
    pa = s2.pa;
    shift = s2.page_shift;
    return !s2.fault;
}

} // namespace

void Arm64Core::attach_memory(const MemoryPath& path) {
    memory_ = path;
    stage1_model_ = path.hierarchy && path.hierarchy->config().tlb.guest_stage1 != 0;
    stage1_on_ = stage1_model_ && (stage1_.sctlr & sctlr_m);
}

// Each stage-1 descriptor is read from its IPA's PA: the stage-2 reads that
// translate it first, then the descriptor itself (a dependent load).
bool Arm64Core::read_nested_descriptor(void* walk, uint64_t ipa, uint64_t& desc) {
    auto* n = static_cast<NestedWalk*>(walk);
    uint64_t pa = 0;
    unsigned shift = 0;
    if (!stage2_translate(*n, ipa, pa, shift) || pa < n->ram_base || pa >= n->ram_end)
        return false;
    n->last_stage1_read = n->out->read_count;
    n->out->add_read(pa, true);
    return uc_mem_read(n->uc, ipa, &desc, sizeof desc) == UC_ERR_OK;
}

void Arm64Core::walk_nested(void* self, uint64_t va, cache::AccessKind kind,
                            cache::WalkResult& out) {
    auto* core = static_cast<Arm64Core*>(self);
    NestedWalk n{core->uc_, core->memory_.stage2, core->memory_.ram_base, core->memory_.ram_end,
                 &out,      cache::kMaxWalkReads};
    const Stage1Walk w = stage1_walk(core->stage1_, va, stage1_access(kind), core->at_el0(),
                                     DescriptorReader{&read_nested_descriptor, &n});
    // The leaf is not a walk-cache candidate; the tables above it are.
    if (n.last_stage1_read < cache::kMaxWalkReads)
        out.intermediate_mask &= ~(1u << n.last_stage1_read);
    if (w.fault != Stage1Walk::Fault::none) {
        core->granule_refused_ = w.unsupported;
        out.fault = true;
        return;
    }
    uint64_t pa = 0;
    unsigned shift = 0;
    if (!stage2_translate(n, w.out, pa, shift)) {
        out.fault = true;
        return;
    }
    out.pa = pa;
    // One entry covers what both stages map contiguously: the smaller block.
    out.page_shift = std::min(shift, static_cast<unsigned>(std::countr_zero(w.block_size)));
    out.global = w.global;
}

// Unicorn would walk other granules itself; the model cannot time them, so
// the core stops (at the MSR that turns such a regime on, or at the first
// access the model walks) with a reason that says why.
void Arm64Core::refuse_granule(uint64_t va) {
    granule_refused_ = false;
    fault_.va = va;
    raise_fault(Fault::Kind::other, pc(), va,
                "guest stage-1 granule is not 4 KiB (TCR_EL1.TG0/TG1): tlb.guest_stage1 walks 4 "
                "KiB tables only");
}

void Arm64Core::stage1_register_write(uint32_t encoding, uint64_t value) {
    const Stage1Regs before = stage1_;
    switch (encoding) {
    case sysreg_encoding(3, 0, 1, 0, 0):
        stage1_.sctlr = value;
        break;
    case sysreg_encoding(3, 0, 2, 0, 2):
        stage1_.tcr = value;
        break;
    case sysreg_encoding(3, 0, 2, 0, 0):
        stage1_.ttbr0 = value;
        break;
    case sysreg_encoding(3, 0, 2, 0, 1):
        stage1_.ttbr1 = value;
        break;
    default:
        return;
    }
    if (!stage1_model_)
        return;
    stage1_on_ = (stage1_.sctlr & sctlr_m) != 0;
    if (stage1_on_ && !granules_are_4k(stage1_.tcr)) {
        refuse_granule(0);
        return;
    }
    // A new regime (MMU on or off, other sizes, granules or ASID width): the
    // entries no longer mean what they did. A TTBR write only switches the
    // ASID lookups match, as on hardware: a new table under the same ASID
    // needs the guest's own TLBI.
    if (stage1_.sctlr != before.sctlr || stage1_.tcr != before.tcr)
        memory_.hierarchy->flush_tlbs(id_);
    memory_.hierarchy->set_asid(id_, stage1_asid(stage1_));
}

void Arm64Core::guest_tlbi(uint32_t crm, uint32_t op2, uint64_t operand) {
    if (crm != tlbi_crm_is && crm != tlbi_crm_os && crm != tlbi_crm_local)
        return;
    cache::Hierarchy& h = *memory_.hierarchy;
    const uint32_t domain = crm == tlbi_crm_local || memory_.tlb_domain == 0
                                ? 1u << id_
                                : memory_.tlb_domain | 1u << id_;
    const uint16_t asid =
        static_cast<uint16_t>((stage1_.tcr >> 36) & 1 ? operand >> 48 : (operand >> 48) & 0xff);
    for (unsigned core = 0; core < h.cores() && core < 32; ++core) {
        if (!(domain >> core & 1u))
            continue;
        switch (op2) {
        case vmalle1:
            h.flush_tlbs(core);
            break;
        case vae1:
        case vale1:
            h.invalidate_tlb_address(core, tlbi_va(operand), asid, false);
            break;
        case vaae1:
        case vaale1:
            h.invalidate_tlb_address(core, tlbi_va(operand), asid, true);
            break;
        case aside1:
            h.invalidate_tlb_asid(core, asid);
            break;
        default:
            break; // the IPA forms are EL2's; RVA forms are v8.4
        }
    }
}

} // namespace sim::cpu

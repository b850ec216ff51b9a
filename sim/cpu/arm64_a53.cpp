// The core's side of the A53 model (model.core = a53, a53_pipeline.h): the
// block hook charges each block through its recipe, keyed by the block's
// guest-physical address; the code-change signals that drop Unicorn's
// translations drop the recipes too (a53_recipes.h).
#include "sim/cpu/a53_recipes.h"
#include "sim/cpu/arm64_core.h"
#include "sim/cpu/arm64_sysregs.h"
#include "sim/cpu/unicorn_util.h"

namespace sim::cpu {

bool Arm64Core::set_core_model(CoreModel model) {
    if (model == CoreModel::a53) {
        if (!a53_)
            a53_ = std::make_unique<a53::Model>();
    } else {
        a53_.reset();
    }
    set_block_hook(a53_ ? &on_a53_block : &on_block);
    return true;
}

std::optional<a53::ModelStats> Arm64Core::core_model_stats() const {
    if (!a53_)
        return std::nullopt;
    return a53_->stats();
}

std::vector<std::pair<std::string, uint64_t>> Arm64Core::model_counters() const {
    if (!a53_)
        return {};
    const a53::ModelStats s = a53_->stats();
    std::vector<std::pair<std::string, uint64_t>> out = {
        {"a53.blocks", s.pipeline.blocks},
        {"a53.dependency_stall_cycles", s.pipeline.dependency_stall_cycles},
        {"a53.branches", s.pipeline.branches},
        {"a53.mispredicts", s.pipeline.mispredicts},
        {"a53.recipes_decoded", s.recipes_decoded},
        {"a53.recipe_invalidations", s.recipe_invalidations},
    };
    for (unsigned c = 0; c < a53::kClassCount; ++c)
        out.emplace_back(std::string("a53.insns.") +
                             a53::class_name(static_cast<a53::InsnClass>(c)),
                         s.classes[c]);
    return out;
}

// The guest-physical address of code at `va`: the address itself with the
// guest's MMU off; else its stage-1 translation (cached per page). A VA the
// walk cannot translate keys by itself (not cached).
uint64_t Arm64Core::code_ipa(uint64_t va) {
    if (!(stage1_.sctlr & sctlr_m))
        return va;
    uint64_t ipa = 0;
    if (a53_->code_pages().find(va, ipa))
        return ipa;
    const Stage1Walk w = walk_stage1(va, Stage1Access::read, false);
    if (w.fault != Stage1Walk::Fault::none)
        return va;
    a53_->code_pages().insert(va, w.out);
    return w.out;
}

// From model_block and on_a53_block (its front table misses): never in
// fast-forward, so the run's cycles are the pipeline's and the stalls
// (cycles_in_run() without its tests).
uint64_t Arm64Core::charge_a53(uint64_t address, uint32_t size) {
    return a53_->charge(
        address, size, start_cycle_ + core_cycles_ + stall_,
        [this](uint64_t va) { return code_ipa(va); },
        [this, address](uint8_t* out, uint32_t bytes) {
            return uc_mem_read(uc_, code_ipa(address), out, bytes) == UC_ERR_OK;
        });
}

// on_block (arm64_core.cpp) under model.core = a53: the same with the
// pipeline's charge inline, so that a block costs one call, not two (the
// second call's frame was a tenth of the model's work per block).
void Arm64Core::on_a53_block(uc_struct* uc, uint64_t address, uint32_t size, void* self) {
    auto* core = static_cast<Arm64Core*>(self);
    if (core->fast_forward_) [[unlikely]] {
        on_block(uc, address, size, self);
        return;
    }
    if (core->block_needs_checks(address, [core] { return core->core_cycles_ + core->stall_; }))
        [[unlikely]] {
        core->on_checked_block(uc, address, size);
        return;
    }
    core->executed_ += size / 4;
    a53::Model& m = *core->a53_;
    a53::BlockRecipe* r = m.front(address, size);
    core->core_cycles_ +=
        r ? m.charge(*r, address, core->start_cycle_ + core->core_cycles_ + core->stall_)
          : core->charge_a53(address, size);
    if (core->memory_.hierarchy)
        core->model_fetch(address, size);
}

void Arm64Core::code_changed(uint64_t ipa_page, bool all) {
    if (a53_)
        a53_->code_changed(ipa_page, all);
}

void Arm64Core::code_translation_changed() {
    if (a53_)
        a53_->translation_changed();
}

} // namespace sim::cpu

#include "sim/cpu/a53_recipes.h"

namespace sim::cpu::a53 {
namespace {

// Guest-physical addresses fit in 48 bits; blocks are at most a few KiB.
uint64_t key_of(uint64_t ipa, uint32_t size) {
    return (ipa << 16) ^ size;
}

} // namespace

// A block may end on the next page: a change to either must drop it. Epochs
// only grow, so the sum changes whenever one of them does.
uint64_t RecipeCache::epoch_of(uint64_t ipa, uint32_t size) const {
    uint64_t sum = 0;
    const uint64_t last = size ? (ipa + size - 1) >> 12 : ipa >> 12;
    for (uint64_t page = ipa >> 12; page <= last; ++page) {
        auto it = page_epochs_.find(page);
        if (it != page_epochs_.end())
            sum += it->second;
    }
    return sum;
}

BlockRecipe* RecipeCache::find(uint64_t ipa, uint32_t size) {
    auto it = recipes_.find(key_of(ipa, size));
    if (it == recipes_.end() || it->second.epoch != epoch_of(ipa, size))
        return nullptr;
    return &it->second.recipe;
}

BlockRecipe& RecipeCache::insert(uint64_t ipa, uint32_t size, BlockRecipe recipe) {
    Entry& e = recipes_[key_of(ipa, size)];
    retire(e.recipe);
    e.recipe = std::move(recipe);
    e.epoch = epoch_of(ipa, size);
    ++decodes_;
    return e.recipe;
}

void RecipeCache::retire(const BlockRecipe& r) {
    for (unsigned c = 0; c < kClassCount; ++c)
        retired_[c] += r.classes[c] * r.runs;
}

void RecipeCache::invalidate_page(uint64_t ipa) {
    ++page_epochs_[ipa >> 12];
    ++invalidations_;
}

void RecipeCache::invalidate_all() {
    for (const auto& [key, e] : recipes_)
        retire(e.recipe);
    recipes_.clear();
    page_epochs_.clear();
    ++invalidations_;
}

void RecipeCache::forget_memos() {
    for (auto& [key, e] : recipes_)
        e.recipe.memo_after = 0;
}

std::array<uint64_t, kClassCount> RecipeCache::class_totals() const {
    std::array<uint64_t, kClassCount> t = retired_;
    for (const auto& [key, e] : recipes_)
        for (unsigned c = 0; c < kClassCount; ++c)
            t[c] += e.recipe.classes[c] * e.recipe.runs;
    return t;
}

} // namespace sim::cpu::a53

#include "sim/cpu/a53_recipes.h"

namespace sim::cpu::a53 {
namespace {

constexpr unsigned kTableSlots = 8192;

uint64_t key_of(uint64_t ipa, uint32_t size) {
    return (ipa << 16) ^ size;
}

} // namespace

RecipeCache::RecipeCache() : table_(kTableSlots) {}

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

const BlockRecipe* RecipeCache::find(uint64_t ipa, uint32_t size) {
    const uint64_t key = key_of(ipa, size);
    Slot& s = slot(key);
    if (s.key == key && s.generation == generation_)
        return s.recipe;
    auto it = recipes_.find(key);
    if (it == recipes_.end() || it->second.epoch != epoch_of(ipa, size))
        return nullptr;
    s = Slot{key, generation_, &it->second.recipe};
    return s.recipe;
}

const BlockRecipe& RecipeCache::insert(uint64_t ipa, uint32_t size, BlockRecipe recipe) {
    const uint64_t key = key_of(ipa, size);
    Entry& e = recipes_[key];
    e.recipe = std::move(recipe);
    e.epoch = epoch_of(ipa, size);
    ++decodes_;
    slot(key) = Slot{key, generation_, &e.recipe};
    return e.recipe;
}

void RecipeCache::invalidate_page(uint64_t ipa) {
    ++page_epochs_[ipa >> 12];
    ++generation_;
    ++invalidations_;
}

void RecipeCache::invalidate_all() {
    recipes_.clear();
    page_epochs_.clear();
    table_.assign(kTableSlots, Slot{});
    ++generation_;
    ++invalidations_;
}

} // namespace sim::cpu::a53

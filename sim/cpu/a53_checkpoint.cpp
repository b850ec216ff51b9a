// Checkpoints of the A53 model (model.core = a53, docs/checkpoints.md).
// Recipes are plain data and are saved whole (runs, id and stall memo
// included, so class totals, decode counts and memos go on as they would
// have); what points at a recipe (the pipeline's previous block, the front
// table's slots) is saved as the recipe's key in the cache, or as one of
// the pipeline's own recipes.
#include "sim/checkpoint.h"
#include "sim/cpu/a53_recipes.h"

#include <algorithm>
#include <initializer_list>
#include <stdexcept>
#include <type_traits>
#include <vector>

namespace sim::cpu::a53 {

// How a pointer to a recipe is saved: null, a recipe of the cache (by key),
// or one of the holder's own recipes (by its index in `own`).
class RecipeNames {
  public:
    RecipeNames(Archive& a, RecipeCache& cache) : archive_(a), cache_(cache) {
        if (a.is_saving())
            keys_ = cache.keys();
    }

    template <class R>
    void pointer(R*& p, std::type_identity_t<std::initializer_list<R*>> own = {}) const {
        uint8_t kind = kNull;
        uint64_t key = 0;
        if (archive_.is_saving())
            name(p, own, kind, key);
        archive_.value(kind);
        archive_.value(key);
        if (!archive_.is_saving())
            p = find(kind, key, own);
    }

  private:
    enum : uint8_t { kNull, kCached, kOwn };

    template <class R>
    void name(R* p, std::initializer_list<R*> own, uint8_t& kind, uint64_t& key) const {
        if (!p)
            return;
        const auto at = std::find(own.begin(), own.end(), p);
        if (at != own.end()) {
            kind = kOwn;
            key = static_cast<uint64_t>(at - own.begin());
            return;
        }
        const auto it = keys_.find(p);
        if (it == keys_.end())
            throw std::logic_error("a53 checkpoint: a recipe outside the model's cache");
        kind = kCached;
        key = it->second;
    }
    template <class R> R* find(uint8_t kind, uint64_t key, std::initializer_list<R*> own) const {
        switch (kind) {
        case kNull:
            return nullptr;
        case kOwn:
            if (key < own.size())
                return own.begin()[key];
            break;
        case kCached:
            if (R* r = cache_.at_key(key))
                return r;
            break;
        }
        throw CheckpointError("corrupt: the A53 model names a recipe the file does not hold");
    }

    Archive& archive_;
    RecipeCache& cache_;
    std::unordered_map<const BlockRecipe*, uint64_t> keys_;
};

template <class Archive, class Names> void Pipeline::checkpoint(Archive& a, const Names& names) {
    a.value(predictor_);
    a.value(ready_);
    a.value(pending_);
    a.value(settled_at_);
    a.value(stash_);
    names.pointer(last_, {&none_, &stash_});
    a.value(last_address_);
    a.value(prev_end_);
    names.pointer(prev_, {&none_, &stash_});
    a.value(stats_);
}

void RecipeCache::checkpoint(Archive& a) {
    std::vector<uint64_t> keys;
    for (const auto& [key, e] : recipes_)
        keys.push_back(key);
    std::sort(keys.begin(), keys.end()); // the file does not depend on the map's order
    a.values(keys);
    if (!a.is_saving())
        recipes_.clear();
    for (uint64_t key : keys) {
        Entry& e = recipes_[key];
        a.value(e.recipe);
        a.value(e.epoch);
    }
    struct PageEpoch {
        uint64_t page, epoch;
    };
    std::vector<PageEpoch> epochs;
    for (const auto& [page, epoch] : page_epochs_)
        epochs.push_back({page, epoch});
    std::sort(epochs.begin(), epochs.end(),
              [](const PageEpoch& x, const PageEpoch& y) { return x.page < y.page; });
    a.values(epochs);
    if (!a.is_saving()) {
        page_epochs_.clear();
        for (const PageEpoch& e : epochs)
            page_epochs_[e.page] = e.epoch;
    }
    a.value(retired_);
    a.value(decodes_);
    a.value(invalidations_);
}

std::unordered_map<const BlockRecipe*, uint64_t> RecipeCache::keys() const {
    std::unordered_map<const BlockRecipe*, uint64_t> out;
    out.reserve(recipes_.size());
    for (const auto& [key, e] : recipes_)
        out.emplace(&e.recipe, key);
    return out;
}

BlockRecipe* RecipeCache::at_key(uint64_t key) {
    const auto it = recipes_.find(key);
    return it == recipes_.end() ? nullptr : &it->second.recipe;
}

void Model::checkpoint(Archive& a) {
    a.tag("a53");
    recipes_.checkpoint(a);
    const RecipeNames names(a, recipes_);
    pipeline_.checkpoint(a, names);
    for (Front& f : front_) {
        // A slot of an earlier generation never matches again, and its
        // recipe may be gone: it is saved empty.
        if (a.is_saving() && (f.key & ~(kGeneration - 1)) != generation_key_)
            f = Front{};
        a.value(f.va);
        a.value(f.key);
        names.pointer(f.recipe);
    }
    a.value(generation_key_);
    a.value(last_id_);
    a.value(pages_);
}

} // namespace sim::cpu::a53

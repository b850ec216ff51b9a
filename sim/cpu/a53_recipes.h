// The A53 model's per-core state (model.core = a53): the recipes of the
// blocks this core has run, the pipeline that charges them, and a small map
// from code pages' virtual addresses to their guest-physical ones.
//
// Recipes are keyed by the block's guest-physical address (the IPA under hv:
// a core serves one VM, whose stage 2 is fixed, so the IPA names the bytes
// as well as the PA does; hv's recoloring copies a page and keeps its IPA)
// and its size, never by the virtual address: a Linux guest exec's new
// programs at the same virtual addresses. A recipe is dropped when its code
// changes, on the signals that drop Unicorn's translations (IC IVAU / IC
// IALLU(IS), the host's invalidate_code): each page has an epoch, bumped on
// invalidation; a recipe records its pages' epochs when decoded.
#pragma once

#include "sim/cpu/a53_decode.h"
#include "sim/cpu/a53_pipeline.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace sim {
class Archive;
}

namespace sim::cpu::a53 {

class RecipeCache {
  public:
    // The recipe of the `size`-byte block at guest-physical `ipa`, or null
    // when it was never decoded or its code changed since.
    BlockRecipe* find(uint64_t ipa, uint32_t size);
    BlockRecipe& insert(uint64_t ipa, uint32_t size, BlockRecipe recipe);
    void invalidate_page(uint64_t ipa);
    void invalidate_all();
    void forget_memos();
    uint64_t decodes() const { return decodes_; }
    uint64_t invalidations() const { return invalidations_; }
    // Instructions run per class: each recipe's classes times its runs.
    std::array<uint64_t, kClassCount> class_totals() const;
    // Checkpoints (a53_checkpoint.cpp): every recipe (runs, id and memo
    // included) with its key and epoch, in key order; the page epochs; the
    // counters. `key_of` / `at_key` name a recipe of this cache for the
    // pointers the pipeline and the front table hold.
    void checkpoint(Archive& a);
    std::unordered_map<const BlockRecipe*, uint64_t> keys() const;
    BlockRecipe* at_key(uint64_t key);

  private:
    struct Entry {
        BlockRecipe recipe;
        uint64_t epoch = 0;
    };
    uint64_t epoch_of(uint64_t ipa, uint32_t size) const;
    void retire(const BlockRecipe& r);

    std::unordered_map<uint64_t, Entry> recipes_; // nodes stay put: Model's table points into them
    std::unordered_map<uint64_t, uint64_t> page_epochs_;
    std::array<uint64_t, kClassCount> retired_{}; // class totals of recipes dropped
    uint64_t decodes_ = 0, invalidations_ = 0;
};

// Virtual code page -> guest-physical page, for the recipe key. Filled from
// the guest's own stage-1 walk; cleared whenever the translation may change
// (a TLBI, a write to SCTLR/TCR/TTBRn_EL1, a reset).
class CodePages {
  public:
    bool find(uint64_t va, uint64_t& ipa) const {
        const Entry& e = entries_[(va >> 12) % kEntries];
        if (e.va_page != (va >> 12))
            return false;
        ipa = (e.ipa_page << 12) | (va & 0xfff);
        return true;
    }
    void insert(uint64_t va, uint64_t ipa) {
        entries_[(va >> 12) % kEntries] = Entry{va >> 12, ipa >> 12};
    }
    void clear() { entries_.fill(Entry{}); }

  private:
    static constexpr unsigned kEntries = 64;
    struct Entry {
        uint64_t va_page = ~uint64_t{0};
        uint64_t ipa_page = 0;
    };
    std::array<Entry, kEntries> entries_{};
};

struct ModelStats {
    PipelineStats pipeline;
    std::array<uint64_t, kClassCount> classes{}; // instructions run per class
    uint64_t recipes_decoded = 0;
    uint64_t recipe_invalidations = 0;
};

// What an Arm64Core holds when model.core = a53. Its front table maps a
// block's virtual address to its recipe, as a VIPT cache does: valid only
// until the translation or the code may have changed (every change below
// starts a new generation); a miss goes through the guest-physical key.
class Model {
  public:
    // Cycles of the `size`-byte block at `va` run at core cycle `now`.
    // `ipa_of(va)` gives its guest-physical address; `read_code(out, size)`
    // its bytes when it must be decoded (false: unreadable, flat cost).
    template <typename IpaOf, typename ReadCode>
    uint64_t charge(uint64_t va, uint32_t size, uint64_t now, IpaOf&& ipa_of,
                    ReadCode&& read_code) {
        if (BlockRecipe* r = front(va, size))
            return charge(*r, va, now);
        if (BlockRecipe* r = refill(va, size, ipa_of, read_code))
            return charge(*r, va, now);
        return pipeline_.charge_flat(size / 4, va);
    }
    // charge()'s parts, for the block hook's path: the recipe when the front
    // table has it (null: charge() above), and the charge of that recipe.
    [[gnu::always_inline]] BlockRecipe* front(uint64_t va, uint32_t size) const {
        const Front& f = front_[slot_of(va)];
        if (f.va != va || f.key != (generation_key_ | size))
            return nullptr;
        if (!f.recipe) // a slot that matches holds a recipe (refill): no test
            __builtin_unreachable();
        return f.recipe;
    }
    [[gnu::always_inline]] uint64_t charge(BlockRecipe& r, uint64_t va, uint64_t now) {
        ++r.runs;
        return pipeline_.charge(r, va, now);
    }
    // The code of a guest-physical page (or all code) changed.
    void code_changed(uint64_t ipa_page, bool all) {
        pipeline_.detach(); // the last recipe charged may be dropped or decoded again
        if (all)
            recipes_.invalidate_all();
        else
            recipes_.invalidate_page(ipa_page);
        next_generation();
    }
    // The guest's translation of code addresses may have changed.
    void translation_changed() {
        pages_.clear();
        next_generation();
    }
    CodePages& code_pages() { return pages_; }
    void reset() {
        pipeline_.reset();
        translation_changed();
    }
    ModelStats stats() const {
        return ModelStats{pipeline_.stats(), recipes_.class_totals(), recipes_.decodes(),
                          recipes_.invalidations()};
    }
    // Checkpoints (a53_checkpoint.cpp), between runs: the whole state, so a
    // restored core charges every later block as the saving one would.
    void checkpoint(Archive& a);

  private:
    static constexpr unsigned kFrontSlots = 4096;
    static constexpr uint64_t kGeneration = uint64_t{1} << 32; // a generation's step in a key
    // A slot holds the block at `va` of the size and generation in `key`;
    // 32 bytes, aligned: a host cache line holds two whole slots.
    struct alignas(32) Front {
        uint64_t va = ~uint64_t{0};
        uint64_t key = 0; // generation_key_ | size: never 0, generations start at 1
        BlockRecipe* recipe = nullptr;
    };
    static unsigned slot_of(uint64_t va) { return ((va >> 2) ^ (va >> 14)) & (kFrontSlots - 1); }
    void next_generation() {
        generation_key_ += kGeneration;
        if (generation_key_ == 0) { // wrapped: no slot may match an old key
            front_.fill(Front{});
            generation_key_ = kGeneration;
        }
    }
    // A front table miss: the recipe from the guest-physical key, decoded if
    // needed (null: unreadable code), entered in the front table. Out of
    // line: the hit path stays short.
    template <typename IpaOf, typename ReadCode>
    [[gnu::noinline]] BlockRecipe* refill(uint64_t va, uint32_t size, IpaOf& ipa_of,
                                          ReadCode& read_code) {
        BlockRecipe* r = lookup(ipa_of(va), size, va, read_code);
        if (r)
            front_[slot_of(va)] = Front{va, generation_key_ | size, r};
        return r;
    }
    template <typename ReadCode>
    BlockRecipe* lookup(uint64_t ipa, uint32_t size, uint64_t va, ReadCode& read_code) {
        if (BlockRecipe* r = recipes_.find(ipa, size))
            return r;
        code_.resize(size);
        if (!read_code(code_.data(), size))
            return nullptr;
        BlockRecipe r = decoder_.recipe(code_.data(), size, va);
        r.id = next_id();
        return &recipes_.insert(ipa, size, std::move(r));
    }
    // Ids name recipes' contents for the stall memo: when they wrap, no
    // memo or previous block may name an id given before.
    uint32_t next_id() {
        if (++last_id_ == 0) {
            recipes_.forget_memos();
            pipeline_.forget_last();
            last_id_ = 1;
        }
        return last_id_;
    }

    BlockDecoder decoder_;
    RecipeCache recipes_;
    Pipeline pipeline_;
    CodePages pages_;
    std::array<Front, kFrontSlots> front_{};
    uint64_t generation_key_ = kGeneration; // the generation, shifted into a key
    uint32_t last_id_ = 0;
    std::vector<uint8_t> code_;
};

} // namespace sim::cpu::a53
